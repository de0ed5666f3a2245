// The facilitator's debrief results, kept live. The server draws the chart, the word lists
// and the answers (templates/report/_chart.html, _words.html, _answers.html); on every
// `debrief.changed` event (and each fresh snapshot after a reconnect) this fetches the
// results JSON and patches those parts in place, cloning rows from the <template>s made of
// the same partials (_chart_row.html, _word.html, _answer.html).

import { connectLive } from "./live.js";
import { readJson, byId, clone, fill, field, show, fmt, syncList, showStatus } from "./dom.js";

const POLL_MS = 15000;
const resultsUrl = readJson("results-url");
const labels = readJson("debrief-labels") || {};

function drawChart(summary) {
  const table = byId("debrief-chart");
  if (!table) return;
  fill(table, { caption: fmt(labels.caption, summary) });
  const body = table.tBodies[0];
  syncList(body, summary.choices, {
    key: (choice) => choice.label,
    create: () => clone("tpl-chart-row"),
    update: (row, choice) => {
      fill(row, { label: choice.label, count: choice.count });
      const width = summary.max_count ? Math.round((choice.count / summary.max_count) * 100) : 0;
      row.querySelector("rect").setAttribute("width", String(width));
    },
  });
  show(body.querySelector("[data-empty]"), summary.choices.length === 0);
}

function drawWords(summary) {
  for (const question of summary.questions) {
    const list = document.querySelector(`.word-list[data-question="${question.key}"]`);
    if (!list) continue;
    const top = question.words.length ? question.words[0].count : 1;
    syncList(list, question.words, {
      key: (w) => w.word,
      create: () => clone("tpl-word"),
      update: (li, w) => {
        li.className = `wf-${Math.round((w.count / top) * 4)}`;
        fill(li, { word: w.word, count: w.count });
      },
    });
    show(list.querySelector("[data-empty]"), question.words.length === 0);
  }
}

function drawAnswers(summary) {
  const list = byId("debrief-answers");
  if (!list) return;
  const answers = summary.answers || [];
  syncList(list, answers.map((answer, index) => ({ ...answer, index })), {
    key: (answer) => answer.index,
    create: () => clone("tpl-answer"),
    update: (li, answer) => {
      fill(li, { name: answer.name, department: answer.department, value: answer.value, change: answer.change });
      for (const part of ["name", "value", "change"]) show(li.querySelector(`[data-show="${part}"]`), Boolean(answer[part]));
      field(li, "choices").replaceChildren(...answer.choices.map((choice) => {
        const chip = clone("tpl-chip");
        chip.textContent = choice;
        return chip;
      }));
    },
  });
  show(list.querySelector("[data-empty]"), answers.length === 0);
  const note = document.querySelector("[data-answers-note]");
  const total = summary.answers_total ?? answers.length;
  if (note) {
    note.textContent = fmt(labels.answers_shown, { shown: answers.length, total });
    show(note, total > answers.length);
  }
}

let pending = null;

async function refresh() {
  // Coalesce bursts: one request in flight, at most one more queued behind it.
  if (pending) {
    pending.again = true;
    return;
  }
  pending = { again: false };
  try {
    const response = await fetch(resultsUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const summary = await response.json();
      drawChart(summary);
      drawWords(summary);
      drawAnswers(summary);
    }
  } finally {
    const again = pending.again;
    pending = null;
    if (again) refresh();
  }
}

let poller = null;

function onStatus(status) {
  // While the socket is down, poll slowly so the page still converges; a reconnect brings a
  // fresh snapshot (onState) and stops the polling.
  if (status === "live") {
    clearInterval(poller);
    poller = null;
  } else if (!poller) {
    poller = setInterval(refresh, POLL_MS);
  }
  showStatus(document.querySelector("[data-live-status]"), status);
}

connectLive({
  url: readJson("ws-path"),
  onState: () => refresh(),
  onEvent: (frame) => {
    if (frame.type === "debrief.changed") refresh();
  },
  onStatus,
});

// The facilitator's debrief results, kept live: on every `debrief.changed` event (and on each
// fresh snapshot after a reconnect) the page refetches the results JSON and redraws the chart,
// the word lists and the answers. User text only ever goes in through textContent.

const SVG_NS = "http://www.w3.org/2000/svg";
const POLL_MS = 15000;

function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

const resultsUrl = readJson("results-url");
const wsPath = readJson("ws-path");
const labels = readJson("debrief-labels") || {};

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

function bar(count, max) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", "bar");
  svg.setAttribute("viewBox", "0 0 100 10");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const rect = document.createElementNS(SVG_NS, "rect");
  rect.setAttribute("width", String(max ? Math.round((count / max) * 100) : 0));
  rect.setAttribute("height", "10");
  svg.append(rect);
  return svg;
}

function drawChart(summary) {
  const table = document.getElementById("debrief-chart");
  if (!table) return;
  table.caption.textContent = format(labels.caption || "", summary);
  const rows = summary.choices.map((choice) => {
    const tr = el("tr");
    const th = el("th", choice.label);
    th.scope = "row";
    const count = el("td", choice.count, "text-end");
    const cell = el("td");
    cell.append(bar(choice.count, summary.max_count));
    tr.append(th, count, cell);
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
}

function drawWords(summary) {
  for (const question of summary.questions) {
    const list = document.querySelector(`.word-list[data-question="${question.key}"]`);
    if (!list) continue;
    const top = question.words.length ? question.words[0].count : 1;
    const items = question.words.map((w) => {
      const li = el("li", `${w.word} `, `wf-${Math.round((w.count / top) * 4)}`);
      li.append(el("span", `(${w.count})`, "text-body-secondary"));
      return li;
    });
    if (!items.length) items.push(el("li", labels.no_words, "text-body-secondary"));
    list.replaceChildren(...items);
  }
}

function drawAnswers(summary) {
  const list = document.getElementById("debrief-answers");
  if (!list) return;
  const items = (summary.answers || []).map((answer) => {
    const li = el("li", null, "card mb-2");
    const body = el("div", null, "card-body");
    if (answer.name) {
      const who = el("p", `${answer.name} `, "fw-semibold mb-1 answer-name");
      who.append(el("span", answer.department, "text-body-secondary fw-normal"));
      body.append(who);
    }
    for (const text of [answer.value, answer.change]) {
      if (text) body.append(el("p", text, "mb-1 answer-text"));
    }
    for (const choice of answer.choices) body.append(el("span", choice, "chip"));
    li.append(body);
    return li;
  });
  if (!items.length) items.push(el("li", labels.no_answers, "text-body-secondary"));
  list.replaceChildren(...items);
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

function showStatus(status) {
  // While the socket is down, poll slowly so the page still converges; a reconnect brings a
  // fresh snapshot (onState) and stops the polling.
  if (status === "live") {
    clearInterval(poller);
    poller = null;
  } else if (!poller) {
    poller = setInterval(refresh, POLL_MS);
  }
  const badge = document.getElementById("live-status");
  if (!badge) return;
  badge.textContent = (labels.status || {})[status] || status;
  badge.dataset.status = status;
}

async function start() {
  try {
    const { connectLive } = await import("./live.js");
    connectLive({
      url: wsPath,
      onState: () => refresh(),
      onEvent: (frame) => {
        if (frame.type === "debrief.changed") refresh();
      },
      onStatus: showStatus,
    });
  } catch (error) {
    // No live socket module: fall back to polling.
    showStatus("offline");
  }
}

start();

// The breakout room page: renders the room from the snapshot embedded in the page, then
// follows the live socket (static/js/live.js). User text is only ever set as textContent.

import { connectLive, showStatus } from "./live.js";
import { readJson, $, fmt, h } from "./dom.js";

let state = readJson("room-state");
const page = readJson("room-page", {});
const L = page.labels || {};
const wsPath = readJson("ws-path");
const ITEM_STEPS = ["root_causes", "alternatives", "plan"];

const me = () => (state.me.participant ? state.me.participant.id : null);
const role = () => state.me.role;
const room = () => state.room;
const isScribe = () => role() === "facilitator" || (me() !== null && room().scribe === me());
const canWrite = () => role() === "member" || role() === "facilitator";
const member = (id) => room().members.find((m) => m.id === id);
const memberName = (id) => (member(id) ? member(id).name : L.nobody);
const stepLabel = (step) => (room().steps.find((s) => s.step === step) || { label: step }).label;

let viewStep = state.room.step;
let formStep = null;
let editing = null; // item id being edited
const proposals = new Map(); // challenge id → participant id
let typingUntil = 0;
let typingStep = null;
let live = null;

// -- messages -------------------------------------------------------------------------------

function banner(text, tone = "info", heading = null) {
  const box = h("div", { class: `alert alert-${tone} alert-dismissible`, role: "status" });
  if (heading) box.append(h("strong", { text: `${heading}: ` }));
  box.append(h("span", { text }));
  box.append(h("button", {
    type: "button", class: "btn-close", "aria-label": L.dismiss,
    on: { click: () => box.remove() },
  }));
  $("[data-banners]").prepend(box);
}

function failed(frame) {
  if (frame && frame.message) banner(fmt(L.error, { message: frame.message }), "danger");
}

// -- header ---------------------------------------------------------------------------------

function renderHeader() {
  const r = room();
  $("[data-challenge-title]").textContent = r.challenge ? r.challenge.title : L.not_chosen;
  const online = new Set(r.online || []);
  $("[data-members]").replaceChildren(...r.members.map((m) => {
    const here = online.has(m.id);
    const item = h("li", { class: "list-inline-item room-member" },
      h("span", { class: `presence-dot ${here ? "online" : ""}`, "aria-hidden": "true" }),
      h("span", { text: m.name }),
      h("span", { class: "visually-hidden", text: ` (${here ? L.online : L.offline})` }),
      h("span", { class: "member-origin text-body-secondary small ms-1",
        text: [m.department, m.location].filter(Boolean).join(" · ") }));
    item.dataset.online = here ? "1" : "0";
    if (m.id === r.scribe) item.append(h("span", { class: "badge text-bg-primary ms-1", text: L.scribe }));
    if (m.id === me()) item.append(h("span", { class: "text-body-secondary ms-1", text: `(${L.you})` }));
    return item;
  }));
  for (const li of document.querySelectorAll("[data-steps] li")) {
    const current = li.dataset.step === r.step;
    li.classList.toggle("current", current);
    li.classList.toggle("viewing", li.dataset.step === viewStep);
    if (current) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  }
}

// -- challenge ------------------------------------------------------------------------------

function renderChallenges() {
  const r = room();
  // Once chosen, the list matters only while defining the problem (the header shows it).
  $("[data-challenge-section]").classList.toggle("d-none", Boolean(r.challenge) && viewStep !== "define");
  const scribe = isScribe();
  $("[data-challenge-help]").textContent = canWrite()
    ? (scribe ? L.challenge_help_scribe : L.challenge_help_member) : "";
  $("[data-challenges]").replaceChildren(...state.workshop.challenges.map((c) => {
    const chosen = r.challenge && r.challenge.id === c.id;
    const item = h("li", { class: `challenge-option p-2 mb-2 border rounded ${chosen ? "border-primary" : ""}` },
      h("div", { class: "fw-semibold", text: c.title }),
      h("div", { class: "small text-body-secondary", text: c.description }));
    if (chosen) item.append(h("span", { class: "badge text-bg-primary", text: L.chosen }));
    if (proposals.has(c.id)) {
      item.append(h("div", { class: "small", text: fmt(L.proposed_by, { name: memberName(proposals.get(c.id)) }) }));
    }
    if (canWrite() && !chosen) {
      const label = scribe ? L.choose : L.propose;
      item.append(h("button", {
        type: "button", class: `btn btn-sm ${scribe ? "btn-primary" : "btn-outline-primary"} mt-1`,
        "aria-label": `${label}: ${c.title}`, text: label,
        on: {
          click: () => {
            const op = scribe ? "challenge.set" : "challenge.propose";
            live.send(op, { challenge: c.id }).catch(failed);
          },
        },
      }));
    }
    return item;
  }));
}

// -- the step: prompt, controls, note -------------------------------------------------------

function renderStepChrome() {
  const r = room();
  $("[data-step-title]").textContent = stepLabel(viewStep);
  $("[data-step-prompt]").textContent = (page.prompts || {})[viewStep] || "";
  $("[data-not-current]").classList.toggle("d-none", viewStep === r.step);
  const controls = $("[data-step-controls]");
  controls.classList.toggle("d-none", !isScribe());
  const index = r.steps.findIndex((s) => s.step === r.step);
  $("[data-step-prev]").disabled = index <= 0;
  $("[data-step-next]").disabled = index >= r.steps.length - 1;
}

const noteInput = $("[data-note-input]");
const noteView = $("[data-note-view]");
let noteTimer = null;
let lastTyping = 0;

function renderNote() {
  const note = room().notes[viewStep] || { text: "", note_rev: 0 };
  const scribe = isScribe();
  noteInput.classList.toggle("d-none", !scribe);
  noteView.classList.toggle("d-none", scribe);
  $("[data-note-label]").setAttribute("for", scribe ? "note-input" : "");
  if (scribe) {
    if (document.activeElement !== noteInput || noteInput.dataset.step !== viewStep) {
      noteInput.value = note.text;
    }
    noteInput.dataset.step = viewStep;
  } else {
    noteView.textContent = note.text || L.note_empty;
    noteView.classList.toggle("text-body-secondary", !note.text);
  }
  const typing = !scribe && typingStep === viewStep && Date.now() < typingUntil;
  $("[data-typing]").textContent = typing ? L.typing : "";
}

function sendNote() {
  const step = noteInput.dataset.step;
  const text = noteInput.value;
  const base = (room().notes[step] || {}).note_rev || 0;
  live.send("note.set", { step, text, base_rev: base }, { coalesce: `note:${step}` })
    .then((ack) => {
      if (ack && ack.rev) room().notes[step] = { text, note_rev: ack.rev, by: me() };
    })
    .catch((frame) => {
      if (frame && frame.code === "conflict") showConflict(frame, text);
      else failed(frame);
    });
}

function showConflict(frame, mine) {
  const current = frame.current;
  room().notes[current.step] = { text: current.text, note_rev: current.note_rev };
  if (noteInput.dataset.step === current.step) noteInput.value = current.text;
  const box = $("[data-note-conflict]");
  box.replaceChildren(
    h("p", { class: "mb-1", text: L.conflict }),
    h("pre", { class: "note-conflict-text", text: mine }),
    h("button", {
      type: "button", class: "btn btn-sm btn-outline-danger", text: L.use_mine,
      on: {
        click: () => {
          noteInput.value = mine;
          box.classList.add("d-none");
          sendNote();
        },
      },
    }),
  );
  box.classList.remove("d-none");
}

noteInput.addEventListener("input", () => {
  clearTimeout(noteTimer);
  noteTimer = setTimeout(sendNote, 250);
  const now = Date.now();
  if (now - lastTyping > 1500) {
    lastTyping = now;
    live.send("typing", { step: noteInput.dataset.step });
  }
});

// -- items ----------------------------------------------------------------------------------

function itemControls(step, item, prefix) {
  const value = (name, fallback = "") => (item && item[name] !== null && item[name] !== undefined ? item[name] : fallback);
  const limits = page.limits || {};
  const text = (name, label, attrs = {}) => [name, label, h("input", {
    id: `${prefix}-${name}`, class: "form-control", maxlength: limits.item, ...attrs,
  })];
  const area = (name, label) => [name, label, h("textarea", {
    id: `${prefix}-${name}`, class: "form-control", rows: 2, maxlength: limits.long,
  })];
  const select = (name, label, options) => [name, label, h("select", { id: `${prefix}-${name}`, class: "form-select" },
    ...options.map(([v, t]) => h("option", { value: v, text: t })))];
  const controls = [text("text", L[`field_text_${step}`], { required: true })];
  if (step === "root_causes") {
    controls.push(select("category", L.field_category,
      [["", `(${L.no_category})`], ...page.categories.map((c) => [c.value, c.label])]));
  } else if (step === "alternatives") {
    controls.push(area("pros", L.field_pros), area("cons", L.field_cons));
  } else if (step === "plan") {
    controls.push(
      select("owner", L.field_owner, [["", `(${L.nobody})`], ...room().members.map((m) => [String(m.id), m.name])]),
      text("due_date", L.field_due_date, { type: "date", maxlength: null }),
      text("success_measure", L.field_success_measure),
    );
    if (item) controls.push(select("status", L.field_status, page.statuses.map((s) => [s.value, s.label])));
  }
  for (const [name, , control] of controls) {
    const initial = value(name);
    control.value = name === "owner" ? (initial === "" ? "" : String(initial)) : initial;
  }
  return controls;
}

function readControls(controls) {
  const fields = {};
  for (const [name, , control] of controls) {
    let v = control.value;
    if (name === "owner") v = v ? Number(v) : null;
    if (name === "due_date") v = v || null;
    fields[name] = v;
  }
  return fields;
}

function controlRows(controls) {
  return controls.map(([, label, control]) =>
    h("div", { class: "mb-2" }, h("label", { class: "form-label", for: control.id, text: label }), control));
}

function buildAddForm() {
  const form = $("[data-item-form]");
  formStep = viewStep;
  if (!ITEM_STEPS.includes(viewStep) || !canWrite()) {
    form.classList.add("d-none");
    form.replaceChildren();
    return;
  }
  form.classList.remove("d-none");
  const step = viewStep;
  const controls = itemControls(step, null, `add-${step}`);
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: L[`add_${step}`] });
  form.replaceChildren(...controlRows(controls), h("div", {}, submit));
  form.onsubmit = (event) => {
    event.preventDefault();
    const fields = readControls(controls);
    if (!fields.text.trim()) {
      controls[0][2].focus();
      return;
    }
    if (step !== "plan") {
      for (const key of ["owner", "due_date"]) delete fields[key];
    }
    live.send("item.add", { step, fields }).catch(failed);
    for (const [, , control] of controls) control.value = control.tagName === "SELECT" ? control.options[0].value : "";
    controls[0][2].focus();
  };
}

function mayEdit(item) {
  return isScribe() || (me() !== null && item.author === me());
}

function itemActions(item) {
  if (!canWrite() || !mayEdit(item)) return null;
  return h("span", { class: "item-actions ms-2" },
    h("button", {
      type: "button", class: "btn btn-sm btn-link", text: L.edit, "aria-label": `${L.edit}: ${item.text}`,
      on: { click: () => { editing = item.id; renderItems(); } },
    }),
    h("button", {
      type: "button", class: "btn btn-sm btn-link text-danger", text: L.delete,
      "aria-label": `${L.delete}: ${item.text}`,
      on: {
        click: () => {
          if (window.confirm(L.confirm_delete)) live.send("item.delete", { item: item.id }).catch(failed);
        },
      },
    }));
}

function editForm(item) {
  const controls = itemControls(item.step, item, `edit-${item.id}`);
  const form = h("form", { class: "w-100" }, ...controlRows(controls),
    h("button", { type: "submit", class: "btn btn-sm btn-primary me-2", text: L.save }),
    h("button", {
      type: "button", class: "btn btn-sm btn-outline-secondary", text: L.cancel,
      on: { click: () => { editing = null; renderItems(); } },
    }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = readControls(controls);
    editing = null;
    live.send("item.update", { item: item.id, base_version: item.version, fields }).catch(failed);
    renderItems();
  });
  return form;
}

function itemRow(item) {
  const row = h("li", { class: "list-group-item d-flex flex-wrap align-items-start room-item" });
  row.dataset.item = item.id;
  if (editing === item.id) {
    row.append(editForm(item));
    return row;
  }
  const body = h("div", { class: "flex-grow-1" }, h("span", { class: "fw-semibold", text: item.text }));
  if (item.category) {
    const category = page.categories.find((c) => c.value === item.category);
    body.append(h("span", { class: "chip ms-2", text: category ? category.label : item.category }));
  }
  if (item.pros) body.append(h("div", { class: "small", text: `${L.field_pros}: ${item.pros}` }));
  if (item.cons) body.append(h("div", { class: "small", text: `${L.field_cons}: ${item.cons}` }));
  if (item.author) body.append(h("div", { class: "small text-body-secondary", text: memberName(item.author) }));
  row.append(body);
  const actions = itemActions(item);
  if (actions) row.append(actions);
  return row;
}

function planRow(item) {
  const row = h("tr");
  row.dataset.item = item.id;
  if (editing === item.id) {
    row.append(h("td", { colspan: 6 }, editForm(item)));
    return row;
  }
  const status = page.statuses.find((s) => s.value === item.status);
  row.append(
    h("td", { text: item.text }),
    h("td", { text: item.owner ? memberName(item.owner) : "" }),
    h("td", {}, item.due_date ? h("time", { datetime: item.due_date, text: item.due_date }) : ""),
    h("td", { text: item.success_measure }),
    h("td", { text: status ? status.label : item.status }),
    h("td", {}, itemActions(item)),
  );
  return row;
}

function renderItems() {
  const section = $("[data-items-section]");
  const show = ITEM_STEPS.includes(viewStep);
  section.classList.toggle("d-none", !show);
  if (!show) return;
  if (formStep !== viewStep) buildAddForm();
  $("[data-items-title]").textContent = L[`items_${viewStep}`];
  const items = room().items.filter((item) => item.step === viewStep);
  const plan = viewStep === "plan";
  $("[data-items]").classList.toggle("d-none", plan);
  $("[data-plan-table]").classList.toggle("d-none", !plan);
  if (plan) $("[data-plan-rows]").replaceChildren(...items.map(planRow));
  else $("[data-items]").replaceChildren(...items.map(itemRow));
}

// -- votes and selection --------------------------------------------------------------------

function alternatives() {
  return room().items.filter((item) => item.step === "alternatives");
}

function renderVotes() {
  const section = $("[data-votes-section]");
  const show = viewStep === "selection";
  section.classList.toggle("d-none", !show);
  if (!show) return;
  const votes = room().votes;
  const mine = votes.mine || {};
  const used = Object.values(mine).reduce((a, b) => a + b, 0);
  const left = votes.per_member - used;
  $("[data-votes-summary]").textContent = fmt(L.voted, { n: votes.voters.length, total: room().members.length });
  $("[data-votes-left]").textContent = me() !== null ? fmt(L.votes_left, { n: left, max: votes.per_member }) : "";
  $("[data-vote-list]").replaceChildren(...alternatives().map((item) => {
    const count = mine[String(item.id)] || 0;
    const tally = votes.tallies[String(item.id)] || 0;
    const row = h("li", { class: "list-group-item d-flex align-items-center gap-2" },
      h("span", { class: "flex-grow-1", text: item.text }),
      h("span", {
        class: "badge text-bg-secondary", "data-tally": item.id,
        text: fmt(tally === 1 ? L.vote_one : L.votes, { n: tally }),
      }));
    if (me() !== null && canWrite()) {
      row.append(
        h("button", {
          type: "button", class: "btn btn-sm btn-outline-secondary", text: "−", disabled: count <= 0,
          "aria-label": fmt(L.vote_remove, { title: item.text }),
          on: { click: () => live.send("vote.set", { item: item.id, count: count - 1 }).catch(failed) },
        }),
        h("span", { class: "my-votes", "aria-hidden": "true", text: "●".repeat(count) || "·" }),
        h("button", {
          type: "button", class: "btn btn-sm btn-outline-primary", text: "+", disabled: left <= 0,
          "aria-label": fmt(L.vote_add, { title: item.text }),
          on: { click: () => live.send("vote.set", { item: item.id, count: count + 1 }).catch(failed) },
        }),
      );
    }
    return row;
  }));
}

function renderSelection() {
  const section = $("[data-selection-section]");
  const show = viewStep === "selection" || viewStep === "plan";
  section.classList.toggle("d-none", !show);
  if (!show) return;
  const selection = room().selection;
  const chosen = alternatives().find((item) => item.id === selection.item);
  const view = $("[data-selection-view]");
  view.replaceChildren();
  if (chosen) {
    view.append(h("strong", { text: fmt(L.selected, { title: chosen.text }) }));
    if (selection.rationale) view.append(h("br"), h("span", { text: fmt(L.because, { text: selection.rationale }) }));
  } else {
    view.textContent = L.nothing_selected;
  }
  const form = $("[data-selection-form]");
  const editable = isScribe() && viewStep === "selection";
  form.classList.toggle("d-none", !editable);
  if (!editable) return;
  const select = $("[data-selection-item]");
  const wanted = select.matches(":focus") ? select.value : String(selection.item || "");
  select.replaceChildren(h("option", { value: "", text: L.no_alternative }),
    ...alternatives().map((item) => h("option", { value: String(item.id), text: item.text })));
  select.value = wanted;
  const rationale = $("[data-selection-rationale]");
  if (!form.dataset.dirty) rationale.value = selection.rationale || "";
}

$("[data-selection-rationale]").addEventListener("input", (event) => {
  event.target.form.dataset.dirty = "1";
});
$("[data-selection-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const item = $("[data-selection-item]").value;
  live.send("selection.set", {
    item: item ? Number(item) : null, rationale: $("[data-selection-rationale]").value,
  }).then(() => { delete form.dataset.dirty; }).catch(failed);
});

// -- scribe and help ------------------------------------------------------------------------

function renderScribe() {
  const r = room();
  $("[data-scribe-name]").textContent = r.scribe === me() ? L.you_are_scribe : memberName(r.scribe);
  const form = $("[data-handover-form]");
  const mayHand = isScribe() && canWrite();
  form.classList.toggle("d-none", !mayHand);
  if (mayHand) {
    const select = $("[data-handover-to]");
    const keep = select.value;
    select.replaceChildren(...r.members.filter((m) => m.id !== r.scribe)
      .map((m) => h("option", { value: String(m.id), text: m.name })));
    if (keep) select.value = keep;
  }
  const status = $("[data-handover-status]");
  status.textContent = r.scribe_offer
    ? fmt(r.scribe === me() ? L.offer_sent : L.offer_pending, { name: memberName(r.scribe_offer) })
    : "";
  $("[data-scribe-offer]").classList.toggle("d-none", !(me() !== null && r.scribe_offer === me()));
  $("[data-help-section]").classList.toggle("d-none", me() === null);
}

$("[data-handover-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  live.send("scribe.handover", { to: Number($("[data-handover-to]").value) }).catch(failed);
});
$("[data-scribe-accept]").addEventListener("click", () => live.send("scribe.accept").catch(failed));
$("[data-scribe-decline]").addEventListener("click", () => live.send("scribe.decline").catch(failed));
$("[data-help-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("[data-help-message]");
  live.send("help.request", { message: input.value }).then(() => {
    $("[data-help-status]").textContent = L.help_sent;
    input.value = "";
  }).catch(failed);
});

// -- countdown ------------------------------------------------------------------------------

function deadline() {
  const r = room();
  const timer = r.timer || state.workshop.timer;
  return (timer && timer.ends_at) || r.step_ends_at;
}

function tick() {
  const target = deadline();
  const box = $("[data-countdown-box]");
  box.classList.toggle("d-none", !target);
  if (!target) return;
  const output = $("[data-countdown]");
  output.setAttribute("datetime", target);
  const seconds = Math.round((Date.parse(target) - Date.now()) / 1000);
  if (seconds <= 0) {
    output.textContent = L.time_up;
    box.classList.add("text-danger");
    return;
  }
  box.classList.remove("text-danger");
  const minutes = Math.floor(seconds / 60);
  output.textContent = fmt(L.time_left, { time: `${minutes}:${String(seconds % 60).padStart(2, "0")}` });
}

// -- putting it together --------------------------------------------------------------------

function renderAll() {
  renderHeader();
  renderChallenges();
  renderStepChrome();
  renderNote();
  renderItems();
  renderVotes();
  renderSelection();
  renderScribe();
  tick();
}

function setViewStep(step) {
  viewStep = step;
  editing = null;
  $("[data-note-conflict]").classList.add("d-none");
  renderAll();
}

for (const button of document.querySelectorAll("[data-view-step]")) {
  button.addEventListener("click", () => setViewStep(button.dataset.viewStep));
}
function moveStep(offset) {
  const steps = room().steps.map((s) => s.step);
  const next = steps[steps.indexOf(room().step) + offset];
  if (next) live.send("step.set", { step: next }).catch(failed);
}
$("[data-step-prev]").addEventListener("click", () => moveStep(-1));
$("[data-step-next]").addEventListener("click", () => moveStep(1));

function applyTimer(event) {
  const timer = event.ends_at ? { ends_at: event.ends_at, label: event.label || "" } : (event.timer || null);
  if (event.scope === "room") room().timer = timer;
  else state.workshop.timer = timer;
}

function onEvent(event) {
  const r = room();
  switch (event.type) {
    case "note.changed":
      r.notes[event.step] = { text: event.text, note_rev: event.note_rev, by: event.by };
      if (event.step === viewStep) renderNote();
      return;
    case "typing":
      if (event.participant !== me()) {
        typingUntil = Date.now() + 3000;
        typingStep = event.step;
        renderNote();
        setTimeout(renderNote, 3100);
      }
      return;
    case "presence.changed":
      r.online = event.online;
      renderHeader();
      return;
    case "item.added":
      r.items = r.items.filter((item) => item.id !== event.item.id).concat([event.item]);
      break;
    case "item.updated":
      r.items = r.items.map((item) => (item.id === event.item.id ? event.item : item));
      break;
    case "item.deleted":
      r.items = r.items.filter((item) => item.id !== event.item);
      if (event.votes) Object.assign(r.votes, event.votes);
      if (r.votes.mine) delete r.votes.mine[String(event.item)];
      if (event.selection_cleared) r.selection.item = null;
      break;
    case "votes.changed":
      r.votes.tallies = event.tallies;
      r.votes.voters = event.voters;
      if (event.participant === me()) r.votes.mine = event.votes;
      break;
    case "step.changed": {
      const following = viewStep === r.step;
      Object.assign(r, { step: event.step, step_started_at: event.step_started_at, step_ends_at: event.step_ends_at });
      if (following) {
        setViewStep(event.step);
        return;
      }
      break;
    }
    case "challenge.changed":
      r.challenge = event.challenge;
      if (event.step_started_at) Object.assign(r, { step_started_at: event.step_started_at, step_ends_at: event.step_ends_at });
      proposals.clear();
      break;
    case "challenge.proposed":
      proposals.set(event.challenge, event.by);
      break;
    case "selection.changed":
      r.selection = { item: event.item, rationale: event.rationale };
      break;
    case "scribe.offered":
      r.scribe_offer = event.to;
      break;
    case "scribe.changed":
      r.scribe = event.scribe;
      r.scribe_offer = null;
      formStep = null;
      break;
    case "members.changed":
      r.members = event.members;
      if ("scribe" in event) r.scribe = event.scribe;
      formStep = null;
      break;
    case "help.requested":
      r.help = [event.request, ...(r.help || [])];
      if (event.request.participant === me()) $("[data-help-status]").textContent = L.help_sent;
      break;
    case "help.acknowledged":
      $("[data-help-status]").textContent = L.help_on_way;
      banner(L.help_on_way, "success");
      break;
    case "timer.changed":
      applyTimer(event);
      break;
    case "broadcast":
      banner(event.message || "", "info", L.broadcast);
      return;
    case "phase.changed":
      state.workshop.phase = event.phase;
      if (event.phase !== "breakouts") banner(L.plenary, "warning");
      return;
    case "room.assigned":
      if (event.url && event.url !== window.location.pathname) window.location.assign(event.url);
      return;
    default:
      return;
  }
  renderAll();
}

function onState(frame) {
  const previousStep = state.room ? state.room.step : null;
  const following = viewStep === previousStep;
  state = frame;
  if (!frame.room) {
    window.location.reload(); // no longer in this room: the server sends us where we belong
    return;
  }
  if (following) viewStep = frame.room.step;
  formStep = null;
  renderAll();
}

renderAll();
setInterval(tick, 1000);
const statusBadge = $("[data-live-status]");
live = connectLive({ url: wsPath, onState, onEvent, onStatus: (s) => showStatus(statusBadge, s) });

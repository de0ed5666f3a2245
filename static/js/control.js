// The facilitators' control room: every room as a card, kept live over the control socket.
//
// The server already coalesces the rooms' typing into at most two `note.preview`s per room
// per second (breakouts/control.py); here every event only updates a card's data and marks
// the card dirty, and cards are redrawn on animation frames, each at most every 300 ms.
// User text is only ever set as textContent.

import { connectLive, showStatus } from "./live.js";
import { readJson, $, fmt, h } from "./dom.js";

const page = readJson("control-page", {});
const L = page.labels || {};
const STEPS = (page.steps || []).map((s) => s.step);
const stepLabel = (step) => ((page.steps || []).find((s) => s.step === step) || { label: step }).label;
const CARD_MIN_INTERVAL_MS = 300;
const IDLE_MS = (page.idle_minutes || 5) * 60 * 1000;

const cards = new Map(); // room number → card data (see breakouts/control.py room_cards)
for (const card of readJson("control-cards", [])) cards.set(card.number, card);
let workshop = {
  phase: page.phase, timer: page.timer, closing_at: page.closing_at,
  participant_count: page.participant_count ?? null,
};
let help = readJson("control-help", []); // open requests, oldest first
let live = null;
let leaving = false;
window.addEventListener("beforeunload", () => { leaving = true; });

function reload() {
  if (leaving) return;
  leaving = true;
  window.location.reload();
}

// -- drawing, coalesced ---------------------------------------------------------------------

const dirty = new Set();
const drawnAt = new Map();
let summaryDirty = true;
let frameRequested = false;

function touch(number) {
  if (number !== null && number !== undefined) dirty.add(number);
  summaryDirty = true;
  requestDraw();
}

function requestDraw() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(draw);
}

function draw() {
  frameRequested = false;
  const now = performance.now();
  let waiting = false;
  for (const number of [...dirty]) {
    if (now - (drawnAt.get(number) || -Infinity) < CARD_MIN_INTERVAL_MS) {
      waiting = true;
      continue;
    }
    dirty.delete(number);
    drawnAt.set(number, now);
    drawCard(number);
  }
  if (summaryDirty) {
    summaryDirty = false;
    drawSummary();
  }
  if (waiting) setTimeout(requestDraw, CARD_MIN_INTERVAL_MS);
}

function memberName(id) {
  for (const card of cards.values()) {
    const found = card.members.find((m) => m.id === id);
    if (found) return found.name;
  }
  return L.nobody;
}

function cardElement(number) {
  return $(`[data-room-grid] [data-room="${number}"]`);
}

function drawCard(number) {
  const card = cards.get(number);
  const element = cardElement(number);
  if (!card || !element) return;
  const f = (name) => $(`[data-f="${name}"]`, element);
  f("challenge").textContent = card.challenge ? card.challenge.title : L.no_challenge;
  f("challenge").classList.toggle("text-body-secondary", !card.challenge);
  const index = STEPS.indexOf(card.step);
  for (const li of f("steps").children) {
    const i = STEPS.indexOf(li.dataset.step);
    li.classList.toggle("done", i < index);
    li.classList.toggle("current", i === index);
  }
  f("step-label").textContent = fmt(L.step_of, { n: index + 1, total: STEPS.length, label: stepLabel(card.step) });
  const online = new Set(card.online || []);
  f("members").replaceChildren(...card.members.map((m) => {
    const here = online.has(m.id);
    const li = h("li", { "data-member": m.id, class: here ? "" : "text-body-secondary" },
      h("span", { class: `presence-dot ${here ? "online" : ""}`, "aria-hidden": "true" }),
      h("span", { text: m.name }),
      h("span", { class: "visually-hidden", text: ` (${here ? L.online : L.offline})` }));
    if (m.id === card.scribe) li.append(" ", h("span", { class: "badge text-bg-primary", text: L.scribe }));
    return li;
  }));
  const note = (card.notes || {})[card.step];
  const noteBox = f("note");
  noteBox.textContent = note && note.text ? note.text + (note.length > note.text.length ? "…" : "") : L.no_note;
  noteBox.classList.toggle("text-body-secondary", !(note && note.text));
  f("counts").textContent = ["root_causes", "alternatives", "plan"]
    .map((step) => `${L[`count_${step}`]}: ${(card.counts || {})[step] || 0}`).join(" · ");
  const requests = card.help || [];
  element.classList.toggle("needs-help", requests.length > 0);
  f("help-badge").classList.toggle("d-none", requests.length === 0);
  f("help").replaceChildren(...requests.map((request) => helpRow(request, false)));
  const select = f("scribe-select");
  const wanted = document.activeElement === select ? select.value : String(card.scribe || "");
  select.replaceChildren(...card.members.map((m) => h("option", { value: String(m.id), text: m.name })));
  select.value = wanted;
  tickCard(card, element);
}

function helpRow(request, withRoom) {
  const room = fmt(L.room, { n: request.room });
  const text = withRoom
    ? fmt(L.help_from, { room, name: memberName(request.participant), message: request.message || L.no_message })
    : `${memberName(request.participant)}: ${request.message || L.no_message}`;
  return h("li", { class: "help-request d-flex flex-wrap align-items-center gap-2 mb-1" },
    h("span", { class: "flex-grow-1", text }),
    h("button", {
      type: "button", class: "btn btn-sm btn-warning", text: L.acknowledge,
      "aria-label": fmt(L.acknowledge_room, { room }),
      on: { click: (event) => acknowledge(request, event.target) },
    }));
}

function acknowledge(request, button) {
  button.disabled = true;
  live.send("help.acknowledge", { request: request.id }).catch((frame) => {
    button.disabled = false;
    showError($("[data-run-error]"), frame);
  });
}

function drawSummary() {
  const ids = new Set();
  for (const card of cards.values()) for (const id of card.online || []) ids.add(id);
  $("[data-online-count]").textContent = String(ids.size);
  if (workshop.participant_count !== null) {
    $("[data-participant-total]").textContent = String(workshop.participant_count);
  }
  const counted = new Map();
  for (const card of cards.values()) counted.set(card.step, (counted.get(card.step) || 0) + 1);
  const phrases = STEPS.filter((step) => counted.get(step)).map((step) => {
    const n = counted.get(step);
    return fmt(page.step_phrases[step][n === 1 ? 0 : 1], { n });
  });
  $("[data-rooms-per-step]").textContent = phrases.length ? phrases.join(", ") : L.nothing_per_step;
  $("[data-help-list]").replaceChildren(...help.map((request) => helpRow(request, true)));
  $("[data-help-empty]").classList.toggle("d-none", help.length > 0);
  const timer = workshop.timer;
  $("[data-timer-status]").textContent = timer ? fmt(L.timer_all, { label: timer.label || "" }) : "";
}

// -- clocks ---------------------------------------------------------------------------------

function clock(seconds) {
  const s = Math.max(0, seconds);
  const minutes = Math.floor(s / 60);
  return `${minutes}:${String(s % 60).padStart(2, "0")}`;
}

function tickCard(card, element) {
  const timer = card.timer || workshop.timer;
  const deadline = (timer && timer.ends_at) || card.step_ends_at;
  const left = $('[data-f="time-left"]', element);
  if (!deadline) {
    left.textContent = L.no_deadline;
    left.removeAttribute("datetime");
  } else {
    const seconds = Math.round((Date.parse(deadline) - Date.now()) / 1000);
    left.setAttribute("datetime", deadline);
    left.textContent = seconds > 0 ? fmt(L.time_left, { time: clock(seconds) }) : L.time_up;
    left.classList.toggle("text-danger", seconds <= 0);
  }
  const activity = $('[data-f="activity"]', element);
  const at = card.last_activity_at ? Date.parse(card.last_activity_at) : null;
  if (at === null) {
    activity.textContent = "";
    return;
  }
  const minutes = Math.floor((Date.now() - at) / 60000);
  let ago = L.just_now;
  if (minutes >= 60) ago = fmt(L.hours_ago, { n: Math.floor(minutes / 60) });
  else if (minutes >= 1) ago = fmt(L.minutes_ago, { n: minutes });
  const idle = Date.now() - at > IDLE_MS;
  activity.textContent = idle ? `${L.idle} · ${ago}` : ago;
  activity.setAttribute("datetime", card.last_activity_at);
  element.classList.toggle("idle", idle);
}

function tick() {
  for (const card of cards.values()) {
    const element = cardElement(card.number);
    if (element) tickCard(card, element);
  }
  const box = $("[data-closing-box]");
  const closing = workshop.closing_at;
  box.classList.toggle("d-none", !closing);
  const button = $("[data-close-breakouts]");
  if (button) button.hidden = Boolean(closing);
  if (closing) {
    const seconds = Math.round((Date.parse(closing) - Date.now()) / 1000);
    const text = $("[data-closing-text]");
    text.setAttribute("datetime", closing);
    text.textContent = seconds > 0 ? fmt(L.closing_in, { time: clock(seconds) }) : L.closing_now;
  }
}

// -- the socket -----------------------------------------------------------------------------

function activity(card) {
  card.last_activity_at = new Date().toISOString();
}

function onState(frame) {
  workshop = frame.workshop || workshop;
  if (workshop.phase !== page.phase) {
    reload(); // the phase controls on this page are stale
    return;
  }
  for (const room of frame.rooms || []) {
    if (!cardElement(room.number)) {
      reload(); // rooms were created since this page was drawn
      return;
    }
    cards.set(room.number, room);
    dirty.add(room.number);
  }
  help = frame.help || [];
  drawBroadcasts(frame.broadcasts || []);
  touch(null);
  tick();
}

function onEvent(event) {
  const card = event.scope === "room" ? cards.get(event.room) : null;
  if (event.scope === "room" && !card) {
    live.sync();
    return;
  }
  switch (event.type) {
    case "presence.changed":
      card.online = event.online;
      touch(card.number);
      return;
    case "note.preview":
    case "note.changed":
      card.notes = card.notes || {};
      card.notes[event.step] = { text: event.text, length: event.length ?? event.text.length };
      break;
    case "item.added":
      card.counts[event.item.step] = (card.counts[event.item.step] || 0) + 1;
      break;
    case "item.deleted":
      card.counts[event.step] = Math.max(0, (card.counts[event.step] || 0) - 1);
      break;
    case "step.changed":
      Object.assign(card, { step: event.step, step_started_at: event.step_started_at, step_ends_at: event.step_ends_at });
      break;
    case "challenge.changed":
      card.challenge = event.challenge;
      if (event.step_started_at) Object.assign(card, { step_started_at: event.step_started_at, step_ends_at: event.step_ends_at });
      break;
    case "scribe.changed":
      card.scribe = event.scribe;
      break;
    case "members.changed":
      card.members = event.members;
      if ("scribe" in event) card.scribe = event.scribe;
      drawMoveForm();
      break;
    case "help.requested":
      card.help = [...(card.help || []), event.request];
      help = [...help, event.request];
      break;
    case "help.acknowledged":
      card.help = (card.help || []).filter((r) => r.id !== event.request.id);
      help = help.filter((r) => r.id !== event.request.id);
      break;
    case "timer.changed":
      if (card) card.timer = event.timer;
      else {
        workshop.timer = event.timer;
        for (const number of cards.keys()) dirty.add(number);
      }
      touch(card ? card.number : null);
      return;
    case "broadcast":
      addBroadcast(event.broadcast);
      if (!card) return;
      break;
    case "breakouts.closing":
      workshop.closing_at = event.closing_at;
      tick();
      return;
    case "phase.changed":
      workshop.phase = event.phase;
      if (event.phase !== page.phase) reload();
      return;
    case "participant.joined":
      if (workshop.participant_count !== null) workshop.participant_count += 1;
      touch(null);
      return;
    case "participant.left":
      if (workshop.participant_count !== null) workshop.participant_count -= 1;
      touch(null);
      return;
    default:
      if (!card) return;
  }
  if (card) {
    activity(card);
    touch(card.number);
  } else {
    touch(null);
  }
}

// -- sent messages --------------------------------------------------------------------------

function broadcastRow(broadcast) {
  const when = broadcast.created_at ? new Date(broadcast.created_at) : new Date();
  const target = broadcast.room ? fmt(L.room, { n: broadcast.room }) : L.all_rooms;
  return h("li", {},
    h("time", { datetime: when.toISOString(), text: when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }),
    " ", h("span", { class: "fw-semibold", text: `${target}:` }), " ", h("span", { text: broadcast.message }));
}

function drawBroadcasts(list) {
  $("[data-broadcast-list]").replaceChildren(...list.map(broadcastRow));
}

function addBroadcast(broadcast) {
  if (!broadcast) return;
  const list = $("[data-broadcast-list]");
  if ($(`[data-broadcast="${broadcast.id}"]`, list)) return;
  const row = broadcastRow(broadcast);
  row.dataset.broadcast = broadcast.id;
  list.prepend(row);
}

// -- forms ----------------------------------------------------------------------------------

function showError(target, frame) {
  if (target) target.textContent = fmt(L.error, { message: (frame && frame.message) || "?" });
}

function submitOp(form, op, fields, after) {
  const status = $("[data-form-status]", form);
  if (status) status.textContent = "";
  return live.send(op, fields).then((ack) => {
    if (status) status.textContent = L.sent;
    if (after) after(ack);
  }).catch((frame) => showError(status || $("[data-run-error]"), frame));
}

const roomValue = (select) => (select.value ? Number(select.value) : null);

function drawMoveForm() {
  const select = $("[data-move-participant]");
  const keep = select.value;
  select.replaceChildren(...[...cards.values()].map((card) =>
    h("optgroup", { label: fmt(L.room, { n: card.number }) },
      ...card.members.map((m) => h("option", { value: String(m.id), text: m.name })))));
  if (keep) select.value = keep;
}

$("[data-broadcast-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const input = $("[data-broadcast-message]", form);
  const message = input.value.trim();
  if (!message) {
    input.focus();
    return;
  }
  submitOp(form, "broadcast.send", { message, room: roomValue($("[data-room-select]", form)) },
    () => { input.value = ""; });
});

$("[data-timer-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const minutes = Number($("[data-timer-minutes]", form).value);
  if (!(minutes > 0)) {
    $("[data-timer-minutes]", form).focus();
    return;
  }
  submitOp(form, "timer.set", {
    seconds: Math.round(minutes * 60),
    label: $("[data-timer-label]", form).value.trim(),
    room: roomValue($("[data-room-select]", form)),
  });
});

$("[data-timer-clear]").addEventListener("click", (event) => {
  const form = event.target.form;
  submitOp(form, "timer.clear", { room: roomValue($("[data-room-select]", form)) });
});

$("[data-advance-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  submitOp(event.target, "rooms.advance", { step: $("[data-advance-step]").value });
});

$("[data-move-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const participant = Number($("[data-move-participant]").value);
  if (!participant) return;
  submitOp(event.target, "participant.move", { participant, room: Number($("[data-move-room]").value) });
});

$("[data-room-grid]").addEventListener("submit", (event) => {
  const form = event.target.closest("[data-scribe-form]");
  if (!form) return;
  event.preventDefault();
  const number = Number(form.closest("[data-room]").dataset.room);
  const participant = Number($('[data-f="scribe-select"]', form).value);
  live.send("scribe.set", { room: number, participant })
    .catch((frame) => showError($("[data-run-error]"), frame));
});

function runOp(op, fields = {}) {
  $("[data-run-error]").textContent = "";
  return live.send(op, fields).catch((frame) => showError($("[data-run-error]"), frame));
}

const closeButton = $("[data-close-breakouts]");
if (closeButton) closeButton.addEventListener("click", () => runOp("breakouts.close", { seconds: page.closing_seconds }));
$("[data-closing-skip]").addEventListener("click", () => runOp("closing.skip"));
$("[data-closing-cancel]").addEventListener("click", () => runOp("closing.cancel"));
const reopen = $("[data-reopen]");
if (reopen) reopen.addEventListener("click", () => runOp("breakouts.reopen"));

// -- start ----------------------------------------------------------------------------------

for (const number of cards.keys()) dirty.add(number);
touch(null);
tick();
setInterval(tick, 1000);
const statusBadge = $("[data-live-status]");
live = connectLive({
  url: readJson("ws-path"),
  onState,
  onEvent,
  onStatus: (s) => showStatus(statusBadge, s),
});

// The room cards and the summary above them. Events only update a card's data and mark it
// dirty; cards are redrawn on animation frames, each at most every 300 ms (the server already
// coalesces the rooms' typing into at most two `note.preview`s per room per second).

import { $, byId, clone, clock, fill, field, show, fmt, plural, syncList, setOptions } from "../dom.js";
import { localiseTime } from "../local_times.js";
import { ctx, L, page, STEPS, stepLabel, cardElement, memberName, runOp } from "./context.js";

const CARD_MIN_INTERVAL_MS = 300;
const IDLE_MS = (page.idle_minutes || 5) * 60 * 1000;

const dirty = new Set();
const drawnAt = new Map();
let summaryDirty = true;
let frameRequested = false;

/** Marks a card (or, with null, only the summary) for the next frame. */
export function touch(number) {
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

function helpRows(list, requests, withRoom) {
  syncList(list, requests, {
    key: (request) => request.id,
    create: () => clone("tpl-help"),
    update: (li, request) => {
      const room = fmt(L.room, { n: request.room });
      const message = request.message || L.no_message;
      fill(li, {
        text: withRoom
          ? fmt(L.help_from, { room, name: memberName(request.participant), message })
          : `${memberName(request.participant)}: ${message}`,
      });
      li.querySelector("button").setAttribute("aria-label", fmt(L.acknowledge_room, { room }));
    },
  });
}

function drawCard(number) {
  const card = ctx.cards.get(number);
  const element = cardElement(number);
  if (!card || !element) return;
  const challenge = field(element, "challenge");
  challenge.textContent = card.challenge ? card.challenge.title : L.no_challenge;
  challenge.classList.toggle("text-body-secondary", !card.challenge);
  const index = STEPS.indexOf(card.step);
  [...field(element, "steps").children].forEach((li, i) => {
    li.classList.toggle("done", i < index);
    li.classList.toggle("current", i === index);
  });
  field(element, "step-label").textContent = fmt(L.step_of, { n: index + 1, total: STEPS.length, label: stepLabel(card.step) });
  const online = new Set(card.online || []);
  field(element, "member-count").textContent = plural(L.members_online, {
    n: card.members.length, online: card.members.filter((m) => online.has(m.id)).length,
  });
  syncList(field(element, "members"), card.members, {
    key: (m) => m.id,
    create: () => clone("tpl-member"),
    update: (li, m) => {
      const here = online.has(m.id);
      li.classList.toggle("text-body-secondary", !here);
      fill(li, { name: m.name, presence: ` (${here ? L.online : L.offline})` });
      field(li, "dot").classList.toggle("online", here);
      show(field(li, "scribe"), m.id === card.scribe);
    },
  });
  const note = (card.notes || {})[card.step];
  const noteBox = field(element, "note");
  noteBox.textContent = note && note.text ? note.text + (note.length > note.text.length ? "…" : "") : L.no_note;
  noteBox.classList.toggle("text-body-secondary", !(note && note.text));
  field(element, "counts").textContent = ["root_causes", "alternatives", "plan"]
    .map((step) => `${L[`count_${step}`]}: ${(card.counts || {})[step] || 0}`).join(" · ");
  const requests = card.help || [];
  element.classList.toggle("needs-help", requests.length > 0);
  show(field(element, "help-badge"), requests.length > 0);
  helpRows(field(element, "help"), requests, false);
  const select = field(element, "scribe-select") || addScribeForm(element, card);
  const keep = document.activeElement === select ? select.value : String(card.scribe || "");
  setOptions(select, card.members.map((m) => [String(m.id), m.name]), keep);
  tickCard(card, element);
}

/** A tile gets its "Scribe of Room n" form with the members (it sends a socket op). */
function addScribeForm(element, card) {
  const form = clone("tpl-scribe");
  const select = field(form, "scribe-select");
  select.id = `scribe-${card.number}`;
  const label = field(form, "scribe-label");
  label.htmlFor = select.id;
  label.textContent = fmt(L.scribe_of, { room: card.name });
  field(form, "scribe-room").textContent = ` ${fmt(L.of_room, { room: card.name })}`;
  element.querySelector(".card-body").append(form);
  return select;
}

function drawSummary() {
  const ids = new Set();
  for (const card of ctx.cards.values()) for (const id of card.online || []) ids.add(id);
  $("[data-online-count]").textContent = String(ids.size);
  if (ctx.workshop.participant_count !== null) {
    $("[data-participant-total]").textContent = String(ctx.workshop.participant_count);
  }
  const counted = new Map();
  for (const card of ctx.cards.values()) counted.set(card.step, (counted.get(card.step) || 0) + 1);
  let phrases = STEPS.filter((step) => counted.get(step)).map((step) => {
    const n = counted.get(step);
    return fmt(page.step_phrases[step][n === 1 ? 0 : 1], { n });
  });
  if (page.phase_summary) phrases = [page.phase_summary]; // the rooms have stopped
  $("[data-rooms-per-step]").textContent = phrases.length ? phrases.join(", ") : L.nothing_per_step;
  helpRows(byId("help-list"), ctx.help, true);
  show(byId("help-empty"), ctx.help.length === 0);
  const timer = ctx.workshop.timer;
  $("[data-timer-status]").textContent = timer ? fmt(L.timer_all, { label: timer.label || "" }) : "";
}

// Acknowledging help, from a card or from the list at the side.
document.addEventListener("click", (event) => {
  const button = event.target.closest('[data-action="acknowledge"]');
  if (!button) return;
  button.disabled = true;
  const request = Number(button.closest("[data-key]").dataset.key);
  runOp("help.acknowledge", { request }).then((ack) => { if (!ack) button.disabled = false; });
});

// -- clocks ---------------------------------------------------------------------------------

function tickCard(card, element) {
  const timer = card.timer || ctx.workshop.timer;
  const deadline = (timer && timer.ends_at) || card.step_ends_at;
  const left = field(element, "time-left");
  if (page.phase_summary) {
    // The rooms have stopped: their step's clock no longer runs.
    left.textContent = L.stopped;
    left.removeAttribute("datetime");
    left.classList.remove("text-danger");
  } else if (!deadline) {
    left.textContent = L.no_deadline;
    left.removeAttribute("datetime");
  } else {
    const seconds = Math.round((Date.parse(deadline) - Date.now()) / 1000);
    left.setAttribute("datetime", deadline);
    left.textContent = seconds > 0 ? fmt(L.time_left, { time: clock(seconds) }) : L.time_up;
    left.classList.toggle("text-danger", seconds <= 0);
  }
  const activity = field(element, "activity");
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

export function tick() {
  for (const card of ctx.cards.values()) {
    const element = cardElement(card.number);
    if (element) tickCard(card, element);
  }
  const box = $("[data-closing-box]");
  const closing = ctx.workshop.closing_at;
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

// -- sent messages --------------------------------------------------------------------------

function fillBroadcast(li, broadcast) {
  const target = broadcast.room ? fmt(L.room, { n: broadcast.room }) : L.all_rooms;
  fill(li, { target: `${target}:`, message: broadcast.message });
  const time = field(li, "time");
  if (broadcast.created_at && time.getAttribute("datetime") !== broadcast.created_at) {
    time.setAttribute("datetime", broadcast.created_at);
    localiseTime(time);
  }
}

export function drawBroadcasts(list) {
  syncList(byId("broadcast-list"), list, { key: (b) => b.id, create: () => clone("tpl-broadcast"), update: fillBroadcast });
}

export function addBroadcast(broadcast) {
  const list = byId("broadcast-list");
  if (!broadcast || list.querySelector(`[data-key="${broadcast.id}"]`)) return;
  const row = clone("tpl-broadcast");
  row.dataset.key = broadcast.id;
  fillBroadcast(row, { created_at: new Date().toISOString(), ...broadcast });
  list.prepend(row);
}

/** Every card is drawn from the socket's `state` (the server drew the tiles; this adds members, presence, clocks). */
export function drawAll() {
  for (const number of ctx.cards.keys()) dirty.add(number);
  touch(null);
  tick();
}

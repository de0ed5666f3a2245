// The facilitators' control room. The server draws every room as a tile
// (breakouts/control_markup.py); the control socket's `state` brings the cards'
// data (members, presence, previews) and its events keep them current; this patches the
// tiles in place: drawing in control/cards.js, the forms in control/forms.js.

import { connectLive } from "./live.js";
import { readJson, showStatus } from "./dom.js";
import { ctx, cardElement } from "./control/context.js";
import { touch, tick, drawAll, drawBroadcasts, addBroadcast } from "./control/cards.js";
import { drawMoveForm } from "./control/forms.js";

const page = readJson("control-page", {});
let leaving = false;
window.addEventListener("beforeunload", () => { leaving = true; });

function reload() {
  if (leaving) return;
  leaving = true;
  window.location.reload();
}

/** A phase change lands on the page of the new phase: the end of breakouts on the plenary. */
function phaseMoved(phase) {
  if (phase === "plenary" && page.phase === "breakouts" && !leaving) {
    leaving = true;
    window.location.assign(page.plenary_url);
  } else reload();
}

function activity(card) {
  card.last_activity_at = new Date().toISOString();
}

function onState(frame) {
  ctx.workshop = frame.workshop || ctx.workshop;
  if (ctx.workshop.phase !== page.phase) {
    phaseMoved(ctx.workshop.phase); // the phase controls on this page are stale
    return;
  }
  for (const room of frame.rooms || []) {
    if (!cardElement(room.number)) {
      reload(); // rooms were created since this page was drawn
      return;
    }
    ctx.cards.set(room.number, room);
  }
  ctx.help = frame.help || [];
  drawBroadcasts(frame.broadcasts || []);
  drawMoveForm();
  drawAll();
}

function onEvent(event) {
  const card = event.scope === "room" ? ctx.cards.get(event.room) : null;
  if (event.scope === "room" && !card) {
    ctx.live.sync();
    return;
  }
  const times = event.step_started_at
    ? { step_started_at: event.step_started_at, step_ends_at: event.step_ends_at } : {};
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
      Object.assign(card, { step: event.step }, times);
      break;
    case "challenge.changed":
      card.challenge = event.challenge;
      Object.assign(card, times);
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
      ctx.help = [...ctx.help, event.request];
      break;
    case "help.acknowledged":
      card.help = (card.help || []).filter((r) => r.id !== event.request.id);
      ctx.help = ctx.help.filter((r) => r.id !== event.request.id);
      break;
    case "timer.changed":
      if (card) card.timer = event.timer;
      else {
        ctx.workshop.timer = event.timer;
        for (const number of ctx.cards.keys()) touch(number);
      }
      touch(card ? card.number : null);
      return;
    case "broadcast":
      addBroadcast(event.broadcast);
      if (!card) return;
      break;
    case "breakouts.closing":
      ctx.workshop.closing_at = event.closing_at;
      tick();
      return;
    case "phase.changed":
      ctx.workshop.phase = event.phase;
      if (event.phase !== page.phase) phaseMoved(event.phase);
      return;
    case "participant.joined":
    case "participant.left":
      if (ctx.workshop.participant_count !== null) {
        ctx.workshop.participant_count += event.type === "participant.joined" ? 1 : -1;
      }
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

tick(); // the cards' own data (and clocks) come with the socket's `state`
setInterval(tick, 1000);
ctx.live = connectLive({
  url: readJson("ws-path"),
  onState,
  onEvent,
  onStatus: (s) => showStatus(document.querySelector("[data-live-status]"), s),
});

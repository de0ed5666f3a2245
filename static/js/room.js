// The breakout room page. The server draws the room as it is (templates/breakouts/room.html);
// this follows the live socket (static/js/live.js) and patches the page in place, one module
// per part: room/header.js, room/step.js, room/items.js, room/votes.js (shared: room/context.js).

import { connectLive } from "./live.js";
import { byId, fmt, keepFocus, readJson, showStatus } from "./dom.js";
import { ctx, L, room, me, banner, stepIndex, stepLabel } from "./room/context.js";
import { renderMembers, renderSteps, renderChallenges, renderScribe, renderHelpWaiting, tick }
  from "./room/header.js";
import { renderStepChrome, renderNote, noteEdited, noteReplaced, noteSnapshot, hideConflict, moveStep }
  from "./room/step.js";
import { apply, fromChanges } from "./textops.js";
import { renderItems } from "./room/items.js";
import { renderVotes, renderSelection } from "./room/votes.js";

// Where the keyboard goes when what had focus disappears (a vote button that is now disabled,
// an offer that was accepted, the step that changed): the nearest control still there.
function focusFallback(lost) {
  const row = lost.closest && lost.closest("[data-key]");
  if (row && row.isConnected) {
    const sibling = [...row.querySelectorAll("button, input, select, textarea")]
      .find((node) => !node.disabled && node.checkVisibility());
    if (sibling) return sibling;
  }
  if (lost.id === "scribe-accept" && !byId("note-input").hidden) return byId("note-input");
  if (lost.closest && lost.closest("#votes-section") && !byId("votes-section").hidden) return byId("votes-heading");
  if (lost.closest && lost.closest("#step-controls")) {
    const other = lost.id === "step-next" ? byId("step-prev") : byId("step-next");
    if (!other.disabled && !byId("step-controls").hidden) return other;
  }
  return byId("step-heading");
}

function renderAll() {
  keepFocus(() => {
    renderMembers();
    renderSteps();
    renderChallenges();
    renderStepChrome();
    renderNote();
    renderItems();
    renderVotes();
    renderSelection();
    renderScribe();
    tick();
  }, focusFallback);
}

/** True while this person has typed something not yet sent into a form of the viewed step. */
function typingHere() {
  const active = document.activeElement;
  if (!active || !active.form || !byId("step-panel").contains(active)) return false;
  return [...active.form.elements].some((control) => control.name && control.type !== "select-one"
    && control.value && control.value !== control.defaultValue);
}

function setViewStep(step) {
  ctx.viewStep = step;
  ctx.editing = null;
  hideConflict();
  renderAll();
}

for (const button of document.querySelectorAll("[data-view-step]")) {
  button.addEventListener("click", () => setViewStep(button.dataset.viewStep));
}
byId("elsewhere-go").addEventListener("click", () => {
  setViewStep(room().step);
  byId("step-heading").focus();
});
byId("step-prev").addEventListener("click", () => moveStep(-1));
byId("step-next").addEventListener("click", () => moveStep(1));

/** Tells screen readers, once, what changed for the whole room (not every keystroke). */
function announce(text) {
  byId("announce").textContent = text;
}

function stepMoved(step, times) {
  const r = room();
  announce(fmt(L.step_moved, { n: stepIndex(step) + 1, label: stepLabel(step) }));
  // Follow the room unless this person looks at another step on purpose, or is typing there
  // (then "the room is on step n" offers the way, and nothing they typed is lost).
  const following = ctx.viewStep === r.step && !typingHere();
  Object.assign(r, { step, ...times });
  if (following) setViewStep(step);
  else renderAll();
}

function onEvent(event) {
  const r = room();
  const times = event.step_started_at
    ? { step_started_at: event.step_started_at, step_ends_at: event.step_ends_at } : {};
  switch (event.type) {
    case "note.changed":
      r.notes[event.step] = { text: event.text, note_rev: event.note_rev, by: event.by };
      noteReplaced(event);
      return;
    case "note.edited": {
      const before = (r.notes[event.step] || { text: "" }).text;
      let op;
      try {
        op = fromChanges(before.length, event.changes);
      } catch (e) {
        ctx.live.sync(); // our copy disagrees with the server's: take its snapshot
        return;
      }
      r.notes[event.step] = { text: apply(before, op), note_rev: event.note_rev, by: event.by };
      noteEdited(event, op);
      return;
    }
    case "presence.changed":
      r.online = event.online;
      renderMembers();
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
      if (ctx.editing === event.item) ctx.editing = null;
      break;
    case "votes.changed":
      r.votes.tallies = event.tallies;
      r.votes.voters = event.voters;
      r.votes.hidden = Boolean(event.hidden);
      if (event.participant === me()) r.votes.mine = event.votes;
      break;
    case "step.changed":
      stepMoved(event.step, times);
      return;
    case "challenge.changed":
      r.challenge = event.challenge;
      if (event.challenge) announce(fmt(L.challenge_chosen, { title: event.challenge.title }));
      Object.assign(r, times);
      ctx.proposals.clear();
      break;
    case "challenges.changed":
      ctx.state.workshop.challenges = event.challenges || [];
      break;
    case "challenge.proposed":
      ctx.proposals.set(event.challenge, event.by);
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
      break;
    case "members.changed":
      r.members = event.members;
      if ("scribe" in event) r.scribe = event.scribe;
      break;
    case "help.requested":
      r.help = [event.request, ...(r.help || [])];
      if (event.request.participant === me()) byId("help-status").textContent = L.help_sent;
      break;
    case "help.acknowledged":
      r.help = (r.help || [])
        .map((request) => (request.id === event.request.id ? event.request : request));
      byId("help-status").textContent = L.help_on_way;
      banner(L.help_on_way, "success");
      break;
    case "timer.changed":
      if (event.scope === "room") r.timer = event.timer || null;
      else ctx.state.workshop.timer = event.timer || null;
      // Said once when it starts (the chip itself never talks; "Time is up" is a toast).
      if (event.timer && event.timer.ends_at) {
        announce(fmt(L.timer_started, { label: event.timer.label || L.timer_default }));
      }
      break;
    case "broadcast":
      banner(event.message || "", "info", L.broadcast);
      return;
    case "phase.changed":
      ctx.state.workshop.phase = event.phase;
      if (event.phase !== "breakouts") banner(L.plenary, "warning");
      return;
    case "room.assigned":
      // A new round's room may have this room's number (same URL): reload into it.
      if (event.url === window.location.pathname) window.location.reload();
      else if (event.url) window.location.assign(event.url);
      return;
    default:
      return;
  }
  renderAll();
}

function onState(frame) {
  if (!frame.room) {
    window.location.reload(); // no longer in this room: the server sends us where we belong
    return;
  }
  const previous = ctx.state.room.step;
  const following = ctx.viewStep === previous && !(frame.room.step !== previous && typingHere());
  ctx.state = frame;
  if (following) ctx.viewStep = frame.room.step;
  noteSnapshot();
  renderAll();
  renderHelpWaiting();
}

renderAll();
renderHelpWaiting();
setInterval(tick, 1000);
ctx.live = connectLive({
  url: readJson("ws-path"),
  onState,
  onEvent,
  onStatus: (s) => showStatus(document.querySelector("[data-live-status]"), s),
});

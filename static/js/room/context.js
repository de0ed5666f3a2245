// What every part of the room page shares: the room's state (the snapshot the page was drawn
// from, kept current by events), who is looking, which step they view, and the socket.

import { readJson, byId, clone, fill, fmt } from "../dom.js";

export const page = readJson("room-page", {});
export const L = page.labels || {};
export const ITEM_STEPS = ["root_causes", "alternatives", "plan"];

export const ctx = {
  state: readJson("room-state"),
  viewStep: null, // the step this person looks at (the room's own step unless they look back)
  editing: null, // the id of the item being edited here
  proposals: new Map(), // challenge id → participant id who proposed it
  live: null,
};
ctx.viewStep = ctx.state.room.step;

export const room = () => ctx.state.room;
export const me = () => (ctx.state.me.participant ? ctx.state.me.participant.id : null);
export const canWrite = () => ["member", "facilitator"].includes(ctx.state.me.role);
export const isScribe = () =>
  ctx.state.me.role === "facilitator" || (me() !== null && room().scribe === me());
export const canVote = () => me() !== null && canWrite();
export const member = (id) => room().members.find((m) => m.id === id);
export const memberName = (id) => (member(id) ? member(id).name : L.nobody);
export const stepLabel = (step) => (room().steps.find((s) => s.step === step) || { label: step }).label;
export const stepIndex = (step) => room().steps.findIndex((s) => s.step === step);
export const mayEdit = (item) => canWrite() && (isScribe() || (me() !== null && item.author === me()));

/** Sends an op; resolves to its ack, or to null when refused (the refusal shows as a banner). */
export function send(op, fields) {
  return ctx.live.send(op, fields).catch((frame) => {
    failed(frame);
    return null;
  });
}

export function failed(frame) {
  if (frame && frame.message && frame.code !== "conflict") {
    banner(fmt(L.error, { message: frame.message }), "danger");
  }
}

/** A dismissible message at the top of the room (markup: templates/breakouts/_workshop_signals.html). */
export function banner(text, tone = "info", heading = null) {
  const box = clone("tpl-signals-banner");
  box.classList.add(`alert-${tone}`);
  fill(box, { heading: heading ? `${heading}: ` : "", text });
  box.querySelector("button").addEventListener("click", () => box.remove());
  byId("banners").prepend(box);
  // Messages are toasts: they stay listed under "Messages from the facilitator" (its counter),
  // so good news goes away by itself; warnings and refusals stay until dismissed.
  if (tone === "info" || tone === "success") setTimeout(() => box.remove(), 12000);
}

// What the control room's modules share: the page's texts, every room's card data (as in
// breakouts/control_state.py room_cards, from the control socket's `state`: the page itself
// carries only the drawn tiles), the workshop's timer/closing state, open help requests.

import { readJson, byId, fmt } from "../dom.js";

export const page = readJson("control-page", {});
export const L = page.labels || {};
export const STEPS = (page.steps || []).map((s) => s.step);
export const stepLabel = (step) => ((page.steps || []).find((s) => s.step === step) || { label: step }).label;

export const ctx = {
  cards: new Map(), // filled by the socket's `state` (control.js onState)
  workshop: {
    phase: page.phase, timer: page.timer, closing_at: page.closing_at,
    participant_count: page.participant_count ?? null,
  },
  help: readJson("control-help", []), // open requests, oldest first
  live: null,
};

export const cardElement = (number) => document.querySelector(`[data-room-grid] [data-room="${number}"]`);

export function memberName(id) {
  for (const card of ctx.cards.values()) {
    const found = card.members.find((m) => m.id === id);
    if (found) return found.name;
  }
  return L.nobody;
}

export function showError(target, frame) {
  if (target) target.textContent = fmt(L.error, { message: (frame && frame.message) || "?" });
}

/** Sends an op; a refusal is written into `target` (the run error line by default). */
export function runOp(op, fields = {}, target = byId("run-error")) {
  if (target) target.textContent = "";
  return ctx.live.send(op, fields).catch((frame) => {
    showError(target, frame);
    return null;
  });
}

// The step being viewed: its title and prompt, the scribe's step buttons, "the room is
// elsewhere", and the scribe's note (written by the scribe, read live by everyone else).

import { byId, show, fmt } from "../dom.js";
import { ctx, L, page, room, me, isScribe, stepLabel, stepIndex, send, failed } from "./context.js";

export function renderStepChrome() {
  const r = room();
  const heading = byId("step-heading");
  if (heading.textContent !== stepLabel(ctx.viewStep)) heading.textContent = stepLabel(ctx.viewStep);
  byId("step-prompt").textContent = (page.prompts || {})[ctx.viewStep] || "";
  const elsewhere = ctx.viewStep !== r.step;
  show(byId("elsewhere"), elsewhere);
  if (elsewhere) {
    byId("elsewhere-text").textContent = fmt(L.room_elsewhere, {
      viewing: stepIndex(ctx.viewStep) + 1, current: stepIndex(r.step) + 1,
    });
    byId("elsewhere-go").textContent = fmt(L.go_to_step, { label: stepLabel(r.step) });
  }
  show(byId("step-controls"), isScribe());
  const index = stepIndex(r.step);
  byId("step-prev").disabled = index <= 0;
  byId("step-next").disabled = index >= r.steps.length - 1;
  const next = r.steps[index + 1];
  byId("step-next-label").textContent = next ? `: ${next.label}` : "";
}

export function moveStep(offset) {
  const steps = room().steps.map((s) => s.step);
  const next = steps[steps.indexOf(room().step) + offset];
  if (next) send("step.set", { step: next });
}

// -- the note -------------------------------------------------------------------------------

const noteInput = byId("note-input");
const noteView = byId("note-view");
let noteTimer = null;
let lastTyping = 0;
let typingUntil = 0;
let typingStep = null;

export function renderNote() {
  const note = room().notes[ctx.viewStep] || { text: "", note_rev: 0 };
  const scribe = isScribe();
  show(noteInput, scribe);
  show(noteView, !scribe);
  if (scribe) {
    // Never overwrite what the scribe is typing: their own writes are acked, not echoed.
    if (document.activeElement !== noteInput || noteInput.dataset.step !== ctx.viewStep) {
      if (noteInput.value !== note.text) noteInput.value = note.text;
    }
    noteInput.dataset.step = ctx.viewStep;
  } else {
    const text = note.text || L.note_empty;
    if (noteView.textContent !== text) noteView.textContent = text;
    noteView.classList.toggle("text-body-secondary", !note.text);
  }
  const typing = !scribe && typingStep === ctx.viewStep && Date.now() < typingUntil;
  byId("typing").textContent = typing ? L.typing : "";
}

export function someoneTyping(event) {
  if (event.participant === me()) return;
  typingUntil = Date.now() + 3000;
  typingStep = event.step;
  renderNote();
  setTimeout(renderNote, 3100);
}

function sendNote() {
  const step = noteInput.dataset.step;
  const text = noteInput.value;
  const base = (room().notes[step] || {}).note_rev || 0;
  ctx.live.send("note.set", { step, text, base_rev: base }, { coalesce: `note:${step}` })
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
  byId("note-conflict-text").textContent = mine;
  byId("note-use-mine").onclick = () => {
    noteInput.value = mine;
    hideConflict();
    sendNote();
    noteInput.focus();
  };
  show(byId("note-conflict"), true);
}

export function hideConflict() {
  show(byId("note-conflict"), false);
}

noteInput.addEventListener("input", () => {
  clearTimeout(noteTimer);
  noteTimer = setTimeout(sendNote, 250);
  const now = Date.now();
  if (now - lastTyping > 1500) {
    lastTyping = now;
    ctx.live.send("typing", { step: noteInput.dataset.step });
  }
});

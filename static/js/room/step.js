// The step being viewed: its title and prompt, the scribe's step buttons, "the room is
// elsewhere", and the scribe's note (written by the scribe, read live by everyone else).

import { byId, show, fmt } from "../dom.js";
import { ctx, L, page, room, isScribe, stepLabel, stepIndex, send } from "./context.js";
import * as editor from "./note_editor.js";

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
// The scribe's textarea streams its edits (room/note_editor.js); everyone else reads the note
// grow as it is typed, scrolled to the newest text unless they scrolled up to read.

const noteInput = byId("note-input");
const noteView = byId("note-view");

export function renderNote() {
  const note = room().notes[ctx.viewStep] || { text: "", note_rev: 0 };
  const scribe = isScribe();
  show(noteInput, scribe);
  show(noteView, !scribe);
  if (scribe) {
    if (editor.editing() !== ctx.viewStep) {
      editor.startEditing(noteInput, ctx.viewStep, showConflict); // draws the note (or draft)
      noteInput.dataset.step = ctx.viewStep;
    }
  } else {
    const text = note.text || L.note_empty;
    const atEnd = noteView.scrollTop + noteView.clientHeight >= noteView.scrollHeight - 8;
    if (noteView.textContent !== text) noteView.textContent = text;
    noteView.classList.toggle("text-body-secondary", !note.text);
    if (atEnd) noteView.scrollTop = noteView.scrollHeight;
  }
}

/** A `note.edited` event: the room's copy of the note is updated first (room.js). */
export function noteEdited(event, op) {
  editor.edited(event, op);
  if (event.step === ctx.viewStep) renderNote();
}

export function noteReplaced(event) {
  editor.replaced(event);
  if (event.step === ctx.viewStep) renderNote();
}

export const noteSnapshot = () => editor.snapshot();

function showConflict(mine) {
  byId("note-conflict-text").textContent = mine;
  byId("note-use-mine").onclick = () => {
    noteInput.value = mine;
    hideConflict();
    editor.typed();
    noteInput.focus();
  };
  show(byId("note-conflict"), true);
}

export function hideConflict() {
  show(byId("note-conflict"), false);
}

noteInput.addEventListener("input", editor.typed);
window.addEventListener("pagehide", editor.flush);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") editor.flush();
});

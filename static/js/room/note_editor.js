// The scribe's note editor: streams the textarea as `note.edit` frames while they type
// (docs/protocol.md, "Note edits").
//
// - At most one edit frame per THROTTLE_MS while typing (a throttle, not a debounce): the
//   keystrokes in between merge into one replace range. One edit is in flight at a time; the
//   next leaves when its event comes back (the server's order), so its base includes it.
// - Every keystroke is saved at once in localStorage (the draft: what the server has or will
//   have, the edit in flight, and the textarea); pagehide / visibilitychange send what they
//   can at once; after a reload the draft is merged with the server's note and sent.
// - Others' edits (another tab, a facilitator) are transformed over ours and applied to the
//   textarea with the caret kept in place (static/js/textops.js).
import * as ot from "../textops.js";
import { newOpId, tabId } from "../ids.js";
import { ctx, room } from "./context.js";

const THROTTLE_MS = 175;

let input = null; // the textarea
let step = null; // the step it edits
let shadow = ""; // the note as the server has it once our edit in flight lands
let base = 0; // the note revision `shadow` is based on (without the edit in flight)
let inflight = null; // {id, op}: sent, its event not back yet
let merging = false; // after a snapshot or a reload: wait for the edit in flight, then merge
let lastSent = 0;
let timer = null;
let onConflict = () => {};

const draftKey = (s) => `roundtable.note:${window.location.pathname}:${tabId()}:${s}`;
const serverNote = () => room().notes[step] || { text: "", note_rev: 0 };

function saveDraft() {
  if (!step) return;
  try {
    if (!inflight && input.value === shadow && !merging) window.localStorage.removeItem(draftKey(step));
    else {
      window.localStorage.setItem(draftKey(step), JSON.stringify({
        shadow, base, text: input.value, inflight: inflight && inflight.id,
      }));
    }
  } catch (e) {
    // storage full or disabled: the text still lives in the page
  }
}

/** Sets the textarea's text by an operation on it, keeping the caret where it was. */
function applyToInput(op) {
  if (!op.length) return;
  const { selectionStart: start, selectionEnd: end, selectionDirection: direction } = input;
  const focused = document.activeElement === input;
  input.value = ot.apply(input.value, op);
  if (focused) input.setSelectionRange(ot.transformIndex(op, start), ot.transformIndex(op, end), direction);
}

/** Starts editing `s` in `textarea`: draws its note, or this tab's unsent draft of it. */
export function startEditing(textarea, s, conflictHandler) {
  input = textarea;
  onConflict = conflictHandler;
  if (step === s) return;
  if (step !== null) flush(); // what was typed in the step left behind leaves now (or its draft stays)
  clearTimeout(timer);
  step = s;
  inflight = null;
  const note = serverNote();
  shadow = note.text;
  base = note.note_rev;
  merging = false;
  if (input.value !== note.text) input.value = note.text;
  let draft = null;
  try {
    draft = JSON.parse(window.localStorage.getItem(draftKey(s)) || "null");
  } catch (e) {
    draft = null;
  }
  if (draft && typeof draft.text === "string") {
    // What this tab typed before a reload: shown at once, merged when the socket is live.
    ({ shadow, base } = draft);
    input.value = draft.text;
    inflight = draft.inflight ? { id: draft.inflight, op: null } : null;
    merging = true;
    if (ctx.live && ctx.live.status === "live") snapshot();
  }
}

export const editing = () => step;

/** A keystroke (or paste, cut, undo) in the textarea. */
export function typed() {
  saveDraft();
  pump(false);
}

/** Sends what is pending now if it may leave (pagehide, visibilitychange). */
export function flush() {
  saveDraft();
  pump(true);
}

function pump(now) {
  clearTimeout(timer);
  if (!step || inflight || merging) return;
  const change = ot.diff(shadow, input.value);
  if (!change) return saveDraft();
  const wait = lastSent + THROTTLE_MS - Date.now();
  if (wait > 0 && !now) {
    timer = setTimeout(() => pump(false), wait);
    return;
  }
  const [from, to, text] = change;
  const op = ot.replace(shadow.length, from, to, text);
  const sentStep = step;
  const id = newOpId();
  lastSent = Date.now();
  inflight = { id, op };
  shadow = ot.apply(shadow, op);
  saveDraft(); // before sending: the outbox and the draft agree on what is in flight
  ctx.live.send("note.edit", { id, step, from, to, text, base_rev: base })
    .then((ack) => settled(sentStep, id, ack), (frame) => settled(sentStep, id, frame));
}

function settled(sentStep, id, frame) {
  if (sentStep !== step) return;
  if (frame && frame.type === "error") {
    // Refused: the server's note is shown, and what this tab had is offered beside it.
    if (inflight && inflight.id === id) conflict(frame.current || serverNote());
  } else if (inflight && inflight.id === id) {
    inflight = null; // acked without its event: a resend the server had stored already
    if (frame && frame.rev > base) base = frame.rev;
  }
  if (merging) merge();
  saveDraft();
  pump(false);
}

function conflict(current) {
  const mine = input.value;
  inflight = null;
  merging = false;
  shadow = current.text;
  base = current.note_rev;
  applyToInput(ot.diffOp(input.value, current.text));
  saveDraft();
  if (mine !== current.text) onConflict(mine);
}

/** A `note.edited` of the step being edited; `op` is its operation on the server's text. */
export function edited(event, op) {
  if (event.step !== step || merging) return;
  if (inflight && event.edit === inflight.id) {
    inflight = null; // ours, in the server's order: the next edit may leave
    base = event.note_rev;
    saveDraft();
    pump(false);
    return;
  }
  let remote = op;
  if (inflight) [inflight.op, remote] = ot.transform(inflight.op, remote);
  else base = event.note_rev;
  const [, onInput] = ot.transform(ot.diffOp(shadow, input.value), remote);
  shadow = ot.apply(shadow, remote);
  applyToInput(onInput);
  saveDraft();
}

/** A whole write (`note.changed`, from `note.set`) of the step being edited. */
export function replaced(event) {
  if (event.step !== step || merging || inflight || input.value !== shadow) return;
  applyToInput(ot.diffOp(input.value, event.text));
  shadow = event.text;
  base = event.note_rev;
  saveDraft();
}

/** A new snapshot (connect, reconnect, sync): merge what this tab has not stored yet. */
export function snapshot() {
  if (!step) return;
  if (!inflight && input.value === shadow && !merging) {
    const note = serverNote();
    applyToInput(ot.diffOp(input.value, note.text));
    shadow = note.text;
    base = note.note_rev;
    return;
  }
  merging = true;
  if (!inflight) return merge();
  const { id } = inflight;
  ctx.live.whenSettled(id).then((frame) => settled(step, id, frame));
}

/** Three-way merge: the server's note now, ours since `shadow`: both kept. */
function merge() {
  if (inflight) return;
  merging = false;
  const note = serverNote();
  const [, theirs] = ot.transform(ot.diffOp(shadow, input.value), ot.diffOp(shadow, note.text));
  applyToInput(theirs);
  shadow = note.text;
  base = note.note_rev;
  saveDraft();
}

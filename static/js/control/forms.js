// The facilitator's forms: broadcast, timer, advance all rooms, move a participant (each a
// native <dialog> opened from the tools bar), set a room's scribe, and the phase buttons
// (close breakouts, skip, cancel, reopen).

import { $, fmt, setOptions } from "../dom.js";
import { ctx, L, page, runOp } from "./context.js";

/** Sends a form's op; a refusal goes into the form's own status line. Done, the form's
 * dialog closes (focus returns to the tool that opened it) and the page's status says so. */
function submitOp(form, op, fields, after) {
  const status = $("[data-form-status]", form);
  if (status) status.textContent = "";
  return runOp(op, fields, status || undefined).then((ack) => {
    if (!ack) return;
    const dialog = form.closest("dialog");
    if (dialog && dialog.open) {
      dialog.close();
      const pageStatus = $("[data-tools-status]");
      if (pageStatus) pageStatus.textContent = L.sent;
    } else if (status) status.textContent = L.sent;
    if (after) after(ack);
  });
}

for (const button of document.querySelectorAll("[data-open-dialog]")) {
  button.addEventListener("click", () => {
    const dialog = document.getElementById(button.dataset.openDialog);
    $("[data-form-status]", dialog).textContent = "";
    dialog.showModal();
  });
}
for (const button of document.querySelectorAll("[data-close-dialog]")) {
  button.addEventListener("click", () => button.closest("dialog").close());
}

const roomValue = (select) => (select.value ? Number(select.value) : null);

/** The "Move a participant" list follows the rooms' members; the forms' room lists follow the
 * rooms (both come with the socket's `state`: they send socket ops). */
export function drawMoveForm() {
  const rooms = [...ctx.cards.values()].map((card) => [String(card.number), card.name]);
  for (const select of document.querySelectorAll("[data-room-select]")) {
    setOptions(select, [["", L.all_rooms], ...rooms]);
  }
  setOptions($("[data-move-room]"), rooms);
  const select = $("[data-move-participant]");
  const groups = [...ctx.cards.values()].map((card) => [fmt(L.room, { n: card.number }), card.members]);
  const keep = select.value;
  const same = select.children.length === groups.length && groups.every(([label, members], i) => {
    const group = select.children[i];
    return group.label === label && group.children.length === members.length
      && members.every((m, j) => group.children[j].value === String(m.id) && group.children[j].text === m.name);
  });
  if (same) return;
  select.replaceChildren(...groups.map(([label, members]) => {
    const group = document.createElement("optgroup");
    group.label = label;
    group.append(...members.map((m) => new Option(m.name, String(m.id))));
    return group;
  }));
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
  const participant = Number($('[data-field="scribe-select"]', form).value);
  runOp("scribe.set", { room: number, participant });
});

const closeButton = $("[data-close-breakouts]");
if (closeButton) closeButton.addEventListener("click", () => runOp("breakouts.close", { seconds: page.closing_seconds }));
$("[data-closing-skip]").addEventListener("click", () => runOp("closing.skip"));
$("[data-closing-cancel]").addEventListener("click", () => runOp("closing.cancel"));
const reopen = $("[data-reopen]");
if (reopen) reopen.addEventListener("click", () => runOp("breakouts.reopen"));

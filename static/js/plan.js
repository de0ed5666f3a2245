// Room planning: drag a person onto another room card (the same move the per-person
// "Move to room" control makes). "Start breakouts" asks in the shared confirmation dialog
// (confirm_dialog.js), and the server asks again without it.

const moveForm = document.getElementById("drag-move-form");

for (const member of document.querySelectorAll(".plan-member")) {
  member.addEventListener("dragstart", (event) => {
    event.dataTransfer.setData("text/plain", member.dataset.participant);
    event.dataTransfer.effectAllowed = "move";
    member.classList.add("dragging");
  });
  member.addEventListener("dragend", () => member.classList.remove("dragging"));
}

for (const room of document.querySelectorAll(".plan-room")) {
  room.addEventListener("dragover", (event) => {
    event.preventDefault();
    room.classList.add("drop-target");
  });
  room.addEventListener("dragleave", () => room.classList.remove("drop-target"));
  room.addEventListener("drop", (event) => {
    event.preventDefault();
    room.classList.remove("drop-target");
    const participant = event.dataTransfer.getData("text/plain");
    if (!participant || !moveForm) return;
    moveForm.elements.participant.value = participant;
    moveForm.elements.room.value = room.dataset.room;
    moveForm.submit();
  });
}

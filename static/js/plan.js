// Room planning. Every person's "Move" button opens the page's one move dialog for them, and
// a person dragged onto another room card makes the same move. Without this script the button
// asks the server for the page with the dialog open (?move=<id>). "Start breakouts" asks in the
// shared confirmation dialog (confirm_dialog.js), and the server asks again without it.

const dialog = document.getElementById("move-dialog");
const moveForm = document.getElementById("move-form");
const pick = document.getElementById("plan-move-pick");

function roomOf(element) {
  return element.closest(".plan-room")?.dataset.room ?? "";
}

if (dialog && pick) {
  const title = document.getElementById("move-dialog-title");
  pick.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (!button) return;
    event.preventDefault();
    const member = button.closest(".plan-member");
    const name = member.querySelector(".plan-name").textContent;
    title.textContent = title.dataset.titleTemplate.replace("{name}", name);
    moveForm.elements.participant.value = button.value;
    moveForm.elements.room.value = roomOf(member);
    dialog.showModal();
    moveForm.elements.room.focus();
  });
}

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

// Asks before a consequential POST. Forms marked data-confirm="message" open the page's
// <dialog id="confirm-dialog">; confirming adds confirmed=1 and submits. Without this script
// the server shows the same question as a page, so nothing happens unasked either way.

const dialog = document.getElementById("confirm-dialog");

function hiddenInput(name, value) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = value;
  return input;
}

if (dialog) {
  const title = dialog.querySelector("[data-confirm-title]");
  const message = dialog.querySelector("[data-confirm-message]");
  const button = dialog.querySelector("[data-confirm-button]");
  const defaultButton = button.textContent;
  let pending = null;

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !("confirm" in form.dataset)) return;
    if (form.querySelector("input[name='confirmed']")) return;
    event.preventDefault();
    pending = form;
    title.textContent = form.dataset.confirmTitle || "";
    message.textContent = form.dataset.confirm;
    button.textContent = form.dataset.confirmButton || defaultButton;
    button.classList.toggle("btn-danger", "confirmDanger" in form.dataset);
    button.classList.toggle("btn-primary", !("confirmDanger" in form.dataset));
    dialog.returnValue = "";
    dialog.showModal();
  });

  dialog.addEventListener("close", () => {
    const form = pending;
    pending = null;
    if (form && dialog.returnValue === "confirm") {
      form.append(hiddenInput("confirmed", "1"));
      form.submit();
    }
  });
}

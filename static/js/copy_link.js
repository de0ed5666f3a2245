// "Copy link" buttons: data-copy-target names the input whose value goes to the clipboard.

for (const button of document.querySelectorAll("[data-copy-target]")) {
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.copyTarget);
    const status = document.querySelector("[data-copy-status]");
    if (!input) return;
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select(); // Clipboard refused (no permission, http): leave it selected to copy by hand.
      return;
    }
    const label = button.dataset.copiedLabel || "Copied";
    if (status) status.textContent = label;
    const original = button.textContent;
    button.textContent = label;
    setTimeout(() => { button.textContent = original; }, 2000);
  });
}

// The report's "Print or save as PDF" button: the browser's print dialog, with print.css.
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

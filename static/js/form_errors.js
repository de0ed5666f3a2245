// A form sent back with errors: focus its first invalid field, so that keyboard and
// screen-reader users start where the page asks them to fix something (crispy-forms marks
// each field with errors `is-invalid`; its message is the field's description).
const invalid = document.querySelector("main form .is-invalid");
if (invalid && (document.activeElement === document.body || document.activeElement === null)) {
  invalid.focus();
}

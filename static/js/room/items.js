// Items of the viewed step: root causes and alternatives as a list, action items as a table,
// the add form of each step (drawn by the server, only shown or hidden here, so half-typed text
// survives every live change) and an item's edit form (cloned from <template id=tpl-edit-…>).

import { byId, clone, fill, field, show, attr, fmt, syncList, setOptions, dateText } from "../dom.js";
import { ctx, L, page, ITEM_STEPS, room, canWrite, memberName, mayEdit, send } from "./context.js";

const label = (list, value) => ((list || []).find((c) => c.value === value) || { label: value }).label;

function fillActions(row, item) {
  const actions = field(row, "actions");
  show(actions, mayEdit(item));
  attr(actions.querySelector('[data-action="edit"]'), "aria-label", fmt(L.edit_item, { text: item.text }));
  attr(actions.querySelector('[data-action="delete"]'), "aria-label", fmt(L.delete_item, { text: item.text }));
}

function fillEditor(row, item) {
  const editor = field(row, "editor");
  const editing = ctx.editing === item.id;
  row.classList.toggle("editing", editing);
  show(editor, editing);
  // An open edit form is kept as it is: what the person is typing outlives every update.
  if (editing && !editor.firstElementChild) editor.append(editForm(item));
  if (!editing && editor.firstElementChild) editor.replaceChildren();
}

function updateItem(li, item) {
  fill(li, {
    text: item.text, category: label(page.categories, item.category), pros: item.pros, cons: item.cons,
    author: item.author ? memberName(item.author) : "",
  });
  show(field(li, "category"), Boolean(item.category));
  show(li.querySelector('[data-show="pros"]'), Boolean(item.pros));
  show(li.querySelector('[data-show="cons"]'), Boolean(item.cons));
  fillActions(li, item);
  fillEditor(li, item);
}

function updatePlanRow(tr, item) {
  fill(tr, {
    text: item.text, owner: item.owner ? memberName(item.owner) : "", due_date: dateText(item.due_date),
    success_measure: item.success_measure, status: label(page.statuses, item.status),
  });
  attr(field(tr, "due_date"), "datetime", item.due_date || null);
  fillActions(tr, item);
  fillEditor(tr, item);
}

function memberOptions() {
  return [["", `(${L.nobody})`], ...room().members.map((m) => [String(m.id), m.name])];
}

export function renderItems() {
  const step = ctx.viewStep;
  const shown = ITEM_STEPS.includes(step);
  show(byId("items-section"), shown);
  for (const form of document.querySelectorAll("[data-add-form]")) {
    show(form, canWrite() && form.dataset.addForm === step);
  }
  for (const select of document.querySelectorAll("select[data-members]")) setOptions(select, memberOptions());
  if (!shown) return;
  byId("items-heading").textContent = L[`items_${step}`];
  const items = room().items.filter((item) => item.step === step);
  const plan = step === "plan";
  show(byId("items"), !plan);
  show(byId("plan-table"), plan);
  if (plan) {
    syncList(byId("plan-rows"), items, { key: (i) => i.id, create: () => clone("tpl-plan-row"), update: updatePlanRow });
  } else {
    syncList(byId("items"), items, { key: (i) => i.id, create: () => clone("tpl-item"), update: updateItem });
  }
}

// -- forms ----------------------------------------------------------------------------------

function readForm(form) {
  const fields = {};
  for (const control of form.elements) {
    if (!control.name) continue;
    let value = control.value;
    if (control.name === "owner") value = value ? Number(value) : null;
    if (control.name === "due_date") value = value || null;
    fields[control.name] = value;
  }
  return fields;
}

function editForm(item) {
  const form = clone(`tpl-edit-${item.step}`);
  for (const node of form.querySelectorAll("[id], [for]")) {
    for (const name of ["id", "for"]) {
      if (node.hasAttribute(name)) node.setAttribute(name, node.getAttribute(name).replace("__id__", item.id));
    }
  }
  const owner = form.querySelector("select[data-members]");
  if (owner) setOptions(owner, memberOptions());
  for (const control of form.elements) {
    if (!control.name) continue;
    const value = item[control.name];
    control.value = value === null || value === undefined ? "" : String(value);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = readForm(form);
    if (!fields.text.trim()) {
      form.elements.text.focus();
      return;
    }
    ctx.editing = null;
    send("item.update", { item: item.id, base_version: item.version, fields });
    closeEditor(item.id);
  });
  form.querySelector('[data-action="cancel"]').addEventListener("click", () => {
    ctx.editing = null;
    closeEditor(item.id);
  });
  return form;
}

function closeEditor(id) {
  renderItems();
  const row = document.querySelector(`#items-section [data-key="${id}"]`);
  if (row) row.querySelector('[data-action="edit"]').focus();
}

for (const form of document.querySelectorAll("[data-add-form]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = readForm(form);
    if (!fields.text.trim()) {
      form.elements.text.focus();
      return;
    }
    send("item.add", { step: form.dataset.addForm, fields });
    form.reset();
    form.elements.text.focus();
  });
}

byId("items-section").addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  const row = button && button.closest("[data-key]");
  if (!row || !["edit", "delete"].includes(button.dataset.action)) return;
  const id = Number(row.dataset.key);
  if (button.dataset.action === "edit") {
    ctx.editing = id;
    renderItems();
    field(row, "editor").querySelector("input, textarea, select").focus();
  } else if (window.confirm(L.confirm_delete)) {
    send("item.delete", { item: id });
  }
});

// The helpers every page script shares. User text only ever goes in as textContent.
//
// How pages are drawn (one way for every live page): the server renders the page as it is now;
// repeated markup lives in a Django partial that the page also includes once inside a
// <template>. A script patches the page in place: it fills the elements marked `data-field`
// and, for rows that arrive later, clones the <template> (clone + fill). No markup is built
// here, so what a script adds looks exactly like what the server drew.

/** Returns the JSON a template put in `{{ value|json_script:id }}`, or `fallback`. */
export const readJson = (id, fallback = null) => {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : fallback;
};

export const $ = (selector, root = document) => root.querySelector(selector);
export const byId = (id) => document.getElementById(id);

/** Fills a gettext-style template: fmt("%(n)s of %(total)s", {n: 4, total: 6}). */
export const fmt = (template, values) =>
  (template || "").replace(/%\((\w+)\)s/g, (_match, key) => String(values[key] ?? ""));

/** Picks the singular or plural of a translated pair [one, many] and fills it (n is the count). */
export const plural = (pair, values) => fmt(values.n === 1 ? pair[0] : pair[1], values);

/** "m:ss" for a number of seconds (negative counts as 0). */
export function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Returns a copy of the first element of <template id=…>. */
export function clone(id) {
  return byId(id).content.firstElementChild.cloneNode(true);
}

/** Sets the text of every [data-field=name] inside `root` (not the root itself). */
export function fill(root, fields) {
  for (const [name, value] of Object.entries(fields)) {
    for (const node of root.querySelectorAll(`[data-field="${name}"]`)) {
      const text = value === null || value === undefined ? "" : String(value);
      if (node.textContent !== text) node.textContent = text;
    }
  }
  return root;
}

/** A calendar date ("2026-12-01") as everywhere on the site ("Dec 1, 2026" in English). */
export function dateText(iso) {
  if (!iso) return "";
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined,
    { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

/** The first [data-field=name] inside `root`. */
export const field = (root, name) => root.querySelector(`[data-field="${name}"]`);

/** Shows or hides a node (the `hidden` attribute), changing the DOM only when needed. */
export function show(node, visible) {
  if (node && node.hidden === Boolean(visible)) node.hidden = !visible;
}

/** Sets an attribute, or removes it when value is null/false. */
export function attr(node, name, value) {
  if (value === null || value === undefined || value === false) node.removeAttribute(name);
  else if (node.getAttribute(name) !== String(value)) node.setAttribute(name, value === true ? "" : value);
}

/**
 * Makes the keyed children of `container` match `records`, in order: existing rows (marked
 * data-key) are updated in place and kept (so focus and half-typed input inside them survive),
 * new ones are made by `create(record)`, rows of records that are gone are removed.
 */
export function syncList(container, records, { key, create, update }) {
  const existing = new Map();
  for (const child of container.children) if (child.dataset.key) existing.set(child.dataset.key, child);
  const wanted = records.map((record) => {
    const k = String(key(record));
    let node = existing.get(k);
    existing.delete(k);
    if (!node) {
      node = create(record);
      node.dataset.key = k;
    }
    update(node, record);
    return node;
  });
  for (const node of existing.values()) node.remove();
  let previous = null;
  for (const node of wanted) {
    const expected = previous ? previous.nextElementSibling : container.firstElementChild;
    if (expected !== node) container.insertBefore(node, expected);
    previous = node;
  }
}

/** Replaces a <select>'s options by [value, label] pairs, keeping its value when it still exists. */
export function setOptions(select, options, keep = select.value) {
  const same = select.options.length === options.length
    && options.every(([value, label], i) => select.options[i].value === value && select.options[i].text === label);
  if (!same) {
    select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  }
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

function usable(node) {
  if (!node || !node.isConnected || node.disabled) return false;
  return node.checkVisibility ? node.checkVisibility() : node.offsetParent !== null;
}

/**
 * Runs `render`, then puts the keyboard focus back where it makes sense if `render` took it
 * away (the focused control was removed, hidden or disabled): `fallback(lost)` returns the
 * element to focus. Focus never falls to <body>.
 */
export function keepFocus(render, fallback) {
  const before = document.activeElement;
  render();
  if (!before || before === document.body || usable(before)) return;
  const target = fallback(before);
  if (target) target.focus();
}

// Shows a live socket's status (static/js/live.js onStatus) in an element carrying translated
// labels as data attributes:
// <span data-live-status data-live="Connected" data-reconnecting="Reconnecting…"
//       data-offline="Offline — your changes will be sent when you reconnect"></span>
const DEFAULT_LABELS = {
  live: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline — your changes will be sent when you reconnect",
};

export function showStatus(element, status) {
  if (!element) return;
  element.textContent = element.dataset[status] || DEFAULT_LABELS[status] || status;
  element.dataset.status = status;
  element.classList.remove("text-bg-success", "text-bg-warning", "text-bg-secondary");
  const tone = { live: "text-bg-success", reconnecting: "text-bg-warning" }[status];
  element.classList.add(tone || "text-bg-secondary");
}

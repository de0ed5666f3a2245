// Small DOM helpers shared by the live pages. User text only ever goes in as textContent.

/** Returns the JSON a template put in `{{ value|json_script:id }}`, or `fallback`. */
export const readJson = (id, fallback = null) => {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : fallback;
};

export const $ = (selector, root = document) => root.querySelector(selector);

/** Fills a gettext-style template: fmt("%(n)s of %(total)s", {n: 4, total: 6}). */
export const fmt = (template, values) =>
  template.replace(/%\((\w+)\)s/g, (_match, key) => String(values[key] ?? ""));

/** Builds an element: h("li", {class, text, on: {click: fn}, ...attributes}, ...children). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "on") for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

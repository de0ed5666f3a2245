// The live roster shared by the participant lobby and the facilitator's dashboard.
// The server renders the first view; this keeps it current from `state` frames and
// participant.* events. User text is only ever set with textContent.

import { localiseTime } from "./local_times.js";

function byJoinTime(a, b) {
  return String(a.joined_at).localeCompare(String(b.joined_at)) || a.id - b.id;
}

function countBy(people, field) {
  const counts = new Map();
  for (const person of people) {
    const label = person[field];
    if (label) counts.set(label, (counts.get(label) || 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b, undefined, { sensitivity: "base" }));
}

export class RosterView {
  /**
   * root holds: [data-roster] (the list), <template data-roster-row>, [data-roster-total],
   * [data-roster-empty], [data-counts="department"|"location"].
   */
  constructor(root, { people = [], me = null } = {}) {
    this.root = root;
    this.list = root.querySelector("[data-roster]");
    this.template = root.querySelector("template[data-roster-row]");
    this.me = me;
    this.people = new Map(people.map((person) => [person.id, person]));
  }

  setAll(people) {
    this.people = new Map(people.map((person) => [person.id, person]));
    this.render();
  }

  upsert(person) {
    this.people.set(person.id, person);
    this.render();
  }

  remove(id) {
    this.people.delete(id);
    this.render();
  }

  render() {
    const people = [...this.people.values()].sort(byJoinTime);
    this.list.replaceChildren(...people.map((person) => this.row(person)));
    for (const total of this.root.querySelectorAll("[data-roster-total]")) {
      total.textContent = String(people.length);
    }
    const empty = this.root.querySelector("[data-roster-empty]");
    if (empty) empty.hidden = people.length > 0;
    for (const list of this.root.querySelectorAll("[data-counts]")) {
      list.replaceChildren(...countBy(people, list.dataset.counts).map(([label, count]) => {
        const item = document.createElement("li");
        const name = document.createElement("span");
        name.className = "count-label";
        name.textContent = label;
        const badge = document.createElement("span");
        badge.className = "badge text-bg-secondary";
        badge.textContent = String(count);
        item.append(name, " ", badge);
        return item;
      }));
    }
  }

  row(person) {
    const row = this.template.content.firstElementChild.cloneNode(true);
    row.dataset.participantId = String(person.id);
    for (const field of row.querySelectorAll("[data-field]")) {
      const value = person[field.dataset.field] ?? "";
      if (field.tagName === "TIME") {
        field.setAttribute("datetime", value);
        localiseTime(field);
      } else {
        field.textContent = value;
      }
    }
    for (const form of row.querySelectorAll("form[data-action-template]")) {
      form.action = form.dataset.actionTemplate.replace("/0/", `/${person.id}/`);
    }
    const marker = row.querySelector("[data-me-marker]");
    if (marker) marker.hidden = person.id !== this.me;
    row.classList.toggle("is-me", person.id === this.me);
    return row;
  }
}

export function readJson(id, fallback = null) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : fallback;
}

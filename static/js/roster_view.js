// The participant lobby's live roster (the facilitator's dashboard pages its roster on the
// server instead: facilitator_lobby.js).
// The server renders the first view; this keeps it current from `state` frames and
// participant.* events. User text is only ever set with textContent.

import { fill, syncList } from "./dom.js";
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
   * [data-roster-empty], [data-counts="department"|"location"] and <template data-count-row>
   * (templates/workshops/_counts.html).
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
    this.upsertAll([person]);
  }

  upsertAll(people) {
    for (const person of people) this.people.set(person.id, person);
    this.render();
  }

  remove(id) {
    this.people.delete(id);
    this.render();
  }

  render() {
    const people = [...this.people.values()].sort(byJoinTime);
    syncList(this.list, people, {
      key: (person) => person.id,
      create: () => this.template.content.firstElementChild.cloneNode(true),
      update: (row, person) => this.fillRow(row, person),
    });
    for (const total of this.root.querySelectorAll("[data-roster-total]")) {
      total.textContent = String(people.length);
    }
    const empty = this.root.querySelector("[data-roster-empty]");
    if (empty) empty.hidden = people.length > 0;
    const countRow = this.root.querySelector("template[data-count-row]");
    for (const list of this.root.querySelectorAll("[data-counts]")) {
      syncList(list, countBy(people, list.dataset.counts), {
        key: ([label]) => label,
        create: () => countRow.content.firstElementChild.cloneNode(true),
        update: (item, [label, count]) => fill(item, { label, count }),
      });
    }
  }

  fillRow(row, person) {
    row.dataset.participantId = String(person.id);
    for (const field of row.querySelectorAll("[data-field]")) {
      const value = person[field.dataset.field] ?? "";
      if (field.tagName === "TIME") {
        if (field.getAttribute("datetime") === value) continue;
        field.setAttribute("datetime", value);
        localiseTime(field);
      } else if (field.textContent !== String(value)) {
        field.textContent = value;
      }
    }
    for (const form of row.querySelectorAll("form[data-action-template]")) {
      form.action = form.dataset.actionTemplate.replace("/0/", `/${person.id}/`);
    }
    const marker = row.querySelector("[data-me-marker]");
    if (marker) marker.hidden = person.id !== this.me;
    row.classList.toggle("is-me", person.id === this.me);
  }
}

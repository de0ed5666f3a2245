// The outbox of static/js/live.js: ops kept in localStorage until acked.
//
// A browser's tabs share localStorage: each tab saves its own entries merged by op id into
// what is stored, so one tab never erases another tab's pending ops (docs/protocol.md).
// An entry another tab has already acked may come back once; resending it is harmless (the
// server answers a known op id with its stored ack).
export class Outbox {
  constructor(key) {
    this.key = key;
    this.removed = new Set();
    this.entries = this.stored();
  }

  stored() {
    try {
      const raw = window.localStorage.getItem(this.key);
      const entries = raw ? JSON.parse(raw) : [];
      return Array.isArray(entries) ? entries : [];
    } catch (e) {
      return [];
    }
  }

  save() {
    const mine = new Set(this.entries.map((entry) => entry.frame.id));
    const others = this.stored().filter(
      (entry) => entry && entry.frame && !mine.has(entry.frame.id) && !this.removed.has(entry.frame.id),
    );
    const merged = [...others, ...this.entries];
    try {
      if (merged.length) {
        window.localStorage.setItem(this.key, JSON.stringify(merged));
      } else {
        window.localStorage.removeItem(this.key);
      }
    } catch (e) {
      // Storage full or disabled: the ops still live in memory for this page.
    }
  }

  push(entry) {
    this.entries.push(entry);
    this.save();
  }

  remove(id) {
    const before = this.entries.length;
    this.entries = this.entries.filter((entry) => entry.frame.id !== id);
    this.removed.add(id);
    if (this.entries.length !== before) this.save();
    return before !== this.entries.length;
  }

  has(id) {
    return this.entries.some((entry) => entry.frame.id === id);
  }

  countTry(id) {
    const entry = this.entries.find((candidate) => candidate.frame.id === id);
    entry.tries = (entry.tries || 0) + 1;
    this.save();
    return entry.tries;
  }
}

// What the facilitator sends to everyone, on every participant page (room, lobby, plenary):
// broadcast messages (a banner and a list), the facilitator's timer and a gentle alert when it
// ends, the "rooms closing" countdown, and moving to the plenary and back with the workshop.
//
// It opens no socket of its own: static/js/live.js re-dispatches the page socket's frames as
// document events "roundtable:state" and "roundtable:event". The markup and the translated
// texts come from templates/breakouts/_workshop_signals.html. User text is set as textContent.

import { clone, clock, fill, fmt } from "./dom.js";

const root = document.querySelector("[data-workshop-signals]");

const CLOSING_GRACE_MS = 2000;

class Signals {
  constructor(element) {
    this.root = element;
    this.L = element.dataset;
    this.kind = element.dataset.page; // "room" | "lobby" | "plenary"
    this.ownBanners = element.dataset.ownBanners === "1";
    this.ownTimer = element.dataset.ownTimer === "1";
    this.participant = false;
    this.phase = null;
    this.closingAt = null;
    this.timers = { workshop: null, room: null };
    this.alerted = null; // the deadline whose end was already announced
    this.lastLeft = null;
    this.leaving = false;
    this.countdownLabel = document.querySelector("[data-countdown-label]");
    this.stepLabel = this.countdownLabel ? this.countdownLabel.textContent : null;
    this.storageKey = `roundtable.messages:${element.dataset.code}`;
    this.messages = this.load();
    window.addEventListener("beforeunload", () => { this.leaving = true; });
    this.listeners = {
      "roundtable:state": (e) => this.onState(e.detail),
      "roundtable:event": (e) => this.onEvent(e.detail),
      // The page is replaced without a page load (static/js/page_swap.js): the next page
      // has its own copy of this module.
      "roundtable:leave": () => this.stop(),
    };
    for (const [name, listener] of Object.entries(this.listeners)) {
      document.addEventListener(name, listener);
    }
    this.renderMessages();
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  stop() {
    this.leaving = true;
    clearInterval(this.ticker);
    for (const [name, listener] of Object.entries(this.listeners)) {
      document.removeEventListener(name, listener);
    }
  }

  part(name) {
    return this.root.querySelector(`[data-signals-${name}]`);
  }

  // -- messages -----------------------------------------------------------------------------

  load() {
    try {
      const list = JSON.parse(window.sessionStorage.getItem(this.storageKey) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  save() {
    try {
      window.sessionStorage.setItem(this.storageKey, JSON.stringify(this.messages.slice(0, 50)));
    } catch (e) {
      // storage unavailable: the list lives as long as the page
    }
  }

  addMessage(event) {
    const broadcast = event.broadcast || { id: null, message: event.message };
    if (broadcast.id !== null && this.messages.some((m) => m.id === broadcast.id)) return;
    this.messages.unshift({
      id: broadcast.id, message: broadcast.message || event.message || "",
      at: broadcast.created_at || new Date().toISOString(),
    });
    this.save();
    this.renderMessages();
    if (this.ownBanners) this.banner(broadcast.message || event.message || "", "info", this.L.lBroadcast);
  }

  renderMessages() {
    const box = this.part("messages");
    if (!box) return;
    box.hidden = this.messages.length === 0;
    this.part("count").textContent = String(this.messages.length);
    this.part("list").replaceChildren(...this.messages.map((m) => {
      const li = clone("tpl-signals-message");
      const at = new Date(m.at);
      const time = li.querySelector("time");
      time.dateTime = at.toISOString();
      fill(li, { time: at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }), message: m.message });
      return li;
    }));
  }

  banner(text, tone, heading) {
    const box = clone("tpl-signals-banner");
    box.classList.add(`alert-${tone}`);
    fill(box, { heading: heading ? `${heading}: ` : "", text });
    box.querySelector("button").addEventListener("click", () => box.remove());
    this.part("banners").prepend(box);
  }

  // -- frames -------------------------------------------------------------------------------

  onState(frame) {
    const workshop = frame.workshop || {};
    this.participant = Boolean(frame.me && frame.me.participant);
    this.phase = workshop.phase;
    this.closingAt = workshop.closing_at || null;
    this.timers.workshop = workshop.timer || null;
    this.timers.room = (frame.room && frame.room.timer) || null;
    this.follow();
    this.tick();
  }

  onEvent(event) {
    switch (event.type) {
      case "broadcast":
        this.addMessage(event);
        break;
      case "timer.changed":
        this.timers[event.scope === "room" ? "room" : "workshop"] = event.timer || null;
        this.tick();
        break;
      case "breakouts.closing":
        this.closingAt = event.closing_at || null;
        this.tick();
        break;
      case "phase.changed":
        this.phase = event.phase;
        this.closingAt = null;
        this.follow();
        this.tick();
        break;
      default:
        break;
    }
  }

  go(url) {
    if (this.leaving || !url) return;
    this.leaving = true;
    window.location.assign(url);
  }

  follow() {
    // Only a change of phase since the page was drawn moves anyone: a participant may open
    // their room's notes during the plenary on purpose.
    if (!this.participant || !this.phase || this.phase === this.root.dataset.phase) return;
    if (this.phase === "plenary" && this.kind !== "plenary") this.go(this.L.plenaryUrl);
    else if (this.kind === "plenary" && this.phase !== "plenary") this.go(this.L.lobbyUrl);
  }

  // -- clocks -------------------------------------------------------------------------------

  tick() {
    this.tickClosing();
    this.tickTimer();
  }

  tickClosing() {
    const box = this.part("closing");
    const active = this.closingAt && this.phase === "breakouts";
    box.hidden = !active;
    if (!active) return;
    const left = Date.parse(this.closingAt) - Date.now();
    const text = this.part("closing-text");
    text.dateTime = this.closingAt;
    if (left > 0) {
      text.textContent = fmt(this.L.lClosing, { time: clock(Math.round(left / 1000)) });
      return;
    }
    text.textContent = this.L.lClosingNow;
    // The server moves everyone on time; if its news is late, the plenary page itself
    // finishes the closing (breakouts/control.py, finish_closing_if_due).
    if (this.participant && left < -CLOSING_GRACE_MS) this.go(this.L.plenaryUrl);
  }

  tickTimer() {
    const timer = this.timers.room || this.timers.workshop;
    const box = this.part("timer");
    if (this.countdownLabel) {
      this.countdownLabel.textContent = timer && timer.label ? timer.label : this.stepLabel;
    }
    if (!timer || !timer.ends_at) {
      if (box) box.hidden = true;
      this.lastLeft = null;
      return;
    }
    const left = Math.round((Date.parse(timer.ends_at) - Date.now()) / 1000);
    if (box && this.ownTimer) {
      box.hidden = false;
      this.part("timer-label").textContent = timer.label || this.L.lTimer;
      this.part("timer-left").textContent = left > 0 ? clock(left) : this.L.lTimeUp;
      this.part("timer-left").dateTime = timer.ends_at;
    }
    // A gentle alert, once, when a countdown runs out while the page is open.
    if (left <= 0 && this.lastLeft !== null && this.lastLeft > 0 && this.alerted !== timer.ends_at) {
      this.alerted = timer.ends_at;
      this.banner(timer.label ? fmt(this.L.lTimeUpLabel, { label: timer.label }) : this.L.lTimeUp, "warning", null);
    }
    this.lastLeft = left;
  }
}

if (root) new Signals(root);

// One live socket and its guarantees (described in static/js/live.js, which pages import).
import { newOpId, tabId } from "./ids.js";
import { Outbox } from "./outbox.js";

export { newOpId };

const EPHEMERAL = new Set(["typing"]);
const RETRY_LATER = new Set(["rate_limited", "unavailable"]);
// An op the server keeps failing to store (`unavailable`) is tried this many times, with
// growing pauses, then given up: its promise rejects and the page keeps the user's text.
export const MAX_UNAVAILABLE_TRIES = 5;
const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404]);
const OFFLINE_AFTER_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15000;

function socketUrl(url) {
  const tab = tabId();
  const withTab = tab ? `${url}${url.includes("?") ? "&" : "?"}tab=${tab}` : url;
  if (/^wss?:\/\//.test(withTab)) return withTab;
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${withTab}`;
}

function revKey(frame) {
  return frame.scope === "room" ? `room:${frame.room}` : "workshop";
}

export function newConnection({ url, onState, onEvent, onStatus, onError, onPage } = {}) {
  let outbox = new Outbox(`roundtable.outbox:${url}`);
  // Other modules of the page hear the same frames without a second socket: document events
  // "roundtable:state" and "roundtable:event" (e.g. static/js/workshop_signals.js).
  const toPage = (name, handler) => (frame) => {
    if (handler) handler(frame);
    if (typeof document !== "undefined") {
      document.dispatchEvent(new CustomEvent(`roundtable:${name}`, { detail: frame }));
    }
  };
  onState = toPage("state", onState);
  onEvent = toPage("event", onEvent);
  let held = null; // frames kept while the page hands the socket over (hold/resume)
  const pending = new Map(); // op id → {resolve, reject}
  const revs = new Map(); // "workshop" | "room:<n>" → last applied revision
  let sentHere = new Set(); // op ids already sent on the current socket
  let ws = null;
  let ready = false; // a state frame arrived on the current socket
  let syncing = false;
  let buffered = []; // events that arrived while waiting for a snapshot
  let attempts = 0;
  let timer = null;
  let retryTimer = null;
  let closed = false;
  let status = null;

  function setStatus(next, detail) {
    if (next === status) return;
    status = next;
    if (onStatus) onStatus(next, detail || {});
  }

  function raw(frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function settle(id, ok, frame) {
    outbox.remove(id);
    const waiter = pending.get(id);
    if (!waiter) return;
    pending.delete(id);
    if (ok) waiter.resolve(frame);
    else waiter.reject(frame);
  }

  function flushOutbox() {
    if (!ready) return;
    for (const entry of outbox.entries) {
      if (sentHere.has(entry.frame.id)) continue;
      if (!raw(entry.frame)) return;
      sentHere.add(entry.frame.id);
    }
  }

  function applyState(frame) {
    revs.clear();
    revs.set("workshop", frame.rev);
    if (frame.room) revs.set(`room:${frame.room.number}`, frame.room.rev);
    for (const room of frame.rooms || []) revs.set(`room:${room.number}`, room.rev);
    syncing = false;
    const later = buffered;
    buffered = [];
    if (onState) onState(frame);
    for (const event of later) applyEvent(event);
  }

  function applyEvent(frame) {
    if (frame.rev === undefined || frame.rev === null) {
      if (onEvent) onEvent(frame);
      return;
    }
    const key = revKey(frame);
    const known = revs.get(key);
    if (known !== undefined) {
      if (frame.rev <= known) return; // a duplicate, or already part of the last snapshot
      // A coalesced event (`span_from`) stands for the revisions it skipped: not a gap.
      if (frame.rev > known + 1 && !(frame.span_from <= known + 1)) {
        sync();
        buffered.push(frame);
        return;
      }
    }
    revs.set(key, frame.rev);
    if (onEvent) onEvent(frame);
  }

  function receive(frame) {
    if (frame.type === "page") {
      if (onPage) onPage(frame);
    } else if (held) {
      held.push(frame);
    } else {
      handle(frame);
    }
  }

  function handle(frame) {
    switch (frame.type) {
      case "state":
        ready = true;
        attempts = 0;
        setStatus("live");
        applyState(frame);
        flushOutbox();
        return;
      case "ack":
        settle(frame.id, true, frame);
        return;
      case "error":
        if (frame.id && RETRY_LATER.has(frame.code) && outbox.has(frame.id)) {
          const tries = frame.code === "unavailable" ? outbox.countTry(frame.id) : 1;
          if (tries < MAX_UNAVAILABLE_TRIES) {
            sentHere.delete(frame.id);
            clearTimeout(retryTimer);
            retryTimer = setTimeout(flushOutbox, 1000 * 2 ** (tries - 1));
            return;
          }
        }
        if (frame.id && (outbox.has(frame.id) || pending.has(frame.id))) {
          settle(frame.id, false, frame);
        } else if (onError) {
          onError(frame);
        }
        return;
      default:
        if (!ready || syncing) {
          buffered.push(frame);
          return;
        }
        applyEvent(frame);
    }
  }

  function drop() {
    if (!ws) return;
    const old = ws;
    ws = null;
    ready = false;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close(1000);
    } catch (e) {
      // already closing
    }
  }

  function scheduleReconnect() {
    clearTimeout(timer);
    attempts += 1;
    const online = navigator.onLine !== false;
    setStatus(!online || attempts >= OFFLINE_AFTER_ATTEMPTS ? "offline" : "reconnecting");
    if (!online) return; // the "online" event reconnects
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2); // jitter: no reconnect storms
    timer = setTimeout(open, delay);
  }

  function open() {
    clearTimeout(timer);
    if (closed) return;
    drop();
    ready = false;
    syncing = false;
    buffered = [];
    sentHere = new Set();
    const socket = new WebSocket(socketUrl(url));
    ws = socket;
    socket.onmessage = (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      receive(frame);
    };
    socket.onclose = (event) => {
      if (ws !== socket) return;
      ws = null;
      ready = false;
      if (closed) return;
      if (FINAL_CLOSE_CODES.has(event.code)) {
        setStatus("offline", { code: event.code, final: true });
        return;
      }
      scheduleReconnect();
    };
  }

  function sync() {
    if (syncing) return;
    syncing = true;
    if (!raw({ op: "sync", id: newOpId() })) syncing = false;
  }

  function send(op, fields = {}, { coalesce } = {}) {
    if (op === "sync") {
      sync();
      return Promise.resolve(null);
    }
    const frame = { ...fields, op, id: fields.id || newOpId() };
    if (EPHEMERAL.has(op)) {
      if (ready) raw(frame);
      return Promise.resolve(null);
    }
    if (coalesce) {
      // An older write of the same thing that has not left yet is superseded by this one.
      for (const entry of [...outbox.entries]) {
        if (entry.coalesce === coalesce && !sentHere.has(entry.frame.id)) {
          outbox.remove(entry.frame.id);
          const waiter = pending.get(entry.frame.id);
          pending.delete(entry.frame.id);
          if (waiter) waiter.resolve(null);
        }
      }
    }
    const promise = new Promise((resolve, reject) => pending.set(frame.id, { resolve, reject }));
    outbox.push({ frame, coalesce: coalesce || null });
    if (ready && raw(frame)) sentHere.add(frame.id);
    return promise;
  }

  function close() {
    closed = true;
    clearTimeout(timer), clearTimeout(retryTimer);
    window.removeEventListener("online", wentOnline);
    window.removeEventListener("offline", wentOffline);
    drop();
  }

  function wentOnline() {
    if (closed) return;
    attempts = 0;
    if (!ws) open();
  }

  function wentOffline() {
    // A dead network does not always close a socket promptly: stop using it now, keep the
    // outbox, and reconnect on "online".
    drop();
    clearTimeout(timer);
    setStatus("offline");
  }

  window.addEventListener("online", wentOnline);
  window.addEventListener("offline", wentOffline);
  setStatus(navigator.onLine === false ? "offline" : "reconnecting");
  if (navigator.onLine !== false) open();

  function hold() {
    if (!held) held = [];
  }

  /** Takes the connection on for the next page: its handlers and socket URL (reconnects go
   * there), its outbox. Frames stay held until release(); then everything waits for the next
   * state frame (events before it are replayed after it, as on a new socket). */
  function resume(next) {
    url = next.url;
    outbox = new Outbox(`roundtable.outbox:${url}`);
    onState = toPage("state", next.onState);
    onEvent = toPage("event", next.onEvent);
    onError = next.onError;
    onPage = next.onPage;
    onStatus = next.onStatus;
    ready = false;
    syncing = false;
    buffered = [];
    sentHere = new Set();
    if (onStatus) onStatus(status, {});
  }

  /** Handles the frames held since hold(), in order, and every later one as it comes;
   * `snapshot` (a state, e.g. the one the new page was drawn from) goes first. */
  function release(snapshot) {
    const frames = held || [];
    held = null;
    if (snapshot) handle({ ...snapshot, type: "state" });
    for (const frame of frames) handle(frame);
  }

  return {
    send,
    sync,
    close,
    hold,
    resume,
    release,
    get url() {
      return url;
    },
    get status() {
      return status;
    },
    get pendingCount() { return outbox.entries.length; },
    rev(key = "workshop") {
      return revs.get(key);
    },
    // The ack or error of an op in the outbox (null at once if gone), e.g. a previous page's.
    whenSettled(id) {
      if (!outbox.has(id)) return Promise.resolve(null);
      const earlier = pending.get(id);
      return new Promise((resolve) => pending.set(id, {
        resolve: (frame) => resolve(frame, earlier && earlier.resolve(frame)),
        reject: (frame) => resolve(frame, earlier && earlier.reject(frame)),
      }));
    },
  };
}

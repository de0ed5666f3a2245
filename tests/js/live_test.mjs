// Unit tests of static/js/live.js with a fake WebSocket (run by tests/test_live_js.py).
import assert from "node:assert/strict";

const storage = new Map();
const tabStorage = new Map();
const listeners = {};
globalThis.window = {
  location: { protocol: "http:", host: "127.0.0.1:8000" },
  localStorage: {
    getItem: (key) => (storage.has(key) ? storage.get(key) : null),
    setItem: (key, value) => storage.set(key, String(value)),
    removeItem: (key) => storage.delete(key),
  },
  sessionStorage: {
    getItem: (key) => (tabStorage.has(key) ? tabStorage.get(key) : null),
    setItem: (key, value) => tabStorage.set(key, String(value)),
  },
  addEventListener: (type, fn) => { (listeners[type] ||= []).push(fn); },
  removeEventListener: (type, fn) => {
    listeners[type] = (listeners[type] || []).filter((f) => f !== fn);
  },
};
Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true });

const sockets = [];
class FakeSocket {
  static OPEN = 1;
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.sent = [];
    sockets.push(this);
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  receive(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose({ code }); }
}
globalThis.WebSocket = FakeSocket;

const { connectLive, handOver, dropHandedOver, MAX_UNAVAILABLE_TRIES } =
  await import("../../static/js/live.js");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const last = () => sockets[sockets.length - 1];
const state = (rev, roomRev, extra = {}) => ({
  type: "state", rev, workshop: {}, room: { number: 1, rev: roomRev }, me: {}, ...extra,
});
const roomEvent = (rev, extra = {}) => ({ type: "item.added", scope: "room", room: 1, rev, ...extra });

function open(url = "/ws/w/ABC/") {
  const seen = { states: [], events: [], statuses: [] };
  const live = connectLive({
    url,
    onState: (frame) => seen.states.push(frame),
    onEvent: (frame) => seen.events.push(frame),
    onStatus: (status) => seen.statuses.push(status),
  });
  return { live, seen, socket: last() };
}

const tests = {
  async "a tab keeps its id across reloads; another tab gets its own"() {
    const first = open("/ws/w/TAB/?room=2");
    const tab = new URL(first.socket.url).searchParams.get("tab");
    assert.equal(new URL(first.socket.url).searchParams.get("room"), "2");
    first.live.close();
    const reloaded = open("/ws/w/TAB/");
    assert.equal(new URL(reloaded.socket.url).searchParams.get("tab"), tab);
    reloaded.live.close();
    tabStorage.clear(); // a new tab starts with an empty sessionStorage
    const other = open("/ws/w/TAB/");
    assert.notEqual(new URL(other.socket.url).searchParams.get("tab"), tab);
    other.live.close();
  },

  async "builds the socket URL from the page and reports live after the state"() {
    const { live, seen, socket } = open();
    assert.match(socket.url, /^ws:\/\/127\.0\.0\.1:8000\/ws\/w\/ABC\/\?tab=[0-9a-f]{32}$/);
    socket.receive(state(3, 10));
    assert.deepEqual(seen.statuses, ["reconnecting", "live"]);
    live.close();
  },

  async "applies events in order, drops duplicates, syncs on a gap and replays after it"() {
    const { live, seen, socket } = open();
    socket.receive(state(3, 10));
    socket.receive(roomEvent(11));
    socket.receive(roomEvent(11)); // duplicate
    socket.receive(roomEvent(13)); // gap: 12 is missing
    assert.deepEqual(seen.events.map((e) => e.rev), [11]);
    assert.equal(socket.sent.at(-1).op, "sync");
    socket.receive(roomEvent(14)); // arrives while the snapshot is awaited
    socket.receive(state(3, 13)); // the snapshot contains 12 and 13
    assert.deepEqual(seen.events.map((e) => e.rev), [11, 14]);
    assert.equal(seen.states.length, 2);
    socket.receive({ type: "typing", scope: "room", room: 1, participant: 5 }); // no rev
    assert.equal(seen.events.at(-1).type, "typing");
    live.close();
  },

  async "workshop and room revisions are tracked apart"() {
    const { live, seen, socket } = open();
    socket.receive(state(3, 10));
    socket.receive({ type: "broadcast", scope: "workshop", rev: 4 });
    socket.receive(roomEvent(11));
    assert.deepEqual(seen.events.map((e) => e.type), ["broadcast", "item.added"]);
    assert.equal(socket.sent.length, 0);
    live.close();
  },

  async "acks resolve send() and empty the outbox; errors reject it"() {
    const { live, socket } = open();
    const before = live.send("item.add", { step: "root_causes", fields: { text: "x" } });
    assert.equal(socket.sent.length, 0, "nothing is sent before the state");
    socket.receive(state(3, 10));
    const frame = socket.sent[0];
    assert.equal(frame.op, "item.add");
    assert.equal(live.pendingCount, 1);
    socket.receive({ type: "ack", id: frame.id, rev: 11 });
    assert.equal((await before).rev, 11);
    assert.equal(live.pendingCount, 0);
    assert.equal(storage.size, 0);
    const refused = live.send("step.set", { step: "plan" });
    socket.receive({ type: "error", id: socket.sent[1].id, code: "forbidden", message: "no" });
    await assert.rejects(refused, (error) => error.code === "forbidden");
    assert.equal(live.pendingCount, 0);
    live.close();
  },

  async "unacked ops are resent with the same id after a reconnect"() {
    const { live, seen, socket } = open();
    socket.receive(state(3, 10));
    const pending = live.send("note.set", { step: "define", text: "a", base_rev: 0 });
    const id = socket.sent[0].id;
    socket.drop();
    assert.equal(seen.statuses.at(-1), "reconnecting");
    live.send("item.add", { step: "root_causes", fields: { text: "offline" } });
    await sleep(600); // first backoff is 250-500 ms
    const again = last();
    assert.notEqual(again, socket);
    assert.equal(again.sent.length, 0, "the outbox waits for the new state");
    again.receive(state(3, 12));
    assert.deepEqual(again.sent.map((f) => f.id).slice(0, 1), [id]);
    assert.equal(again.sent.length, 2);
    again.receive({ type: "ack", id, rev: 11 });
    assert.equal((await pending).rev, 11);
    again.receive({ type: "ack", id: again.sent[1].id, rev: 13 });
    assert.equal(live.pendingCount, 0);
    live.close();
  },

  async "the outbox survives a reload (localStorage) and is resent"() {
    const first = open("/ws/w/RELOAD/");
    first.socket.receive(state(1, 1));
    first.live.send("item.add", { step: "plan", fields: { text: "kept" } });
    const id = first.socket.sent[0].id;
    first.live.close(); // the page goes away before the ack
    const second = open("/ws/w/RELOAD/");
    second.socket.receive(state(1, 1));
    assert.equal(second.socket.sent[0].id, id);
    second.socket.receive({ type: "ack", id, rev: 2 });
    assert.equal(second.live.pendingCount, 0);
    second.live.close();
  },

  async "two tabs keep each other's pending ops in the shared outbox"() {
    const key = "roundtable.outbox:/ws/w/TABS/";
    const tabA = open("/ws/w/TABS/");
    const tabB = open("/ws/w/TABS/");
    tabA.socket.drop();
    tabB.socket.drop();
    tabA.live.send("item.add", { step: "plan", fields: { text: "from A" } });
    tabB.live.send("item.add", { step: "plan", fields: { text: "from B" } });
    const texts = () => JSON.parse(storage.get(key) || "[]").map((e) => e.frame.fields.text);
    assert.deepEqual(texts().sort(), ["from A", "from B"]);
    tabA.live.close();
    tabB.live.close();
    // A reload of either tab resends both; an ack removes only the acked op.
    const reloaded = open("/ws/w/TABS/");
    reloaded.socket.receive(state(1, 1));
    assert.equal(reloaded.socket.sent.length, 2);
    const fromA = reloaded.socket.sent.find((f) => f.fields.text === "from A");
    reloaded.socket.receive({ type: "ack", id: fromA.id, rev: 2 });
    assert.deepEqual(texts(), ["from B"]);
    reloaded.live.close();
  },

  async "later note writes replace earlier unsent ones"() {
    const { live, socket } = open();
    socket.drop();
    live.send("note.set", { step: "define", text: "a", base_rev: 0 }, { coalesce: "note:define" });
    live.send("note.set", { step: "define", text: "ab", base_rev: 0 }, { coalesce: "note:define" });
    assert.equal(live.pendingCount, 1);
    live.close();
  },

  async "rate_limited keeps the op and retries it"() {
    const { live, socket } = open();
    socket.receive(state(1, 1));
    const pending = live.send("item.add", { step: "plan", fields: { text: "x" } });
    const id = socket.sent[0].id;
    socket.receive({ type: "error", id, code: "rate_limited", message: "slow" });
    assert.equal(live.pendingCount, 1);
    await sleep(1100);
    assert.equal(socket.sent.filter((f) => f.id === id).length, 2);
    socket.receive({ type: "ack", id, rev: 2 });
    assert.equal((await pending).rev, 2);
    live.close();
  },

  async "an op the server keeps failing to store is given up after a bounded number of tries"() {
    // Four tries were already made before a reload; the fifth `unavailable` gives up.
    const key = "roundtable.outbox:/ws/w/POISON/";
    const frame = { op: "item.add", id: "poison-1", step: "plan", fields: { text: "kept" } };
    storage.set(key, JSON.stringify([{ frame, tries: MAX_UNAVAILABLE_TRIES - 1 }]));
    const { live, socket } = open("/ws/w/POISON/");
    socket.receive(state(1, 1));
    assert.equal(socket.sent.filter((f) => f.id === "poison-1").length, 1);
    socket.receive({ type: "error", id: "poison-1", code: "unavailable", message: "db down" });
    assert.equal(live.pendingCount, 0);
    assert.equal(storage.has(key), false);
    await sleep(1100);
    assert.equal(socket.sent.filter((f) => f.id === "poison-1").length, 1); // not resent
    live.close();
  },

  async "a permanent error is never retried"() {
    const { live, socket } = open();
    socket.receive(state(1, 1));
    const pending = live.send("item.add", { step: "plan", fields: { text: "\u0000" } });
    const id = socket.sent[0].id;
    socket.receive({ type: "error", id, code: "invalid", message: "NUL" });
    await assert.rejects(pending, (frame) => frame.code === "invalid");
    assert.equal(live.pendingCount, 0);
    await sleep(1100);
    assert.equal(socket.sent.filter((f) => f.id === id).length, 1);
    live.close();
  },

  async "a refusal close code stops reconnecting"() {
    const { live, seen, socket } = open();
    socket.drop(4404);
    await sleep(600);
    assert.equal(last(), socket);
    assert.equal(seen.statuses.at(-1), "offline");
    live.close();
  },

  async "an op sent by an earlier page can be awaited after a reload (whenSettled)"() {
    const first = open("/ws/w/SETTLE/");
    first.socket.receive(state(1, 1));
    first.live.send("note.edit", { id: "edit-1", step: "define", from: 0, to: 0, text: "a", base_rev: 1 });
    assert.equal(first.socket.sent[0].id, "edit-1"); // the page may choose the id
    first.live.close(); // the page reloads before the ack
    const second = open("/ws/w/SETTLE/");
    const settled = second.live.whenSettled("edit-1");
    const gone = await second.live.whenSettled("never-sent");
    assert.equal(gone, null);
    second.socket.receive(state(1, 1));
    assert.equal(second.socket.sent[0].id, "edit-1"); // resent from the outbox
    second.socket.receive({ type: "ack", id: "edit-1", rev: 2 });
    assert.equal((await settled).rev, 2);
    assert.equal(second.live.pendingCount, 0);
    second.live.close();
  },

  async "going offline stops the socket and coming back reconnects at once"() {
    const { live, seen, socket } = open();
    socket.receive(state(1, 1));
    navigator.onLine = false;
    listeners.offline.forEach((fn) => fn());
    assert.equal(seen.statuses.at(-1), "offline");
    live.send("item.add", { step: "plan", fields: { text: "while offline" } });
    assert.equal(socket.sent.length, 0);
    navigator.onLine = true;
    listeners.online.forEach((fn) => fn());
    const again = last();
    assert.notEqual(again, socket);
    again.receive(state(1, 1));
    assert.equal(again.sent[0].op, "item.add");
    live.close();
  },

  async "a page handed over keeps its socket: the next page resumes it, frames in order"() {
    const pages = [];
    const lobby = { seen: { states: [], events: [] } };
    lobby.live = connectLive({
      url: "/ws/w/HAND/?page=lobby",
      onState: (f) => lobby.seen.states.push(f),
      onEvent: (f) => {
        lobby.seen.events.push(f);
        if (f.type === "room.assigned") lobby.live.hold(); // as lobby.js does
      },
      onPage: (f) => pages.push(f),
    });
    lobby.socket = last();
    lobby.socket.receive(state(5, 0, { room: null }));
    lobby.socket.receive({ type: "room.assigned", scope: "workshop", rev: 6, url: "/r/2/" });
    lobby.socket.receive(roomEvent(8)); // before the room's state: replayed after it
    lobby.socket.receive({ type: "page", url: "/r/2/", html: "<p>room</p>" });
    assert.equal(pages.length, 1, "page frames reach the page while held");
    lobby.socket.receive(roomEvent(7)); // already in the page's state: dropped
    assert.deepEqual(lobby.seen.events.map((f) => f.type), ["room.assigned"], "held frames wait");
    handOver(lobby.live);
    const room = open("/ws/w/HAND/");
    assert.equal(room.live, lobby.live, "the room page got the same connection");
    assert.equal(sockets.filter((s) => s.url.includes("/HAND/")).length, 1, "no second socket");
    assert.equal(room.live.url, "/ws/w/HAND/");
    room.live.send("item.add", { step: "plan", fields: { text: "on the room page" } });
    assert.equal(lobby.socket.sent.length, 0, "ops wait for the room's state");
    room.live.release(state(6, 7)); // the state the room page was drawn from
    assert.deepEqual(room.seen.states.map((f) => f.rev), [6]);
    assert.deepEqual(room.seen.events.map((f) => f.rev), [8]);
    assert.equal(lobby.socket.sent.at(-1).op, "item.add");
    lobby.socket.drop();
    await sleep(600);
    assert.match(last().url, /\/ws\/w\/HAND\/\?tab=/, "reconnects go to the room's URL");
    room.live.close();
  },

  async "a connection handed over that no page takes is closed"() {
    const lobby = open("/ws/w/DROP/?page=lobby");
    lobby.live.hold();
    handOver(lobby.live);
    const other = open("/ws/w/OTHER/");
    assert.notEqual(other.live, lobby.live, "another workshop's page opens its own socket");
    dropHandedOver();
    assert.equal(lobby.socket.readyState, 3);
    other.live.close();
  },
};

let failed = 0;
for (const [name, test] of Object.entries(tests)) {
  storage.clear();
  try {
    await test();
    console.log(`ok - ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${name}\n${error.stack}`);
  }
}
process.exit(failed ? 1 : 0);

// The one live socket of every Roundtable page (see docs/protocol.md).
//
//   const live = connectLive({url: "/ws/w/ABC123/", onState, onEvent, onStatus});
//   live.send("item.add", {step: "root_causes", fields: {text: "…"}})  // → Promise(ack)
//
// What it guarantees to the page:
// - onState(frame) is called with every full snapshot (on connect, after sync, after a gap);
// - onEvent(frame) is called once per event, in revision order per scope; duplicates and
//   events already contained in a snapshot are dropped; a gap triggers a sync instead;
// - ops are kept in an outbox in localStorage until acked and resent (same ids) after a
//   reconnect or a reload, so nothing typed while offline is lost and nothing is applied twice;
// - onStatus("live" | "reconnecting" | "offline");
// - a page that is replaced by the next one without a page load (static/js/page_swap.js:
//   the lobby becomes the room) hands its socket over: `live.hold()` keeps the frames that
//   arrive meanwhile, `handOver(live)`, and the next page's connectLive() for the same
//   workshop resumes that socket with its own handlers (no new handshake); `release(state)`
//   then starts it from the state the new page was drawn from, and takes the frames kept,
//   in order. `onPage(frame)` hears the server's `page` frames (held or not).
import { newConnection } from "./live_connection.js";

export { MAX_UNAVAILABLE_TRIES, newOpId } from "./live_connection.js";

let handedOver = null; // a connection left by the page before this one (handOver)

/** Leaves `connection` (held: see hold()) to the next page's connectLive() for its workshop. */
export function handOver(connection) {
  handedOver = connection;
}

/** Closes a connection handed over that no page took. */
export function dropHandedOver() {
  if (handedOver) handedOver.close();
  handedOver = null;
}

const socketPath = (url) => url.split("?")[0];

export function connectLive(options = {}) {
  if (handedOver && socketPath(handedOver.url) === socketPath(options.url)) {
    const connection = handedOver;
    handedOver = null;
    connection.resume(options);
    return connection;
  }
  return newConnection(options);
}

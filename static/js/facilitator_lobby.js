// The facilitator's dashboard follows the workshop over the control socket: people joining,
// changing their details or being removed appear in the roster and the counts at once.

import { connectLive } from "./live.js";
import { readJson, showStatus } from "./dom.js";
import { RosterView } from "./roster_view.js";

const root = document.querySelector("[data-roster-root]");
const url = readJson("ws-path");

if (root && url) {
  const roster = new RosterView(root, { people: readJson("roster-data", []) });
  const status = document.querySelector("[data-live-status]");
  const pagePhase = readJson("workshop-phase");
  // This page's own phase form navigates away already; reloading then would race it.
  let leaving = false;
  window.addEventListener("beforeunload", () => { leaving = true; });

  connectLive({
    url,
    onStatus: (state) => showStatus(status, state),
    onState: (frame) => {
      if (frame.workshop) roster.setAll(frame.workshop.participants || []);
    },
    onEvent: (event) => {
      switch (event.type) {
        case "participant.joined":
        case "participant.updated":
          roster.upsert(event.participant);
          break;
        case "participant.left":
          roster.remove(event.participant_id);
          break;
        case "phase.changed":
          // Another facilitator moved the workshop on: the buttons shown here are stale.
          if (event.phase !== pagePhase && !leaving) window.location.reload();
          break;
        default:
          break;
      }
    },
  });
}

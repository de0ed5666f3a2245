// The participant's lobby: the roster and counts follow the workshop socket, and when the
// facilitator starts breakouts the page moves to the participant's room by itself.

import { connectLive } from "./live.js";
import { fill, readJson, showStatus, syncList } from "./dom.js";
import { RosterView } from "./roster_view.js";

const page = readJson("lobby-data", {});
const url = readJson("ws-path");
const root = document.querySelector("[data-roster-root]");
// After phase.changed, room.assigned usually follows at once; wait briefly for its URL before
// falling back to a reload (the server then redirects to the room).
const ROOM_WAIT_MS = 1500;

let moving = false;
window.addEventListener("beforeunload", () => { moving = true; });

function goTo(target) {
  if (moving) return;
  moving = true;
  if (target) window.location.assign(target);
  else window.location.reload();
}

function renderChallenges(challenges) {
  const list = document.querySelector("[data-challenges]");
  const template = document.querySelector("template[data-challenge-item]");
  if (!list || !template) return;
  syncList(list, challenges, {
    key: (challenge) => challenge.id,
    create: () => template.content.firstElementChild.cloneNode(true),
    update: (item, challenge) => fill(item, { title: challenge.title, description: challenge.description }),
  });
}

function phaseChanged(phase) {
  if (phase === page.phase) return;
  if (phase === "breakouts") setTimeout(() => goTo(null), ROOM_WAIT_MS);
  else goTo(null);
}

if (root && url) {
  const roster = new RosterView(root, { people: readJson("roster-data", []), me: page.me });
  roster.render();
  const status = document.querySelector("[data-live-status]");

  connectLive({
    url,
    onStatus: (state) => showStatus(status, state),
    onState: (frame) => {
      const workshop = frame.workshop || {};
      if (workshop.phase === "breakouts" && frame.room && frame.room.url) {
        goTo(frame.room.url);
        return;
      }
      roster.setAll(workshop.participants || []);
      if (workshop.challenges) renderChallenges(workshop.challenges);
      if (workshop.phase) phaseChanged(workshop.phase);
    },
    onEvent: (event) => {
      switch (event.type) {
        case "participant.joined":
        case "participant.updated":
          roster.upsert(event.participant);
          break;
        case "participants.joined": // joins held for a moment and sent together
          roster.upsertAll(event.participants || []);
          break;
        case "participant.left":
          if (event.participant_id === page.me) goTo(null);
          else roster.remove(event.participant_id);
          break;
        case "challenges.changed":
          renderChallenges(event.challenges || []);
          break;
        case "room.assigned":
          if (event.url) goTo(event.url);
          break;
        case "phase.changed":
          phaseChanged(event.phase);
          break;
        default:
          break;
      }
    },
  });
}

// The participant's lobby: the roster and counts follow the workshop socket, and when the
// facilitator starts breakouts the page becomes the participant's room by itself: the server
// sends the room page over this socket, which the room then keeps (static/js/page_swap.js).

import { connectLive } from "./live.js";
import { fill, readJson, showStatus, syncList } from "./dom.js";
import { RosterView } from "./roster_view.js";
import { swapPage } from "./page_swap.js";

const page = readJson("lobby-data", {});
const url = readJson("ws-path");
const root = document.querySelector("[data-roster-root]");
// After phase.changed, room.assigned usually follows at once; wait briefly for its URL before
// falling back to a reload (the server then redirects to the room).
const ROOM_WAIT_MS = 1500;
// After room.assigned the room page comes over the socket; without it by then, load it.
const PAGE_WAIT_MS = 20000;

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

let live = null;
let arriving = null; // the wait for the room page after room.assigned

function roomAssigned(url) {
  if (moving || arriving) return;
  live.hold(); // what comes now is the room's: kept for the room page
  const notice = document.querySelector("[data-moving]");
  if (notice) {
    notice.className = "alert alert-success";
    notice.textContent = notice.dataset.text;
  }
  arriving = setTimeout(() => goTo(url), PAGE_WAIT_MS);
}

function pageArrived(frame) {
  if (moving || !arriving) return;
  clearTimeout(arriving);
  if (!frame.html) {
    goTo(frame.url); // this page needs a real page load (live/pages.py)
    return;
  }
  moving = true;
  swapPage(frame, live).catch(() => window.location.assign(frame.url));
}

function phaseChanged(phase) {
  if (phase === page.phase) return;
  if (phase === "breakouts") setTimeout(() => { if (!arriving) goTo(null); }, ROOM_WAIT_MS);
  else goTo(null);
}

if (root && url) {
  const roster = new RosterView(root, { people: readJson("roster-data", []), me: page.me });
  roster.render();
  const status = document.querySelector("[data-live-status]");

  live = connectLive({
    url,
    onPage: pageArrived,
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
          if (event.url) roomAssigned(event.url);
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

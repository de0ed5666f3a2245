// Plenary, present mode. The facilitator's page moves between the rooms with ← → (or a
// presenter's clicker: PageUp/PageDown), telling everyone over the control socket; it holds
// the rooms it has shown and fetches each other room's report-out (the server-rendered
// fragment) when it comes up, and the next one ahead. Participants' pages follow the
// presenter, fetching the presented room's report-out the same way.

import { connectLive } from "./live.js";
import { readJson, $, showStatus } from "./dom.js";

const page = readJson("plenary-page", {});
const stage = $("[data-stage]");
const waiting = $("[data-waiting]");
const errorBox = $("[data-error]");
let shown = page.presenting;
let live = null;
let leaving = false;
window.addEventListener("beforeunload", () => { leaving = true; });

function go(url) {
  if (leaving) return;
  leaving = true;
  window.location.assign(url);
}

function show(number) {
  shown = number;
  let found = false;
  for (const section of stage.querySelectorAll("[data-plenary-room]")) {
    const current = Number(section.dataset.plenaryRoom) === number;
    section.hidden = !current;
    found = found || current;
  }
  waiting.hidden = found;
  for (const tab of document.querySelectorAll("[data-present]")) {
    const current = Number(tab.dataset.present) === number;
    tab.classList.toggle("active", current);
    if (current) tab.setAttribute("aria-current", "true");
    else tab.removeAttribute("aria-current");
  }
  return found;
}

// -- the presenter --------------------------------------------------------------------------

const loading = new Map(); // room number → promise of its section in the stage

/** Returns (a promise of) the room's section, fetched once and kept hidden in the stage. */
function load(number) {
  const here = stage.querySelector(`[data-plenary-room="${number}"]`);
  if (here) return Promise.resolve(here);
  if (!loading.has(number)) {
    loading.set(number, fetchRoom(number).then((section) => {
      if (section) {
        // The fragment is drawn as the current room; it waits hidden until show() picks it
        // (a prefetched next room must not appear beside the one presented).
        section.hidden = true;
        stage.prepend(section);
      } else loading.delete(number); // try again next time
      return section;
    }));
  }
  return loading.get(number);
}

function prefetchNext(number) {
  const rooms = page.rooms || [];
  const next = rooms[rooms.indexOf(number) + 1];
  if (next !== undefined) load(next);
}

function present(number) {
  if (number === shown) return;
  shown = number;
  load(number).then((section) => {
    if (section && shown === number) show(number);
    prefetchNext(number);
  });
  if (errorBox) errorBox.textContent = "";
  live.send("plenary.present", { room: number }).catch((frame) => {
    if (errorBox) errorBox.textContent = (frame && frame.message) || "";
  });
}

function step(offset) {
  const rooms = page.rooms || [];
  if (!rooms.length) return;
  const index = rooms.indexOf(shown);
  const next = rooms[Math.min(rooms.length - 1, Math.max(0, index < 0 ? 0 : index + offset))];
  present(next);
}

function startPresenter() {
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") {
      event.preventDefault();
      step(1);
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      event.preventDefault();
      step(-1);
    }
  });
  $("[data-prev]").addEventListener("click", () => step(-1));
  $("[data-next]").addEventListener("click", () => step(1));
  for (const tab of document.querySelectorAll("[data-present]")) {
    tab.addEventListener("click", () => present(Number(tab.dataset.present)));
  }
  $("[data-fullscreen]").addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (stage.requestFullscreen) stage.requestFullscreen();
  });
  const reopen = $("[data-reopen]");
  if (reopen) {
    reopen.addEventListener("click", () => live.send("breakouts.reopen").catch((frame) => {
      errorBox.textContent = (frame && frame.message) || "";
    }));
  }
  const toPlenary = $("[data-to-plenary]");
  if (toPlenary) toPlenary.addEventListener("click", () => live.send("closing.skip").catch(() => {}));
  let first = true;
  live = connectLive({
    url: readJson("ws-path"),
    onStatus: (s) => showStatus($("[data-live-status]"), s),
    onState: (frame) => {
      const workshop = frame.workshop || {};
      if (workshop.phase !== page.phase) {
        if (!leaving) window.location.reload();
        return;
      }
      const presenting = workshop.presenting_room;
      if (presenting === null && first && (page.rooms || []).length && page.phase === "plenary") {
        present(page.rooms[0]); // opening present mode starts presenting
      } else if (presenting !== null && presenting !== undefined) {
        showLoaded(presenting);
      }
      first = false;
    },
    onEvent: (event) => {
      if (event.type === "plenary.presenting") showLoaded(event.room);
      else if (event.type === "phase.changed" && event.phase !== page.phase) {
        if (event.phase === "breakouts") go(page.control_url);
        else if (!leaving) window.location.reload();
      }
    },
  });
}

/** Shows a room another presenter chose (or the one this page presents after a reconnect);
 * none when presenting stopped (`number` null: a new round started, or the presenter closed). */
function showLoaded(number) {
  shown = number;
  if (number === null || number === undefined) {
    show(null);
    return;
  }
  load(number).then((section) => {
    if (section && shown === number) show(number);
  });
}

/** Fetches one room's report-out (a fragment rendered and escaped by the server; DOMParser
 * runs no scripts); resolves to its section, or null. */
async function fetchRoom(number) {
  const url = page.room_url.replace(/\/0\/$/, `/${number}/`);
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) return null;
    const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
    const section = fragment.querySelector("[data-plenary-room]");
    return section ? document.adoptNode(section) : null;
  } catch (e) {
    return null;
  }
}

// -- a participant following ----------------------------------------------------------------

let wanted = null;

async function follow(number) {
  if (number === null || number === undefined) {
    wanted = null;
    show(null);
    return;
  }
  if (number === wanted) return;
  wanted = number;
  const section = await fetchRoom(number);
  if (!section || wanted !== number) {
    if (!section) wanted = null; // try again on the next state or event
    return;
  }
  for (const old of stage.querySelectorAll("[data-plenary-room]")) old.remove();
  stage.prepend(section);
  show(number);
}

function startFollower() {
  connectLive({
    url: readJson("ws-path"),
    onStatus: (s) => showStatus($("[data-live-status]"), s),
    onState: (frame) => follow((frame.workshop || {}).presenting_room),
    onEvent: (event) => {
      if (event.type === "plenary.presenting") follow(event.room);
    },
  });
}

if (page.presenter) startPresenter();
else {
  wanted = page.presenting;
  startFollower();
}

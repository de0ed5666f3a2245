// The facilitator's dashboard follows the workshop over the control socket. The roster is one
// server-rendered page of it (search and page in the URL: templates/workshops/_roster.html);
// when people join, change their details or leave, this fetches the same part again for the
// same search and page (at most once a second during a join storm) and swaps it in, keeping
// the rows that did not change, so focus and scrolling stay where they were.

import { connectLive } from "./live.js";
import { readJson, showStatus } from "./dom.js";
import { localiseTime } from "./local_times.js";

const REFRESH_MS = 1000;

const root = document.querySelector("[data-roster-root]");
const url = readJson("ws-path");

function swapRows(list, fresh) {
  const kept = new Map([...list.children].map((row) => [row.dataset.key, row]));
  const rows = [...fresh.children].map((row) => {
    const old = kept.get(row.dataset.key);
    return old && old.outerHTML === row.outerHTML ? old : row;
  });
  rows.forEach((row, index) => {
    if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
  });
  while (list.children.length > rows.length) list.lastElementChild.remove();
}

function swap(target, html) {
  const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-roster-results]");
  const current = target.querySelector("[data-roster-results]");
  if (!fresh || !current) return;
  for (const time of fresh.querySelectorAll("time[data-local-time]")) localiseTime(time);
  const list = current.querySelector("[data-roster]");
  const freshList = fresh.querySelector("[data-roster]");
  if (list && freshList) {
    swapRows(list, freshList);
    freshList.replaceWith(list); // the kept rows move into the new part
  }
  const focused = document.activeElement;
  const keepFocus = current.contains(focused) && !(list && list.contains(focused));
  current.replaceWith(fresh);
  if (keepFocus) fresh.closest("[data-roster-fragment]").focus();
  for (const total of root.querySelectorAll("[data-roster-total]")) {
    total.textContent = fresh.dataset.total;
  }
}

if (root && url) {
  const target = root.querySelector("[data-roster-fragment]");
  target.tabIndex = -1;
  const status = document.querySelector("[data-live-status]");
  const pagePhase = readJson("workshop-phase");
  let leaving = false;
  let timer = null;
  let lastFetch = 0;
  let drawn = Number(target.querySelector("[data-roster-results]").dataset.total);
  window.addEventListener("beforeunload", () => { leaving = true; });

  async function refresh() {
    timer = null;
    lastFetch = Date.now();
    try {
      const response = await fetch(root.dataset.rosterUrl + window.location.search, {
        credentials: "same-origin", headers: { Accept: "text/html" },
      });
      if (response.ok) swap(target, await response.text());
    } catch {
      // Offline for a moment: the next event or reconnect fetches again.
    }
  }

  function scheduleRefresh() {
    if (timer !== null) return;
    timer = setTimeout(refresh, Math.max(0, lastFetch + REFRESH_MS - Date.now()));
  }

  connectLive({
    url,
    onStatus: (state) => showStatus(status, state),
    // A reconnect may follow missed events: fetch the roster as it is now (on the first
    // connect only if people came or went since the page was drawn).
    onState: (frame) => {
      const count = frame.workshop ? frame.workshop.participant_count : null;
      if (drawn === null || count !== drawn) scheduleRefresh();
      drawn = null;
    },
    onEvent: (event) => {
      switch (event.type) {
        case "participant.joined":
        case "participant.updated":
        case "participant.left":
          scheduleRefresh();
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

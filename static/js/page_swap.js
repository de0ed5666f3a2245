// Puts the next page in place of this one without a page load, keeping the live socket: the
// lobby becomes the participant's room when breakouts start. The server draws the room page
// for this browser and sends it over the lobby's socket (a `page` frame, live/pages.py); a
// thousand people moving at once then cost the servers no page request and no new socket.
//
// What a page load would do is done here: the document's title, language and body are the new
// page's, the address bar shows its URL, its module scripts run (a module this page already ran
// runs again, as a fresh copy), and the keyboard starts at its main heading. Modules of the old
// page hear "roundtable:leave" on the document and stop (static/js/workshop_signals.js).

import { dropHandedOver, handOver } from "./live.js";
import { readJson } from "./dom.js";

function moduleUrls(root) {
  return [...root.querySelectorAll("script[type=module][src]")]
    .map((script) => new URL(script.getAttribute("src"), document.baseURI).href);
}

/** Shows `frame.html` (a whole page) at `frame.url`; `live` is this page's held connection. */
export async function swapPage(frame, live) {
  const next = new DOMParser().parseFromString(frame.html, "text/html");
  const ran = new Set(moduleUrls(document));
  const modules = moduleUrls(next);
  document.dispatchEvent(new CustomEvent("roundtable:leave"));
  handOver(live);
  for (const link of next.head.querySelectorAll("link[rel=stylesheet]")) {
    const href = new URL(link.getAttribute("href"), document.baseURI).href;
    if (![...document.styleSheets].some((sheet) => sheet.href === href)) {
      document.head.append(document.adoptNode(link));
    }
  }
  document.title = next.title;
  document.documentElement.lang = next.documentElement.lang;
  document.body.replaceWith(document.adoptNode(next.body));
  window.history.replaceState(null, "", frame.url);
  window.scrollTo(0, 0);
  for (const url of modules) {
    // The URL's fragment makes a second copy of a module this realm already ran.
    await import(ran.has(url) ? `${url}#${Date.now()}` : url);
  }
  dropHandedOver(); // a page without a socket of the same workshop: nobody took it
  // The page's own state is the socket's snapshot (the server sends no other), with who is
  // online now, which only the socket knows.
  const state = readJson("room-state");
  if (state && state.room && frame.online) state.room.online = frame.online;
  live.release(state);
  const heading = document.querySelector("main h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

// Dot voting on the alternatives, and the scribe's record of the chosen one.

import { byId, clone, fill, field, show, attr, fmt, plural, syncList, setOptions } from "../dom.js";
import { ctx, L, room, isScribe, canVote, send } from "./context.js";

const alternatives = () => room().items.filter((item) => item.step === "alternatives");

function used() {
  return Object.values(room().votes.mine || {}).reduce((a, b) => a + b, 0);
}

export function renderVotes() {
  const shown = ctx.viewStep === "selection";
  show(byId("votes-section"), shown);
  if (!shown) return;
  const votes = room().votes;
  const mine = votes.mine || {};
  const left = votes.per_member - used();
  byId("votes-summary").textContent = plural(L.voted, { n: votes.voters.length, total: room().members.length });
  show(byId("votes-left"), canVote());
  byId("votes-left").textContent = fmt(L.votes_left, { n: left, max: votes.per_member });
  syncList(byId("vote-list"), alternatives(), {
    key: (item) => item.id,
    create: () => clone("tpl-vote"),
    update: (li, item) => {
      const count = mine[String(item.id)] || 0;
      fill(li, {
        text: item.text,
        tally: votes.hidden ? L.tally_hidden : plural(L.tally, { n: votes.tallies[String(item.id)] || 0 }),
        dots: "●".repeat(count) || "·",
        mine: fmt(L.my_dots, { n: count }),
      });
      show(field(li, "controls"), canVote());
      const less = li.querySelector('[data-action="less"]');
      const more = li.querySelector('[data-action="more"]');
      less.disabled = count <= 0;
      more.disabled = left <= 0;
      attr(less, "aria-label", fmt(L.vote_remove, { title: item.text }));
      attr(more, "aria-label", fmt(L.vote_add, { title: item.text }));
    },
  });
}

byId("vote-list").addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button) return;
  const item = Number(button.closest("[data-key]").dataset.key);
  const count = (room().votes.mine || {})[String(item)] || 0;
  send("vote.set", { item, count: count + (button.dataset.action === "more" ? 1 : -1) });
});

// -- the selection --------------------------------------------------------------------------

let rationaleDirty = false;

export function renderSelection() {
  const shown = ctx.viewStep === "selection" || ctx.viewStep === "plan";
  show(byId("selection-section"), shown);
  if (!shown) return;
  const selection = room().selection;
  const chosen = alternatives().find((item) => item.id === selection.item);
  show(byId("selection-chosen"), Boolean(chosen));
  show(byId("selection-why"), Boolean(chosen && selection.rationale));
  show(byId("selection-none"), !chosen);
  byId("selection-chosen").textContent = chosen ? fmt(L.selected, { title: chosen.text }) : "";
  byId("selection-why").textContent = fmt(L.because, { text: selection.rationale || "" });
  const form = byId("selection-form");
  const editable = isScribe() && ctx.viewStep === "selection";
  show(form, editable);
  if (!editable) return;
  const select = byId("selection-item");
  const keep = document.activeElement === select ? select.value : String(selection.item || "");
  setOptions(select, [["", L.no_alternative], ...alternatives().map((item) => [String(item.id), item.text])], keep);
  if (!rationaleDirty) byId("selection-rationale").value = selection.rationale || "";
}

byId("selection-rationale").addEventListener("input", () => { rationaleDirty = true; });
byId("selection-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const item = byId("selection-item").value;
  send("selection.set", {
    item: item ? Number(item) : null, rationale: byId("selection-rationale").value,
  }).then((ack) => { if (ack) rationaleDirty = false; });
});

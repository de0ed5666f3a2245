// The room's header and side: members and who is online, the steps, the challenge list, the
// scribe (hand-over, offers) and the countdown.

import { byId, clone, clock, fill, field, show, attr, fmt, syncList, setOptions } from "../dom.js";
import { ctx, L, room, me, canWrite, isScribe, memberName, send } from "./context.js";

export function renderMembers() {
  const r = room();
  const online = new Set(r.online || []);
  byId("challenge-title").textContent = r.challenge ? r.challenge.title : L.not_chosen;
  syncList(byId("members"), r.members, {
    key: (m) => m.id,
    create: () => clone("tpl-member"),
    update: (li, m) => {
      const here = online.has(m.id);
      fill(li, {
        name: m.name,
        presence: ` (${here ? L.online : L.offline})`,
        origin: [m.department, m.location].filter(Boolean).join(" · "),
      });
      field(li, "dot").classList.toggle("online", here);
      show(field(li, "scribe"), m.id === r.scribe);
      show(field(li, "you"), m.id === me());
    },
  });
}

export function renderSteps() {
  const r = room();
  const index = r.steps.findIndex((s) => s.step === r.step);
  const summary = fmt(L.step_summary, { n: index + 1, total: r.steps.length, label: r.steps[index].label });
  if (byId("step-summary").textContent !== summary) byId("step-summary").textContent = summary;
  for (const [i, li] of [...byId("steps").children].entries()) {
    const current = li.dataset.step === r.step;
    li.classList.toggle("done", i < index);
    li.classList.toggle("current", current);
    li.classList.toggle("viewing", li.dataset.step === ctx.viewStep);
    attr(li, "aria-current", current ? "step" : null);
  }
}

export function renderChallenges() {
  const r = room();
  const chosenId = r.challenge ? r.challenge.id : null;
  // Once chosen, the list matters only while defining the problem (the header shows it).
  show(byId("challenge-section"), !r.challenge || ctx.viewStep === "define");
  const scribe = isScribe();
  let help = "";
  if (ctx.state.me.role === "facilitator") help = L.challenge_help_facilitator;
  else if (canWrite()) help = scribe ? L.challenge_help_scribe : L.challenge_help_member;
  byId("challenge-help").textContent = help;
  syncList(byId("challenges"), ctx.state.workshop.challenges, {
    key: (c) => c.id,
    create: () => clone("tpl-challenge"),
    update: (li, c) => {
      const chosen = c.id === chosenId;
      li.classList.toggle("border-primary", chosen);
      fill(li, { title: c.title, description: c.description });
      show(field(li, "chosen"), chosen);
      const by = ctx.proposals.get(c.id);
      field(li, "proposed").textContent = by ? fmt(L.proposed_by, { name: memberName(by) }) : "";
      show(field(li, "proposed"), by !== undefined);
      const button = li.querySelector('[data-action="choose"]');
      show(button, canWrite() && !chosen);
      button.textContent = scribe ? L.choose : L.propose;
      button.classList.toggle("btn-primary", scribe);
      button.classList.toggle("btn-outline-primary", !scribe);
      attr(button, "aria-label", fmt(scribe ? L.choose_challenge : L.propose_challenge, { title: c.title }));
    },
  });
}

byId("challenges").addEventListener("click", (event) => {
  const button = event.target.closest('[data-action="choose"]');
  if (!button) return;
  const challenge = Number(button.closest("[data-key]").dataset.key);
  send(isScribe() ? "challenge.set" : "challenge.propose", { challenge });
});

export function renderScribe() {
  const r = room();
  byId("scribe-name").textContent = r.scribe !== null && r.scribe === me() ? L.you_are_scribe : memberName(r.scribe);
  const mayHand = isScribe() && canWrite();
  show(byId("handover-form"), mayHand);
  if (mayHand) {
    setOptions(byId("handover-to"), r.members.filter((m) => m.id !== r.scribe).map((m) => [String(m.id), m.name]));
  }
  let offer = "";
  if (r.scribe_offer && r.scribe === me()) offer = fmt(L.offer_sent, { name: memberName(r.scribe_offer) });
  else if (r.scribe_offer && r.scribe_offer === me()) offer = L.offer_to_me;
  else if (r.scribe_offer) offer = fmt(L.offer_pending, { name: memberName(r.scribe_offer) });
  byId("handover-status").textContent = offer;
  show(byId("scribe-offer"), me() !== null && r.scribe_offer === me());
  show(byId("help-section"), me() !== null);
}

/** After a reload or a resync: says again that this person's request for help waits. */
export function renderHelpWaiting() {
  const waiting = (room().help || [])
    .some((request) => request.participant === me() && !request.acknowledged_at);
  if (waiting) byId("help-status").textContent = L.help_sent;
}

byId("handover-form").addEventListener("submit", (event) => {
  event.preventDefault();
  send("scribe.handover", { to: Number(byId("handover-to").value) });
});
byId("scribe-accept").addEventListener("click", () => send("scribe.accept"));
byId("scribe-decline").addEventListener("click", () => send("scribe.decline"));
byId("help-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId("help-message");
  send("help.request", { message: input.value }).then((ack) => {
    if (!ack) return;
    byId("help-status").textContent = L.help_sent;
    input.value = "";
  });
});

// -- countdown ------------------------------------------------------------------------------

function chip(box, output, target) {
  show(box, Boolean(target));
  if (!target) return;
  output.setAttribute("datetime", target);
  const seconds = Math.round((Date.parse(target) - Date.now()) / 1000);
  box.classList.toggle("ended", seconds <= 0);
  const text = seconds <= 0 ? L.time_up : fmt(L.time_left, { time: clock(seconds) });
  if (output.textContent !== text) output.textContent = text;
}

/** Two separate, labelled chips: the step's own clock and the facilitator's timer (this room's
 * or every room's; its label is kept by workshop_signals.js). */
export function tick() {
  const r = room();
  const timer = r.timer || ctx.state.workshop.timer;
  chip(byId("countdown-box"), byId("countdown"), r.step_ends_at);
  chip(byId("timer-box"), byId("timer-left"), (timer && timer.ends_at) || null);
}

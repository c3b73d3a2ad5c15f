// The reader's clicks on a card's controls ([data-action] elements the
// engine rendered: vote, withdraw), relayed to the engine. A click shows at
// once as taken and pending — the chosen button pressed, the card's own
// "Saving your vote…" line (its data-pending text) — even before the engine
// is up: the click starts the engine, waits in the worker, and is sent as soon
// as the engine can. Until the engine says it has taken the action ("acted"),
// every re-render keeps showing it.

import { byHost } from "./cards.js";
import { mount, send } from "./engine.js";

export function onClick(event) {
  const target = event.target.closest("[data-action]");
  const card = target && byHost(event.currentTarget.host);
  if (!card) return;
  event.preventDefault();
  card.pending = { action: target.dataset.action, tool: target.dataset.tool, count: (card.pending?.count || 0) + 1 };
  showPending(card);
  mount(card);
  send({ type: "action", card: card.id, action: target.dataset.action, tool: target.dataset.tool });
}

// The engine has taken the oldest action; the engine's renders show the rest.
export function acted(card) {
  if (card.pending && --card.pending.count <= 0) card.pending = null;
}

// Draw the reader's latest action as taken and pending on the card's current HTML.
export function showPending(card) {
  const vote = card.pending && card.body.querySelector(".vd-vote");
  if (!vote) return;
  const { action, tool } = card.pending;
  let source = null;
  for (const control of vote.querySelectorAll("[data-action]")) {
    const chosen = control.dataset.action === action && (action !== "vote" || control.dataset.tool === tool);
    if (control.dataset.action === "vote") control.setAttribute("aria-pressed", String(action === "vote" && chosen));
    if (chosen) source = control;
  }
  vote.setAttribute("aria-busy", "true");
  if (source) source.setAttribute("aria-busy", "true");
  const status = vote.querySelector(".vd-vote-status");
  if (status && source && source.dataset.pending) {
    status.textContent = source.dataset.pending;
    status.removeAttribute("data-error");
  }
}

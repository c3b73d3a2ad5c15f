// The reader's clicks on a card's controls ([data-action] elements the engine
// rendered: vote, withdraw): no click on a rendered vote control is lost.
//
// - Not ready, said so: the inline form paints its controls disabled (before
//   any script has run, and for good without JavaScript, where a <noscript>
//   line says voting needs it). `claim` enables them as the loader takes the
//   card, so a click is never dropped by a control that looks clickable.
// - Taken at once from then on: the chosen button pressed, the card's own
//   "Saving your vote…" line (its data-pending text), even long before the
//   engine is up; the click is written to the device at once
//   (localStorage "verdict:early"), starts the engine, waits in the worker,
//   and is sent as soon as the engine can. Until the engine says it has taken
//   the action ("acted"), every re-render keeps showing it.
// - Kept if the reader leaves first: the engine adopts the device's kept
//   clicks into its outbox at the next mount of a card using their endpoint,
//   on any page of the site, and delivers them once (widget/verdict/votes.py).
//   This module only draws, keeps and hands over.
//
// Used for every card the loader renders, whatever its form (inline, script
// tag, frame.html, a custom element): claim(card) when it is rendered,
// release(card) when it goes; the engine bridge (engine.js) reads the kept
// clicks for each mount and drops what the engine adopted (pending.js).

import { mount, send } from "./engine.js";
import { keep, showPending } from "./pending.js";

export function claim(card) {
  for (const control of card.root.querySelectorAll("[disabled][data-action]")) control.disabled = false;
  card.onClick = (event) => {
    const control = event.target.closest("[data-action]");
    if (!control) return;
    event.preventDefault();
    act(card, control.dataset.action, control.dataset.tool || null);
  };
  card.root.addEventListener("click", card.onClick);
}

export function release(card) {
  if (card.onClick) card.root.removeEventListener("click", card.onClick);
}

function act(card, action, tool) {
  const at = Date.now();
  card.pending = { action, tool, count: (card.pending?.count || 0) + 1 };
  showPending(card);
  const shown = card.body.querySelector(".vd-card[data-comparison]");
  const comparison = card.config.comparison || (shown && shown.dataset.comparison);
  if (card.config.endpoint && comparison) keep({ endpoint: card.config.endpoint, comparison, tool, at });
  mount(card);
  send({ type: "action", card: card.id, action, tool, at });
}

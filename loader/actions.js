// The reader's clicks on a card's controls ([data-action] elements the
// engine rendered: vote, withdraw), relayed to the engine. A click before the
// engine is up still counts: it starts the engine and waits in the worker.

import { byHost } from "./cards.js";
import { mount, send } from "./engine.js";

export function onClick(event) {
  const target = event.target.closest("[data-action]");
  const card = target && byHost(event.currentTarget.host);
  if (!card) return;
  event.preventDefault();
  mount(card);
  target.setAttribute("aria-busy", "true");
  send({ type: "action", card: card.id, action: target.dataset.action, tool: target.dataset.tool });
}

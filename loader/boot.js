// When each card's engine starts: at once (data-lazy="false"), when the card
// comes within 600 px of the viewport (data-lazy="true", the default), or on
// the first interaction with the card (data-lazy="interaction", and for every
// card when the reader asked to save data): until then the reader has the
// complete prerendered card and downloads no runtime.

import { byHost } from "./cards.js";
import { mount } from "./engine.js";

const INTERACTIONS = ["pointerdown", "focusin", "keydown"];
let nearViewport = null;

export function saveData() {
  return Boolean(navigator.connection && navigator.connection.saveData);
}

// Arrange for `card` to be mounted in the engine at the right moment.
export function schedule(card) {
  const lazy = saveData() ? "interaction" : card.config.lazy;
  if (lazy === "interaction") {
    card.onInteraction = () => mount(card);
    for (const type of INTERACTIONS) card.host.addEventListener(type, card.onInteraction, { once: true, passive: true });
  } else if (lazy) {
    observer().observe(card.host);
  } else {
    mount(card);
  }
}

export function unschedule(card) {
  if (nearViewport) nearViewport.unobserve(card.host);
  if (card.onInteraction) for (const type of INTERACTIONS) card.host.removeEventListener(type, card.onInteraction);
}

function observer() {
  nearViewport = nearViewport || new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      nearViewport.unobserve(entry.target);
      const card = byHost(entry.target);
      if (card) mount(card);
    }
  }, { rootMargin: "600px 0px" });
  return nearViewport;
}

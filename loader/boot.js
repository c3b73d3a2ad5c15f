// When each card's engine starts, and where its live figures come from until
// then (the complete prerendered card shows from the start in every case):
//
// - data-lazy="true", the default: when the card comes within 600 px of the
//   viewport it shows its live figures, as HTML the vote endpoint renders
//   with the same engine (live.js), and the runtime downloads only on the
//   reader's first pointer, focus or key on the card. When the endpoint
//   cannot give that card (no such route, another bundle or engine version,
//   a device holding a vote for it, a bundle the build never saw), the
//   engine starts there instead, as with "viewport";
// - "viewport": the engine starts when the card comes within 600 px;
// - "false": at once;
// - "interaction", and every card on a slow connection (the browser says the
//   reader saves data, or its connection is 3g-class or slower:
//   navigator.connection): nothing is fetched until the reader's first
//   touch of the card; meanwhile its vote status says the figures are as
//   published and live counts come on use.

import { byHost } from "./cards.js";
import { mount } from "./engine.js";
import { liveWithoutEngine, sayAsPublished, showLive } from "./live.js";

const INTERACTIONS = ["pointerdown", "focusin", "keydown"];
const SLOW = ["slow-2g", "2g", "3g"]; // navigator.connection.effectiveType
let nearViewport = null;

export function slowConnection() {
  const connection = navigator.connection;
  return Boolean(connection && (connection.saveData || SLOW.includes(connection.effectiveType)));
}

// Arrange for `card` to be mounted in the engine at the right moment. `shown`: the promise of the build's card
// shown (true) or not.
export function schedule(card, shown) {
  const lazy = slowConnection() ? "interaction" : card.config.lazy;
  if (lazy === "interaction") {
    shown.then(() => sayAsPublished(card));
    onTouch(card, () => {
      shown.then(() => liveWithoutEngine(card) && showLive(card));
      mount(card);
    });
  } else if (lazy === "viewport") {
    whenNear(card, () => mount(card));
  } else if (lazy) {
    onTouch(card, () => mount(card));
    whenNear(card, async () => {
      if (!((await shown) && liveWithoutEngine(card) && (await showLive(card)))) mount(card);
    });
  } else {
    mount(card);
  }
}

export function unschedule(card) {
  if (nearViewport) nearViewport.unobserve(card.host);
  card.whenNear = null;
  if (card.onInteraction) for (const type of INTERACTIONS) card.host.removeEventListener(type, card.onInteraction);
}

function onTouch(card, then) {
  if (card.mounted) return;
  card.onInteraction = () => {
    for (const type of INTERACTIONS) card.host.removeEventListener(type, card.onInteraction);
    then();
  };
  for (const type of INTERACTIONS) card.host.addEventListener(type, card.onInteraction, { passive: true });
}

function whenNear(card, then) {
  card.whenNear = then;
  observer().observe(card.host);
}

function observer() {
  nearViewport = nearViewport || new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      nearViewport.unobserve(entry.target);
      const card = byHost(entry.target);
      if (card && card.whenNear) card.whenNear();
    }
  }, { rootMargin: "600px 0px" });
  return nearViewport;
}

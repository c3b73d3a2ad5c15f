// <verdict-card>: the card as a custom element, for pages a framework
// (React, Vue, Svelte…) draws. Its attributes are the data attributes' names
// without "data-" (attributes.js reads and checks them the same way), and
// its own lifecycle drives the card, so a framework may mount, move and
// unmount it freely: connected, it gets a card; disconnected for good, its
// card is destroyed (and the engine forgets it); moved, it keeps its card.
// A server-rendered page puts the inline card in it as a declarative shadow
// root, which the loader adopts in place, as for a placeholder.

import { ELEMENT_ATTRIBUTE_NAMES } from "./attributes.js";
import { byHost } from "./cards.js";
import { ELEMENT_TAG } from "./hosts.js";

// `cards`: the loader's {render(host), destroy(host), update(card)}.
export function defineElement(cards) {
  if (customElements.get(ELEMENT_TAG)) return; // another copy of the loader defined it
  // A move is a disconnect then a connect in one task: act once the task's changes are done.
  const pending = new Map(); // element -> whether its attributes changed
  let queued = false;
  const settle = (element, changed = false) => {
    pending.set(element, pending.get(element) || changed);
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      const settled = [...pending];
      pending.clear();
      for (const [element, changed] of settled) {
        const card = byHost(element);
        if (!element.isConnected) cards.destroy(element);
        else if (!card) cards.render(element);
        else if (changed) cards.update(card);
      }
    });
  };

  class VerdictCard extends HTMLElement {
    static get observedAttributes() {
      return ELEMENT_ATTRIBUTE_NAMES;
    }

    connectedCallback() {
      settle(this);
    }

    disconnectedCallback() {
      settle(this);
    }

    // Several attributes set at once (a framework's render) make one change.
    attributeChangedCallback(name, before, after) {
      if (before === after || !byHost(this)) return;
      settle(this, true);
    }
  }
  customElements.define(ELEMENT_TAG, VerdictCard);
}

// The loader proper (a content-hashed module imported by embed.js): it gives
// each [data-verdict] element a card, watches the page for cards added and
// removed later, and serves window.Verdict's calls. It moves messages and
// HTML; all product logic lives in the Python engine.
//
//   attributes.js  data-* attributes: read, check, warn, merge
//   look.js        theme, layout and accent on a rendered card (no new HTML)
//   accent.js      the accent colour: parsed, and readable in every use
//   cards.js       card records, Shadow DOM, skeleton and error cards, swap
//   words.js       the loader's own sentences in the card's language
//   prerender.js   the build's prerendered card, shown before the engine
//   jsonld.js      the card's JSON-LD in the host page's light DOM
//   integrity.js   every fetched file checked against the build's hashes
//   hosting.js     what a misconfigured widget host should change
//   csp.js         which directive a host page's CSP is missing
//   boot.js        when each card's engine starts (lazy, interaction, slow connections)
//   live.js        an untouched card's live figures as the endpoint's HTML, checked
//   engine.js      the Web Worker running Pyodide: start, messages both ways
//   core.js        the runtime's core compiled on the page for returning readers
//   actions.js     the reader's clicks: controls ready, taken at once, relayed
//   pending.js     clicks the engine has not taken yet: shown as taken, kept on the device
//   element.js     <verdict-card>, the custom element frameworks draw
//   hosts.js       which elements hold a card (shared with the first script)

import { claim, release } from "./actions.js";
import { ATTRIBUTE_NAMES, STYLE_ONLY, readConfig } from "./attributes.js";
import { schedule, unschedule } from "./boot.js";
import { allCards, byHost, createCard, errorCard, removeCard, skeleton } from "./cards.js";
import { defineElement } from "./element.js";
import { PLACEHOLDER } from "./hosts.js";
import { configure, mount, unmount } from "./engine.js";
import { applyLook } from "./look.js";
import { watchPolicy } from "./csp.js";
import { removeJsonLd } from "./jsonld.js";
import { configureLive } from "./live.js";
import { prerenderer } from "./prerender.js";

// Called once by embed.js: `script` is its tag (page-wide default
// attributes), `base` its URL, `prerendered(bundleUrl)` a promise of the
// build's cards for that bundle (already requested). Returns window.Verdict's
// implementation.
export function start({ script, base, prerendered }) {
  configure(base);
  configureLive((path) => new URL(path, base).href);
  watchPolicy(base);
  const showPrerendered = prerenderer((path) => new URL(path, base).href, prerendered);

  // `now`: mount in the engine at once (a card that was live before a change).
  function render(host, overrides, now = false) {
    if (!(host instanceof Element)) return null;
    if (byHost(host)) destroy(host);
    const card = createCard(host, readConfig(script, host, overrides));
    card.overrides = overrides;
    applyLook(card);
    if (!card.config.bundle) {
      console.error("Verdict: no data-bundle on the card or the script tag; nothing to show.");
      card.body.append(errorCard(card.config.locale, "No comparison bundle was given (data-bundle)."));
      return host;
    }
    claim(card); // its controls are ready: from here on a click is taken at once
    const shown = showPrerendered(card).then((shown) => {
      if (!shown && !card.rendered && !card.inline) {
        card.body.replaceChildren(skeleton(card.config.locale, "Loading the comparison…"));
      }
      performance.mark("verdict:card-visible");
      return shown;
    });
    if (now) mount(card);
    else schedule(card, shown);
    return host;
  }

  // A data-* attribute changed on the card, the script tag or <html lang>:
  // theme, layout and accent restyle the card in place; anything else
  // renders it again (the prerendered card first when there is one), in the
  // same engine.
  function update(card) {
    const config = readConfig(script, card.host, card.overrides);
    const changed = Object.keys(config).filter((key) => JSON.stringify(config[key]) !== JSON.stringify(card.config[key]));
    if (!changed.length) return;
    if (changed.every((key) => STYLE_ONLY.has(key))) {
      card.config = config;
      applyLook(card);
    } else {
      render(card.host, card.overrides, card.mounted);
    }
  }

  function destroy(host) {
    const card = host && byHost(host);
    if (!card) return;
    unschedule(card);
    unmount(card);
    release(card);
    removeJsonLd(card);
    removeCard(card);
  }

  // Placeholders (hosts.js); <verdict-card> elements render through their own lifecycle (element.js).
  function scan(rootNode = document) {
    const found = rootNode.matches && rootNode.matches(PLACEHOLDER) ? [rootNode] : [];
    found.push(...(rootNode.querySelectorAll ? rootNode.querySelectorAll(PLACEHOLDER) : []));
    for (const host of found) if (!byHost(host)) render(host);
  }

  scan(document);
  defineElement({ render, destroy, update });
  // Cards added later (single-page apps, infinite scroll) render on their own.
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node.nodeType === 1) scan(node);
      for (const node of record.removedNodes) {
        if (node.nodeType !== 1 || node.isConnected) continue;
        for (const host of [node, ...node.querySelectorAll(PLACEHOLDER)]) destroy(host);
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  new MutationObserver((records) => {
    const touched = new Set();
    for (const { target } of records) {
      if (target === script || target === document.documentElement) for (const card of allCards()) touched.add(card);
      else if (byHost(target)) touched.add(byHost(target));
    }
    for (const card of touched) if (byHost(card.host) === card) update(card);
  }).observe(document.documentElement, { attributes: true, subtree: true, attributeFilter: [...ATTRIBUTE_NAMES, "lang"] });

  return { render, destroy, scan: () => scan(document) };
}

// The card the build rendered (same engine, CPython), shown before the engine
// is up. The cards file of the default heading level was requested by the
// first script, in parallel with the loader's own download; other levels are
// fetched here. Every section is in the prerendered markup (the frame hides
// and orders them), so every attribute value gets its card at once.

import { byId } from "./cards.js";
import { fetchChecked } from "./integrity.js";
import { showJsonLd } from "./jsonld.js";

const DEFAULT_LEVEL = 2;
const levelFiles = new Map(); // cards file URL -> promise of its contents or null

// `asset` resolves the build's paths; `prerendered` is the first script's
// fetcher of default-level cards. Returns (card) => Promise<shown?>.
export function prerenderer(asset, prerendered) {
  const cards = new Map(Object.entries(VERDICT_ASSETS.cards).map(([bundle, levels]) => [asset(bundle), levels]));
  function cardsFile(bundle, level) {
    if (level === DEFAULT_LEVEL) return prerendered(bundle);
    const [file, integrity] = (cards.get(bundle) || {})[level] || [];
    if (!file) return Promise.resolve(null);
    const url = asset(file);
    if (!levelFiles.has(url)) levelFiles.set(url, fetchChecked(url, integrity).then((r) => r.json()).catch(() => null));
    return levelFiles.get(url);
  }

  // Show the prerendered HTML of `card` (and its JSON-LD); true when shown.
  return async function showPrerendered(card) {
    const { config } = card;
    const file = await cardsFile(config.bundle, config.headingLevel);
    if (!file) return false;
    const comparison = config.comparison || file.first;
    if (file.jsonld && file.jsonld[comparison] && byId(card.id) === card) showJsonLd(card, file.jsonld[comparison]);
    if (card.inline) return true;
    const variant = file.cards[comparison];
    const html = variant && variant[config.endpoint ? "voting" : "static"];
    if (!html || card.rendered || byId(card.id) !== card) return false;
    card.body.innerHTML = html; // our own build's output, never bundle text
    return true;
  };
}

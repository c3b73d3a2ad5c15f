// The card the build rendered (same engine, CPython), shown before the engine
// is up. The cards file was requested by the first script, in parallel with
// the loader's own download.

import { byId } from "./cards.js";

// Show the prerendered HTML of `card` if the build made one for its settings;
// true when it is shown.
export async function showPrerendered(card, prerendered) {
  const cardsFile = await prerendered(card.config.bundle);
  if (!cardsFile) return false;
  const { config } = card;
  const comparison = config.comparison || cardsFile.first;
  const locales = cardsFile.cards[comparison];
  // The engine speaks the language subtag of the card's locale when it supports it, else
  // English (verdict.i18n.resolve_locale); the build prerenders every supported locale.
  const language = String(config.locale || "en").toLowerCase().split(/[-_]/)[0];
  const variant = locales && (Object.hasOwn(locales, language) ? locales[language] : locales.en);
  // The build renders the default settings: other settings wait for the engine.
  const defaults = config.sections === null && config.headingLevel === 2 && config.ctaUrl === null &&
    config.ctaText === null;
  const html = variant && defaults && variant[config.endpoint ? "voting" : "static"];
  if (!html || card.rendered || byId(card.id) !== card) return false;
  card.body.innerHTML = html; // our own build's output, never bundle text
  return true;
}

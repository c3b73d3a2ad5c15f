// The card the build rendered (same engine, CPython), shown before the engine
// is up. The cards file was requested by the first script, in parallel with
// the loader's own download.

import { byId } from "./cards.js";

// Cards are drawn one per frame: a page with several cards never gets one
// long task (parse, style and layout of them all) on its main thread.
let turns = Promise.resolve();
const nextFrame = () => new Promise((resolve) => {
  if (document.hidden) setTimeout(resolve, 0);
  else requestAnimationFrame(() => setTimeout(resolve, 0));
});
function inTurn(work) {
  const turn = turns.then(work);
  turns = turn.then(nextFrame, nextFrame);
  return turn;
}

// Show the prerendered HTML of `card` if the build made one for its settings;
// true when it is shown.
export async function showPrerendered(card, prerendered) {
  const cardsFile = await prerendered(card.config.bundle);
  return inTurn(() => show(card, cardsFile));
}

function show(card, cardsFile) {
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

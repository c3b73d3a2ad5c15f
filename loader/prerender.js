// The card the build rendered (same engine, CPython), shown before the engine
// is up. The cards file of the default heading level was requested by the
// first script, in parallel with the loader's own download; other levels are
// fetched here. Every locale is prerendered, and every section is in the
// prerendered markup (the frame hides and orders them), so every attribute
// value gets its card at once. This module only picks and shows: the build's
// prerender (builder/assemble/prerender.py) made every variant it picks from.

import { byId } from "./cards.js";
import { fetchChecked } from "./integrity.js";
import { showJsonLd } from "./jsonld.js";
import { DEFAULT_HEADING_LEVEL, engineLocale } from "./rules.js";

const levelFiles = new Map(); // cards file URL -> promise of its contents or null
const callsToAction = new WeakMap(); // card -> its prerendered calls to action ({url, text, both})

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

// `asset` resolves the build's paths; `prerendered` is the first script's
// fetcher of default-level cards. Returns (card) => Promise<shown?>.
export function prerenderer(asset, prerendered) {
  const cards = new Map(Object.entries(VERDICT_ASSETS.cards).map(([bundle, levels]) => [asset(bundle), levels]));
  function cardsFile(bundle, level) {
    if (level === DEFAULT_HEADING_LEVEL) return prerendered(bundle);
    const [file, integrity] = (cards.get(bundle) || {})[level] || [];
    if (!file) return Promise.resolve(null);
    const url = asset(file);
    if (!levelFiles.has(url)) levelFiles.set(url, fetchChecked(url, integrity).then((r) => r.json()).catch(() => null));
    return levelFiles.get(url);
  }

  // Show the prerendered HTML of `card` (and its JSON-LD); true when shown.
  return async function showPrerendered(card) {
    const file = await cardsFile(card.config.bundle, card.config.headingLevel);
    return inTurn(() => show(card, file));
  };
}

function show(card, file) {
  const { config } = card;
  if (!file || byId(card.id) !== card) return card.inline;
  const comparison = config.comparison || file.first;
  if (file.jsonld && file.jsonld[comparison]) showJsonLd(card, file.jsonld[comparison]);
  const locale = engineLocale(config.locale);
  if (file.cta && file.cta[comparison]) callsToAction.set(card, file.cta[comparison][locale]);
  if (card.inline) return true;
  const variants = file.cards[comparison] && file.cards[comparison][locale];
  const html = variants && variants[config.endpoint ? file.variants[config.results] : "static"];
  if (!html || card.rendered) return false;
  const shown = new DOMParser().parseFromString(`<body>${html}`, "text/html").body; // our own build's output
  if (!withCallToAction(shown, card)) return false;
  card.body.replaceChildren(...shown.childNodes);
  return true;
}

// The publisher's data-cta-url / data-cta-text in the card's call to action: the build
// prerendered it for each of the three cases, with placeholders that take the attributes'
// values (checked by attributes.js), as text and as the link. False when the prerendered
// card has no call to action to hold them (the engine renders one).
export function withCallToAction(body, card) {
  const { ctaUrl, ctaText } = card.config;
  if (ctaUrl === null && ctaText === null) return true;
  const fragments = callsToAction.get(card);
  if (!fragments) return false;
  const fragment = fragments[ctaText === null ? "url" : ctaUrl === null ? "text" : "both"];
  const shown = body.querySelector(".vd-cta");
  if (!fragment || !shown) return !fragment && !shown;
  const cta = new DOMParser().parseFromString(`<body>${fragment}`, "text/html").body.firstElementChild;
  if (ctaUrl !== null) cta.querySelector(".vd-cta-button").href = ctaUrl;
  if (ctaText !== null) cta.querySelector("p").textContent = ctaText;
  shown.replaceWith(cta);
  return true;
}

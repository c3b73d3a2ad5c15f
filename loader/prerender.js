// The card the build rendered (same engine, CPython), shown before the engine
// is up. The cards file of the default heading level was requested by the
// first script, in parallel with the loader's own download; other levels are
// fetched here. Every locale is prerendered, and every section is in the
// prerendered markup (the frame hides and orders them), so every attribute
// value gets its card at once.

import { byId } from "./cards.js";
import { fetchChecked } from "./integrity.js";
import { showJsonLd } from "./jsonld.js";

const DEFAULT_LEVEL = 2;
const CTA_TEXT_MAX = 200; // as verdict.render.CTA_TEXT_MAX
const levelFiles = new Map(); // cards file URL -> promise of its contents or null

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
    if (level === DEFAULT_LEVEL) return prerendered(bundle);
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
  if (card.inline) return true;
  const locales = file.cards[comparison];
  // The engine speaks the language subtag of the card's locale when it supports it, else
  // English (verdict.i18n.resolve_locale); the build prerenders every supported locale.
  const language = String(config.locale || "en").toLowerCase().split(/[-_]/)[0];
  const variant = locales && (Object.hasOwn(locales, language) ? locales[language] : locales.en);
  // data-results="after-vote": the prerender with the community figures held back (the engine shows them
  // to a reader who has voted).
  const kind = !config.endpoint ? "static" : config.results === "after-vote" ? "hidden" : "voting";
  const html = variant && variant[kind];
  if (!html || card.rendered) return false;
  const shown = new DOMParser().parseFromString(`<body>${html}`, "text/html").body; // our own build's output
  if (!withCallToAction(shown, config)) return false;
  card.body.replaceChildren(...shown.childNodes);
  return true;
}

// The publisher's data-cta-url / data-cta-text on the prerendered call to
// action, as the engine will render them (text as textContent, the URL
// already checked by attributes.js); false when the prerender has no call to
// action to carry them.
export function withCallToAction(body, { ctaUrl, ctaText }) {
  if (ctaUrl === null && ctaText === null) return true;
  const cta = body.querySelector(".vd-cta");
  if (!cta) return false;
  if (ctaUrl !== null) cta.querySelector(".vd-cta-button").href = ctaUrl;
  const text = ctaText === null ? null : ctaText.split(/\s+/).filter(Boolean).join(" ").slice(0, CTA_TEXT_MAX);
  if (text) {
    let line = cta.querySelector("p");
    if (!line) {
      line = document.createElement("p");
      line.dir = "auto";
      cta.prepend(line);
    }
    line.textContent = text;
  }
  return true;
}

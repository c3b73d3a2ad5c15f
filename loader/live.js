// A card's live figures without the runtime: most readers never vote, and
// what they see of a card is the build's card plus the live tallies. The
// vote endpoint renders exactly that with the same engine
// (GET /v1/cards/<comparison>, widget/verdict/livecard.py), a few kilobytes
// of HTML instead of the runtime's 4 MB; the runtime then starts only on the
// reader's first touch of the card (boot.js). The engine is still what
// renders a card whose device holds a vote for its endpoint (shown as the
// reader's, or waiting to be delivered), a bundle the build never saw, and
// every card once the reader has touched it.
//
// The endpoint is another party than the widget host, so its answer is
// untrusted markup: parsed inertly (DOMParser: no script runs, nothing
// loads), then taken only if every element and attribute is one the engine's
// own cards use (VERDICT_ASSETS.markup, listed by the build from its
// prerendered cards), no attribute is an event handler or a style, and every
// link is one the build's card already has. Otherwise it is refused as a
// whole (one console warning) and the card's engine renders it instead.
// Nothing of it is ever assigned as innerHTML.

import { showPending } from "./pending.js";
import { byId } from "./cards.js";
import { withCallToAction } from "./prerender.js";
import { engineLocale } from "./rules.js";
import { say } from "./words.js";

const MAX_CHARS = 200000; // an endpoint's card is about 10 KB
const TIMEOUT_MS = 10000;
const HTML_NS = "http://www.w3.org/1999/xhtml";
const DEVICE_KEYS = ["verdict", "verdict:early"]; // localStorage: the engine's votes, clicks kept for it (pending.js)
const TAGS = new Set(VERDICT_ASSETS.markup.tags);
const ATTRIBUTES = new Set(VERDICT_ASSETS.markup.attributes);
let keys = new Map(); // bundle URL -> the build's key of that bundle and engine

export function configureLive(asset) {
  keys = new Map(Object.entries(VERDICT_ASSETS.liveKeys).map(([bundle, key]) => [asset(bundle), key]));
}

// Whether the endpoint may show `card` live: a card with a vote endpoint, showing the build's card of a
// bundle the build saw, on a device that holds nothing for that endpoint (no vote of the reader's to show as
// theirs, none waiting to be delivered: those need the engine).
export function liveWithoutEngine(card) {
  const { endpoint, bundle } = card.config;
  if (!endpoint || !keys.has(bundle) || !shownComparison(card)) return false;
  try {
    const device = JSON.parse(localStorage.getItem(DEVICE_KEYS[0]) || "{}") || {};
    const base = endpoint.replace(/\/+$/, "");
    if (Object.keys(device.votes || device).some((key) => key.startsWith(base + "|"))) return false;
    const early = JSON.parse(localStorage.getItem(DEVICE_KEYS[1]) || "[]");
    return !(Array.isArray(early) && early.some((kept) => String(kept && kept.endpoint).replace(/\/+$/, "") === base));
  } catch {
    return true; // storage blocked or unreadable: this device holds no vote we could show
  }
}

function shownComparison(card) {
  const shown = card.body.querySelector(".vd-card[data-comparison]");
  return shown && shown.dataset.comparison;
}

// Fetch the endpoint's card and show it in place of the build's; true when shown. Never after the engine has
// rendered the card; a click taken meanwhile still shows as taken.
export async function showLive(card) {
  const { endpoint, bundle, locale, headingLevel } = card.config;
  const comparison = shownComparison(card);
  const url = new URL(`${endpoint.replace(/\/+$/, "")}/v1/cards/${encodeURIComponent(comparison)}`);
  url.search = new URLSearchParams({ key: keys.get(bundle), locale: engineLocale(locale), level: String(headingLevel) })
    .toString();
  let html;
  try {
    const response = await fetch(url, { credentials: "omit", signal: AbortSignal.timeout(TIMEOUT_MS) });
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || !type.startsWith("text/html")) return false; // e.g. 409: another bundle or engine there
    html = await response.text();
  } catch {
    return false; // unreachable, or this page's origin refused: the engine says so
  }
  if (byId(card.id) !== card || card.rendered) return false;
  const links = new Set([...card.body.querySelectorAll("[href]")].map((a) => a.getAttribute("href")));
  // The publisher's data-cta-url replaces the call to action's link below, as on the build's card.
  if (card.config.ctaUrl !== null) links.add(null);
  const checked = checkedCard(html, comparison, links);
  if (typeof checked === "string") {
    const why = checked.slice(0, 200);
    console.warn(`Verdict: the card from ${url.origin} was not shown (${why}); the widget renders it instead.`);
    return false;
  }
  if (!withCallToAction(checked, card)) return false;
  const focused = card.root.activeElement && card.root.activeElement.id;
  card.body.replaceChildren(...checked.childNodes);
  if (focused && card.root.getElementById(focused)) card.root.getElementById(focused).focus();
  showPending(card);
  performance.mark("verdict:live-card");
  return true;
}

// The endpoint's card as an inert <body> of another document, or what is wrong with it.
function checkedCard(html, comparison, links) {
  if (html.length > MAX_CHARS) return `larger than ${MAX_CHARS} characters`;
  const body = new DOMParser().parseFromString(`<body>${html}`, "text/html").body;
  const card = body.firstElementChild;
  if (body.childElementCount !== 1 || !card.matches("article.vd-card") || card.dataset.comparison !== comparison) {
    return `not one card of ${comparison}`;
  }
  for (const node of body.querySelectorAll("*")) {
    if (node.namespaceURI !== HTML_NS || !TAGS.has(node.localName)) return `an element <${node.localName}>`;
    for (const { name, value } of node.attributes) {
      if (!ATTRIBUTES.has(name) || name.startsWith("on") || name === "style") return `an attribute ${name}`;
      const replaced = links.has(null) && node.matches(".vd-cta-button");
      if (name === "href" && !replaced && !links.has(value)) return `a link the published card does not have: ${value}`;
    }
  }
  return body;
}

// Before the reader's first touch of a card that waits for it: its vote status says the figures are those
// the page was published with and live counts come on use (the engine's words, in the card's language).
export function sayAsPublished(card) {
  const status = card.body.querySelector(".vd-vote-status");
  if (!status || card.rendered || card.pending) return;
  // Translators: shown on a card whose live vote counts wait for the reader's first touch (a slow
  // connection, or data-lazy="interaction"): the figures shown are those the page was published with.
  const [text, lang] = say(card.config.locale, "Figures as published; live vote counts load when you use the card.");
  status.textContent = text;
  status.lang = lang;
}

// The cards on the page: each card's record, its Shadow DOM, and the few
// pieces of markup the loader draws itself (skeleton, error card). The card's
// HTML comes from the engine (or the build's prerender): the loader only
// swaps it in.

import { explainViolation } from "./csp.js";
import { say } from "./words.js";

const cards = new Map(); // card id -> card record (below)
const cardOf = new WeakMap(); // host element -> its card (nothing is written on the host itself)
let sheet = null; // one constructed stylesheet, adopted by every card
let nextId = 1;

export const byId = (id) => cards.get(id);
export const byHost = (host) => cardOf.get(host);
export const allCards = () => cards.values();

const BLOCKS = ["scorecard", "vote", "cta"]; // the sections data-sections may reorder

// A new card in `host`'s shadow root: {id, host, root, body, live, config,
// mounted, rendered, inline}. `body` takes the card's HTML, `live` is the
// screen readers' live region. A card inlined in the page (a declarative
// shadow root holding a prerendered card) is upgraded in place: its HTML
// stays, so it does not blink or move; `inline` is then true.
export function createCard(host, config) {
  const root = host.shadowRoot || host.attachShadow({ mode: "open" });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(VERDICT_CSS);
  }
  const found = root.querySelector(".vd-root > .vd-body > .vd-card");
  const inlined = found && found.parentNode.parentNode.parentNode === root ? found : null;
  const frame = inlined ? inlined.parentNode.parentNode : el("div", "vd-root");
  // The inline card's own <style> gives way to the shared sheet (the same rules) in one step.
  if (inlined && getComputedStyle(inlined).display !== "grid") explainViolation("style-src", "inline");
  root.adoptedStyleSheets = [sheet];
  if (inlined) root.replaceChildren(frame);
  else root.replaceChildren();
  frame.dataset.theme = config.theme;
  showSections(frame, config.sections);
  const body = inlined ? inlined.parentNode : el("div", "vd-body");
  let live = inlined && [...frame.children].find((child) => child.classList.contains("vd-live"));
  if (!live) {
    live = el("div", "vd-live");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    if (inlined) frame.append(live);
  }
  if (!inlined) {
    frame.append(body, live);
    root.append(frame);
  }
  const card = { id: "card-" + nextId++, host, root, body, live, config, mounted: false, rendered: false,
    inline: Boolean(inlined) };
  cards.set(card.id, card);
  cardOf.set(host, card);
  return card;
}

// data-sections, on the frame: the stylesheet hides the sections left out and
// orders the blocks, so a prerendered card with every section fits any value.
function showSections(frame, sections) {
  if (!sections) {
    delete frame.dataset.sections;
    return;
  }
  frame.dataset.sections = sections.join(" ");
  sections.filter((s) => BLOCKS.includes(s)).forEach((s, i) => frame.style.setProperty("--vd-order-" + s, i + 1));
}

export function removeCard(card) {
  cards.delete(card.id);
  cardOf.delete(card.host);
  card.root.replaceChildren();
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text) node.textContent = text;
  return node;
}

// The skeleton and the error card speak the card's locale (see words.js).
export function skeleton(locale, english) {
  const [text, lang] = say(locale, english);
  const box = el("div", "vd-card vd-skeleton");
  box.lang = lang;
  box.setAttribute("part", "card");
  box.setAttribute("aria-busy", "true");
  box.append(el("div", "vd-skeleton-bar"), el("div", "vd-skeleton-bar"), el("p", "vd-skeleton-status", text));
  return box;
}

export function errorCard(locale, english) {
  const [text, lang] = say(locale, english);
  const box = el("div", "vd-card vd-error");
  box.lang = lang;
  box.setAttribute("part", "card error");
  box.setAttribute("role", "alert");
  box.append(el("p", "vd-error-title", say(locale, "This comparison can't be shown")[0]), el("p", "", text));
  return box;
}

// Replace the card's HTML (escaped by the engine) and keep keyboard focus.
export function swap(card, html) {
  const focused = card.root.activeElement && card.root.activeElement.id;
  card.body.innerHTML = html;
  if (focused) {
    const again = card.root.getElementById(focused);
    if (again) again.focus();
  }
  if (!card.rendered) {
    card.rendered = true;
    performance.mark("verdict:engine-card");
  }
}

// The card's structured data (schema.org JSON-LD, built by the engine) in the
// host page's light DOM, where search engines read it: a
// <script type="application/ld+json"> inside the card's element. Off with
// data-jsonld="off". An inline card brings its own.

const SELECTOR = ':scope > script[type="application/ld+json"][data-verdict-jsonld]';

// `json`: the engine's JSON text (already safe inside a <script> element).
export function showJsonLd(card, json) {
  if (card.config.jsonld === "off" || card.jsonldShown) return;
  card.jsonldShown = true;
  const inlined = card.host.querySelector(':scope > script[type="application/ld+json"]');
  if (inlined && !inlined.hasAttribute("data-verdict-jsonld")) return;
  let script = card.host.querySelector(SELECTOR);
  if (!script) {
    script = document.createElement("script");
    script.type = "application/ld+json";
    script.setAttribute("data-verdict-jsonld", "");
    card.host.append(script);
  }
  script.textContent = json; // data, never run: its type is not JavaScript
}

export function removeJsonLd(card) {
  const script = card.host.querySelector(SELECTOR);
  if (script) script.remove();
}

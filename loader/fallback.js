// When the widget host sends no CORS header, this page cannot import the
// loader module nor read the prerendered cards, but frame.html can still run
// the whole card from the widget host's own origin, where CORS does not
// apply. So each card with nothing to show becomes that iframe (the iframe
// form, data-verdict-frame: its height follows the card). Part of the first
// script: it must work when nothing else could be loaded.

import { PLACEHOLDER } from "./hosts.js";
import { FRAME_ATTRIBUTES, isSlug } from "./rules.js";

const BUNDLE_PATH = /^bundles\/([^/]+)\.json$/;

// Replaces each [data-verdict] element without a card of its own (an inline
// card keeps its shadow root) by an iframe of frame.html; how many it framed.
// `script` carries the page-wide default attributes, `widget` is the URL of dist/.
export function framesInstead(script, widget) {
  let framed = 0;
  for (const host of document.querySelectorAll(PLACEHOLDER)) {
    if (host.shadowRoot) continue;
    const value = (name) => host.getAttribute("data-" + name) ?? script.getAttribute("data-" + name);
    const query = frameQuery(value, widget);
    if (!query) continue;
    const frame = document.createElement("iframe");
    frame.src = new URL("frame.html?" + query, widget).href;
    frame.title = "Comparison " + (query.get("comparison") || "");
    frame.setAttribute("data-verdict-frame", "");
    frame.style.cssText = "display:block;width:100%;height:480px;border:0";
    host.replaceChildren(frame);
    framed++;
  }
  return framed;
}

// frame.html's query for a card, or null when its bundle is not one published
// with this widget (frame.html serves only those, from bundles/NAME.json).
function frameQuery(value, widget) {
  let bundle;
  try {
    bundle = new URL((value("bundle") || "").trim(), document.baseURI).href;
  } catch {
    return null;
  }
  const match = bundle.startsWith(widget) && BUNDLE_PATH.exec(bundle.slice(widget.length));
  if (!match || !isSlug(match[1])) return null;
  const query = new URLSearchParams({ bundle: match[1] });
  for (const name of FRAME_ATTRIBUTES) {
    const given = value(name);
    if (given !== null) query.set(name, given);
  }
  return query;
}

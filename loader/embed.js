// Verdict's first script: the only one a publisher pastes (stable name, short
// cache). It stays tiny (a test keeps it under 3 KB gzip) and does three
// things at once: places the card host where the script tag stands, starts
// fetching the prerendered cards of the bundles named on the page, and
// imports the loader proper (a content-hashed module: loader.js and what it
// imports, with the card's stylesheet). window.Verdict exists from here on;
// its calls wait for the loader.
import { framesInstead } from "./fallback.js";
import { CARD_HOSTS, PLACEHOLDER, attributeOn } from "./hosts.js";
import { fetchChecked, explain } from "./integrity.js";
import { cardHostFor } from "./placement.js";

// Filled in by the build: {loader: [path of the loader module, integrity],
// prerendered: {bundle path: [cards file path, integrity]}}; paths are
// relative to this script. Every file is checked against its integrity hash.
const BOOT = VERDICT_BOOT;

const script = document.currentScript;
if (window.Verdict) {
  // A second copy of the loader on the page: let the first one do the work.
  if (script) window.Verdict.render(cardHostFor(script, true), {});
} else if (script) {
  boot(script);
}

function boot(script) {
  const base = script.src;
  const asset = (path) => new URL(path, base).href;
  const files = new Map(Object.entries(BOOT.prerendered).map(([bundle, [file, sri]]) => [asset(bundle), [asset(file), sri]]));
  const fetched = new Map();
  // The prerendered cards of a bundle URL: a promise of {first, cards, jsonld} or null.
  const prerendered = (bundle) => {
    const [file, sri] = files.get(bundle) || [];
    if (!file) return Promise.resolve(null);
    if (!fetched.has(file)) fetched.set(file, fetchChecked(file, sri).then((r) => r.json()).catch(() => null));
    return fetched.get(file);
  };
  for (const el of [script, ...document.querySelectorAll(CARD_HOSTS)]) {
    try {
      const bundle = el.getAttribute(attributeOn(el, "bundle"));
      if (bundle) prerendered(new URL(bundle.trim(), document.baseURI).href);
    } catch {
      // A bad URL: the loader warns about it.
    }
  }
  cardHostFor(script, false);
  fitFrames(new URL(base).origin);

  let loader = null;
  const queue = [];
  const later = (name) => (...args) => {
    if (loader) return loader[name](...args);
    queue.push([name, args]);
    return name === "render" && args[0] instanceof Element ? args[0] : null;
  };
  window.Verdict = Object.freeze({ render: later("render"), destroy: later("destroy"), scan: later("scan") });
  const [loaderPath, loaderIntegrity] = BOOT.loader;
  importChecked(asset(loaderPath), loaderIntegrity)
    .then((module) => {
      loader = module.start({ script, base, prerendered });
      for (const [name, args] of queue.splice(0)) loader[name](...args);
    }, async (error) => {
      const { problem, text } = await explain(asset(loaderPath), error);
      console.error("Verdict: the loader could not be loaded:", text);
      const widget = asset("./");
      // (A frame.html page loads from its own origin: never a CORS problem, never a frame in a frame.)
      if (problem === "cors" && framesInstead(script, widget)) {
        console.warn(`Verdict: showing each card in an iframe of ${widget}frame.html until the widget host sends ` +
          `that header. Its votes come from the origin ${new URL(widget).origin}: allow it on the vote endpoint ` +
          "(--allow-origin) meanwhile, or fix the header.");
      }
      for (const el of document.querySelectorAll(PLACEHOLDER)) {
        if (!el.shadowRoot && !el.firstElementChild) el.textContent = "This comparison can't be shown right now.";
      }
    });
}

// import() of a module checked against its integrity hash: a modulepreload
// link carries the hash, and the import takes the module it loaded.
function importChecked(url, integrity) {
  const link = document.createElement("link");
  link.rel = "modulepreload";
  link.href = url;
  link.integrity = integrity;
  link.crossOrigin = "anonymous";
  return new Promise((resolve, reject) => {
    link.onload = () => resolve(import(url));
    link.onerror = () => reject(new Error("refused"));
    (document.head || document.documentElement).append(link);
  }).finally(() => link.remove());
}

// Iframes of frame.html (the iframe form, data-verdict-frame) take the height
// their card reports, and only from a frame of ours: the message must come
// from the widget host's origin and from one of those iframes' windows.
function fitFrames(widgetOrigin) {
  window.addEventListener("message", (event) => {
    if (event.origin !== widgetOrigin || !event.data || event.data.type !== "verdict:frame-size") return;
    const height = Number(event.data.height);
    if (!(height > 0 && height < 100000)) return;
    for (const frame of document.querySelectorAll("iframe[data-verdict-frame]")) {
      if (frame.contentWindow === event.source) frame.style.height = `${Math.ceil(height)}px`;
    }
  });
}

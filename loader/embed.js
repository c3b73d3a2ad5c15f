// Verdict's first script: the only one a publisher pastes (stable name, short
// cache). It stays tiny (a test keeps it under 3 KB gzip) and does three
// things at once: places the card host where the script tag stands, starts
// fetching the prerendered cards of the bundles named on the page, and
// imports the loader proper (a content-hashed module: loader.js and what it
// imports, with the card's stylesheet). window.Verdict exists from here on;
// its calls wait for the loader.
import { cardHostFor } from "./placement.js";

// Filled in by the build: {loader: path of the loader module, prerendered:
// {bundle path: cards file path}}; paths are relative to this script.
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
  const files = new Map(Object.entries(BOOT.prerendered).map(([bundle, file]) => [asset(bundle), asset(file)]));
  const fetched = new Map();
  // The prerendered cards of a bundle URL: a promise of {first, cards} or null.
  const prerendered = (bundle) => {
    const file = files.get(bundle);
    if (!file) return Promise.resolve(null);
    if (!fetched.has(file)) fetched.set(file, fetch(file).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    return fetched.get(file);
  };
  for (const el of [script, ...document.querySelectorAll("[data-verdict]")]) {
    try {
      const bundle = el.getAttribute("data-bundle");
      if (bundle) prerendered(new URL(bundle.trim(), document.baseURI).href);
    } catch {
      // A bad URL: the loader warns about it.
    }
  }
  cardHostFor(script, false);

  let loader = null;
  const queue = [];
  const later = (name) => (...args) => {
    if (loader) return loader[name](...args);
    queue.push([name, args]);
    return name === "render" && args[0] instanceof Element ? args[0] : null;
  };
  window.Verdict = Object.freeze({ render: later("render"), destroy: later("destroy"), scan: later("scan") });
  import(asset(BOOT.loader))
    .then((module) => {
      loader = module.start({ script, base, prerendered });
      for (const [name, args] of queue.splice(0)) loader[name](...args);
    })
    .catch((error) => console.error("Verdict: the loader could not be loaded:", error));
}

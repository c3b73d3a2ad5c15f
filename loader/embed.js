// Verdict embed loader: the only script a publisher pastes.
//
// It finds its <script> tag and [data-verdict] placeholders, reads and checks
// their data-* attributes, gives each card a Shadow DOM, shows the card the
// build prerendered (or a skeleton), and, when a card nears the viewport,
// starts one Web Worker per page in which Python renders, tallies and votes.
// It moves messages and HTML; all product logic lives in the Python engine.
(() => {
  "use strict";

  // Filled in by the build: hashed asset paths (relative to this script), the
  // card's stylesheet, and which bundles have prerendered cards.
  const ASSETS = /*@assets*/ null;

  const script = document.currentScript;
  if (window.Verdict) {
    // A second copy of the loader on the page: let the first one do the work.
    if (script) window.Verdict.render(cardHostFor(script, true), {});
    return;
  }
  if (!script || !ASSETS) return;

  const BASE = script.src;
  const asset = (path) => new URL(path, BASE).href;
  const PRERENDERED = new Map(Object.entries(ASSETS.prerendered).map(([bundle, file]) => [asset(bundle), file]));
  const STORAGE_KEY = "verdict";
  const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  const THEMES = ["light", "dark", "auto"];
  const SECTIONS = ["figures", "description", "scorecard", "vote", "cta"];
  const DEFAULTS = { bundle: null, comparison: null, endpoint: null, theme: "light", lazy: true,
    sections: null, headingLevel: 2 };

  const cards = new Map(); // card id -> { host, root, body, live, config, mounted, rendered }
  const cardOf = new WeakMap(); // host element -> its card (nothing is written on the host itself)
  const prerenders = new Map(); // cards file URL -> Promise of {comparison: html}
  let worker = null;
  let workerUrl = null; // the blob: wrapper, released once the worker has answered
  let sheet = null;
  let nextId = 1;

  // ---- attributes ---------------------------------------------------------
  function warn(attribute, value, fallback) {
    console.warn(`Verdict: ignoring ${attribute}="${value}"; using ${fallback === null ? "none" : fallback}.`);
  }

  function httpUrl(value) {
    try {
      const url = new URL(value, document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  const READERS = {
    bundle: (v) => httpUrl(v),
    comparison: (v) => (SLUG.test(v) ? v : null),
    endpoint: (v) => httpUrl(v),
    theme: (v) => (THEMES.includes(v) ? v : null),
    lazy: (v) => (v === "true" ? true : v === "false" ? false : null),
    sections: (v) => {
      const list = v.split(",").map((s) => s.trim()).filter(Boolean);
      return list.length && list.every((s) => SECTIONS.includes(s)) ? list : null;
    },
    headingLevel: (v) => (/^[1-6]$/.test(v) ? Number(v) : null),
  };
  const ATTRIBUTE = (key) => "data-" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());

  // An element's own data-* win; the script tag's are page-wide defaults.
  function readConfig(el, overrides) {
    const config = {};
    for (const key of Object.keys(DEFAULTS)) {
      let value = DEFAULTS[key];
      for (const source of [script, el]) {
        const raw = source && source.getAttribute(ATTRIBUTE(key));
        if (raw === null || source === null) continue;
        const parsed = READERS[key](raw.trim());
        if (parsed === null) warn(ATTRIBUTE(key), raw, value);
        else value = parsed;
      }
      if (overrides && key in overrides) value = overrides[key];
      config[key] = value;
    }
    return config;
  }

  // ---- cards --------------------------------------------------------------
  function cardHostFor(scriptTag, always) {
    const wanted = always || scriptTag.hasAttribute("data-comparison") || !document.querySelector("[data-verdict]");
    if (!wanted) return null;
    const host = document.createElement("div");
    // A second loader copy passes its own attributes on through the host.
    if (always) for (const { name, value } of scriptTag.attributes) if (name.startsWith("data-")) host.setAttribute(name, value);
    host.setAttribute("data-verdict", "");
    scriptTag.after(host);
    return host;
  }

  function render(host, overrides) {
    if (!host || !(host instanceof Element)) return null;
    if (cardOf.has(host)) destroy(host);
    const config = readConfig(host, overrides);
    const id = "card-" + nextId++;
    const root = host.shadowRoot || host.attachShadow({ mode: "open" });
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(ASSETS.css);
    }
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = "";
    const frame = el("div", "vd-root");
    frame.dataset.theme = config.theme;
    const body = el("div", "vd-body");
    const live = el("div", "vd-live");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    frame.append(body, live);
    root.append(frame);
    const card = { id, host, root, body, live, config, mounted: false, rendered: false };
    cards.set(id, card);
    cardOf.set(host, card);
    root.addEventListener("click", onClick);

    if (!config.bundle) {
      console.error("Verdict: no data-bundle on the card or the script tag; nothing to show.");
      body.append(errorCard("No comparison bundle was given (data-bundle)."));
      return host;
    }
    showPrerendered(card).then((shown) => {
      if (!shown && !card.rendered) body.replaceChildren(skeleton("Loading the comparison…"));
      performance.mark("verdict:card-visible");
    });
    if (config.lazy) observer().observe(host);
    else mount(card);
    return host;
  }

  function destroy(host) {
    const card = host && cardOf.get(host);
    if (!card) return;
    if (observer_) observer_.unobserve(host);
    if (card.mounted) worker.postMessage({ type: "unmount", card: card.id });
    cards.delete(card.id);
    card.root.removeEventListener("click", onClick);
    card.root.innerHTML = "";
    cardOf.delete(host);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function skeleton(text) {
    const box = el("div", "vd-card vd-skeleton");
    box.setAttribute("aria-busy", "true");
    box.append(el("div", "vd-skeleton-bar"), el("div", "vd-skeleton-bar"), el("p", "vd-skeleton-status", text));
    return box;
  }

  function errorCard(text) {
    const box = el("div", "vd-card vd-error");
    box.setAttribute("role", "alert");
    box.append(el("p", "vd-error-title", "This comparison can't be shown"), el("p", "", text));
    return box;
  }

  async function showPrerendered(card) {
    const file = PRERENDERED.get(card.config.bundle);
    if (!file) return false;
    if (!prerenders.has(file)) {
      prerenders.set(file, fetch(asset(file)).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    const cardsFile = await prerenders.get(file);
    const comparison = card.config.comparison || (cardsFile && cardsFile.first);
    const variant = cardsFile && cardsFile.cards[comparison];
    const html = variant && card.config.sections === null && card.config.headingLevel === 2 &&
      variant[card.config.endpoint ? "voting" : "static"];
    if (!html || card.rendered || !cards.has(card.id)) return false;
    card.body.innerHTML = html; // our own build's output, never bundle text
    return true;
  }

  // ---- the engine ---------------------------------------------------------
  let observer_ = null;
  function observer() {
    observer_ = observer_ || new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer_.unobserve(entry.target);
        if (cardOf.has(entry.target)) mount(cardOf.get(entry.target));
      }
    }, { rootMargin: "600px 0px" });
    return observer_;
  }

  function mount(card) {
    if (card.mounted) return;
    card.mounted = true;
    const { bundle, comparison, endpoint, sections, headingLevel } = card.config;
    engine().postMessage({ type: "mount", card: card.id, bundle, comparison, endpoint,
      options: { sections, headingLevel }, device: readDevice() });
  }

  function engine() {
    if (worker) return worker;
    performance.mark("verdict:engine-start");
    const wrapper = `import ${JSON.stringify(asset(ASSETS.worker))};`;
    workerUrl = URL.createObjectURL(new Blob([wrapper], { type: "text/javascript" }));
    worker = new Worker(workerUrl, { type: "module", name: "verdict" });
    worker.onmessage = onWorkerMessage;
    worker.onerror = (event) => engineFailed(event.message || "the engine could not start");
    worker.postMessage({ type: "boot", runtime: {
      pyodide: asset(ASSETS.pyodide), indexURL: asset(ASSETS.indexURL), stdlib: asset(ASSETS.stdlib),
      lock: asset(ASSETS.lock), packages: asset(ASSETS.packages) } });
    return worker;
  }

  function engineFailed(text) {
    console.error("Verdict: the engine failed to start:", text);
    for (const card of cards.values()) {
      if (card.body.querySelector(".vd-skeleton")) card.body.replaceChildren(errorCard("The comparison engine could not start."));
      const status = card.body.querySelector(".vd-vote-status");
      if (status) status.textContent = "Voting is unavailable right now.";
    }
  }

  function readDevice() {
    try {
      return JSON.parse(localStorage.getItem(STORAGE_KEY)) || {};
    } catch {
      return {};
    }
  }

  function onWorkerMessage({ data }) {
    const card = cards.get(data.card);
    if (workerUrl && (data.type === "ready" || data.type === "failed")) {
      URL.revokeObjectURL(workerUrl);
      workerUrl = null;
    }
    switch (data.type) {
      case "ready":
        performance.mark("verdict:engine-ready");
        break;
      case "failed":
        engineFailed(data.text);
        break;
      case "html":
        if (card) swap(card, data.html);
        break;
      case "status": {
        const status = card && card.body.querySelector(".vd-skeleton-status");
        if (status) status.textContent = data.text;
        break;
      }
      case "announce":
        if (card) card.live.textContent = data.text;
        break;
      case "store":
        try {
          localStorage.setItem(STORAGE_KEY, JSON.stringify(data.device));
        } catch {
          // Storage may be blocked; the vote still counts, it just isn't remembered here.
        }
        break;
      case "event":
        if (card) card.host.dispatchEvent(new CustomEvent(data.name, { detail: data.detail, bubbles: true, composed: true }));
        break;
      case "log":
        (console[data.level] || console.log)(data.text);
        break;
    }
  }

  // Replace the card's HTML (escaped by the engine) and keep keyboard focus.
  function swap(card, html) {
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

  function onClick(event) {
    const target = event.target.closest("[data-action]");
    const card = target && cardOf.get(event.currentTarget.host);
    if (!card) return;
    event.preventDefault();
    mount(card); // a click before the engine is up still counts: it waits in the worker
    target.setAttribute("aria-busy", "true");
    worker.postMessage({ type: "action", card: card.id, action: target.dataset.action, tool: target.dataset.tool });
  }

  // ---- start --------------------------------------------------------------
  function scan(rootNode) {
    const found = rootNode.matches && rootNode.matches("[data-verdict]") ? [rootNode] : [];
    found.push(...(rootNode.querySelectorAll ? rootNode.querySelectorAll("[data-verdict]") : []));
    for (const host of found) if (!cardOf.has(host)) render(host);
  }

  window.Verdict = Object.freeze({ render, destroy, scan: () => scan(document) });
  cardHostFor(script, false);
  scan(document);
  // Cards added later (single-page apps, infinite scroll) render on their own.
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node.nodeType === 1) scan(node);
      for (const node of record.removedNodes) {
        if (node.nodeType !== 1 || node.isConnected) continue;
        for (const host of [node, ...node.querySelectorAll("[data-verdict]")]) destroy(host);
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

// The bridge to the engine: one Web Worker per page, in which Pyodide runs
// the Python engine (worker.js). It starts when the first card needs it, and
// from then on the loader only moves JSON messages both ways: `send` to the
// engine, `handlers` for what it answers (see widget/verdict/browser.py).

import { acted, forgetClicks, showPending, storedClicks } from "./pending.js";
import { compileCore, compiledBefore, keepCompiled } from "./core.js";
import { allCards, byId, errorCard, swap } from "./cards.js";
import { fetchChecked } from "./integrity.js";
import { explainViolation } from "./csp.js";
import { showJsonLd } from "./jsonld.js";
import { say } from "./words.js";

const STORAGE_KEY = "verdict";
let worker = null; // the Worker, once its checked source has loaded
let starting = null; // messages sent while the worker's source downloads
let workerUrl = null; // the blob: URL of the worker's source, released once the worker has answered
let asset = null;
let coreOnPage = false; // the page compiles the runtime's core (loader/core.js)

// Where the runtime lives: paths of VERDICT_ASSETS resolve against `base`
// (the first script's URL).
export function configure(base) {
  asset = (path) => new URL(path, base).href;
}

export function engineStarted() {
  return starting !== null || worker !== null;
}

// A message to the engine, starting it first if needed; messages sent while
// it boots wait (here while its source downloads, then in the worker).
export function send(message) {
  if (worker) worker.postMessage(message);
  else {
    if (!starting) start();
    starting.push(message);
  }
}

// The worker's source is fetched and checked against the build's hash, then
// started from a blob: URL (a page may not start a worker from another
// origin's URL; a host page's CSP needs worker-src blob:).
async function start() {
  performance.mark("verdict:engine-start");
  starting = [];
  coreOnPage = compiledBefore(asset(VERDICT_ASSETS.core));
  const core = coreOnPage ? compileCore(asset(VERDICT_ASSETS.core)) : null;
  const byUrl = (map) => Object.fromEntries(Object.entries(map).map(([path, value]) => [asset(path), value]));
  let source;
  try {
    const url = asset(VERDICT_ASSETS.worker);
    source = await (await fetchChecked(url, VERDICT_ASSETS.integrity[VERDICT_ASSETS.worker])).text();
  } catch (error) {
    engineFailed(error.message);
    return;
  }
  const script = new Blob([source], { type: "text/javascript" });
  // A sandboxed frame (WordPress's embeds: an opaque origin) may not start a module worker from
  // its own blob: URL, but may from a data: URL, which needs no release.
  workerUrl = self.origin === "null" ? null : URL.createObjectURL(script);
  worker = new Worker(workerUrl || (await dataUrl(script)), { type: "module", name: "verdict" });
  worker.onmessage = ({ data }) => onMessage(data);
  worker.onerror = (event) => engineFailed(event.message || "the engine could not start");
  // Another tab of this site changed the stored votes: the engine merges them (newer choices win).
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) worker.postMessage({ type: "device", device: readDevice() });
  });
  worker.postMessage({ type: "boot", runtime: {
    indexURL: asset(VERDICT_ASSETS.indexURL), core: asset(VERDICT_ASSETS.core), coreFromPage: coreOnPage,
    stdlib: asset(VERDICT_ASSETS.stdlib), lock: asset(VERDICT_ASSETS.lock),
    packages: asset(VERDICT_ASSETS.packages), integrity: byUrl(VERDICT_ASSETS.integrity),
    sizes: byUrl(VERDICT_ASSETS.sizes), downloadMB: VERDICT_ASSETS.downloadMB } });
  for (const message of starting.splice(0)) worker.postMessage(message);
  if (!core) return; // the worker compiles the core itself
  const compiled = await core;
  worker.postMessage({ type: "core", compiled }, compiled ? [compiled.bytes] : []);
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

// Ask the engine to render `card` (once): it fetches the bundle, validates,
// derives the figures, fetches live tallies and sends the card's HTML.
export function mount(card) {
  if (card.mounted) return;
  card.mounted = true;
  const { bundle, comparison, endpoint, sections, headingLevel, locale, ctaUrl, ctaText, results } = card.config;
  send({ type: "mount", card: card.id, bundle, comparison, endpoint,
    options: { sections, headingLevel, locale, ctaUrl, ctaText, results }, device: readDevice(), early: storedClicks() });
}

export function unmount(card) {
  if (card.mounted) send({ type: "unmount", card: card.id });
}

function readDevice() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY)) || {};
  } catch {
    return {};
  }
}

function engineFailed(text) {
  console.error("Verdict: the engine failed to start:", text);
  for (const card of allCards()) withoutEngine(card);
}

// A card the engine cannot serve keeps what it shows (a prerendered card stays readable); a skeleton
// becomes an error card, and the vote status says voting is unavailable.
function withoutEngine(card) {
  if (card.body.querySelector(".vd-skeleton")) card.body.replaceChildren(errorCard(card.config.locale, "The comparison engine could not start."));
  const status = card.body.querySelector(".vd-vote-status");
  if (status) status.textContent = say(card.config.locale, "Voting is unavailable right now.")[0];
}

// The runtime lacks a Python module the engine imports: the build's trim (which keeps what a traced run
// of the engine imported) missed it. Named once; the card it happened on, or every card when the engine
// could not start at all, carries on without the engine.
const toldMissing = new Set();

function missingModule(module, cards) {
  if (!toldMissing.has(module)) {
    toldMissing.add(module);
    console.error(`Verdict: the widget's Python runtime lacks the module "${module}", which the engine imports, ` +
      "so cards stay as prerendered and voting is off. The build's trim left it out: rebuild the widget with " +
      "`python3 build.py build --plain-runtime` (Pyodide's runtime, untouched) and report the module.");
  }
  for (const card of cards) withoutEngine(card);
}

// What the engine may say, by message type; `card` is the card it is about
// (undefined for page-wide messages or a card destroyed meanwhile).
const handlers = {
  ready: (data) => {
    performance.mark("verdict:engine-ready");
    // Compiling the core on the page again must not download it again: not when the host forbids storing it.
    if (!coreOnPage && data.coreStorable) keepCompiled(asset(VERDICT_ASSETS.core));
  },
  failed: (data) => engineFailed(data.text),
  html: (data, card) => {
    if (!card) return;
    swap(card, data.html);
    showPending(card); // a click the engine has not taken yet still shows as taken
  },
  acted: (data, card) => card && acted(card),
  // The engine has adopted these kept clicks into the device's outbox (stored just before).
  forget: (data) => forgetClicks(data.at),
  status: (data, card) => {
    const status = card && card.body.querySelector(".vd-skeleton-status");
    if (status) status.textContent = data.text;
  },
  announce: (data, card) => card && (card.live.textContent = data.text),
  store: (data) => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(data.device));
    } catch {
      // Storage may be blocked; the vote still counts, it just isn't remembered here.
    }
  },
  event: (data, card) =>
    card && card.host.dispatchEvent(new CustomEvent(data.name, { detail: data.detail, bubbles: true, composed: true })),
  log: (data) => (console[data.level] || console.log)(data.text),
  jsonld: (data, card) => card && showJsonLd(card, data.json),
  csp: (data) => explainViolation(data.directive, data.blocked),
  missing: (data, card) => missingModule(data.module, data.card ? [card].filter(Boolean) : allCards()),
};

function onMessage(data) {
  if (workerUrl && (data.type === "ready" || data.type === "failed")) {
    URL.revokeObjectURL(workerUrl);
    workerUrl = null;
  }
  const handler = handlers[data.type];
  if (handler) handler(data, byId(data.card));
}

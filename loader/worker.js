// Verdict engine worker: boots Pyodide once for the whole page, then relays
// JSON messages between the loader and the Python engine (verdict.worker starts verdict.browser).
// It holds no product logic. The loader starts it from a blob: URL of its
// source, fetched and checked against the build's hash, so its origin is the
// host page's and every URL it loads is absolute.
//
// Pyodide's JavaScript is bundled into this file at build time (so it is
// covered by the same hash), and every file the runtime fetches (the
// WebAssembly binary, the standard library, the lockfile, the wheels) is
// checked against the hash the build fixed for it: the wheels by Pyodide
// itself from the lockfile's sha256, the others by the fetch below.

import { loadPyodide } from "pyodide/pyodide.mjs";
import createPyodideModule from "pyodide/pyodide.asm.mjs";
import { diagnose, typeProblem } from "./integrity.js";
import { hostingAdvice } from "./hosting.js";

let engine = null;
const waiting = [];
let coreArrived;
// When the boot message says the page compiles the core (loader/core.js: browsers keep the machine code
// compiled there for the next visit): that module with the bytes it compiled, or null when the page could
// not, and the worker then fetches and compiles the core itself.
const compiledCore = new Promise((resolve) => (coreArrived = resolve));
const said = new Set();
let toldUncompressed = false; // one note for the whole runtime
let coreStorable = false; // whether the browser may keep the core fetched here (for loader/core.js)

function log(level, text) {
  if (said.has(text)) return;
  said.add(text);
  self.postMessage({ type: "log", level, text });
}

self.onmessage = ({ data }) => {
  if (data.type === "boot") boot(data.runtime);
  else if (data.type === "core") coreArrived(data.compiled);
  else if (engine) engine.handle(JSON.stringify(data));
  else waiting.push(data);
};

// A Content-Security-Policy of the host page applies here too; the loader
// explains which directive is missing.
self.addEventListener("securitypolicyviolation", (event) => {
  self.postMessage({ type: "csp", directive: event.effectiveDirective, blocked: event.blockedURI });
});

// fetch() with the build's integrity hash for the runtime's own files (a
// refused one is named on the console), and one console note when the
// widget host sends them uncompressed.
function checkedFetch(runtime) {
  const plain = self.fetch.bind(self);
  return async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const integrity = init.integrity || runtime.integrity[url];
    if (!integrity) return plain(input, init); // the bundle and the vote endpoint: the engine says what failed
    let response;
    try {
      response = await plain(input, integrity ? { ...init, integrity } : init);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      const why = await diagnose(url, error);
      log("error", `Verdict: ${why}`);
      throw new Error(why, { cause: error });
    }
    if (url === runtime.core) coreStorable = !/no-store/i.test(response.headers.get("cache-control") || "");
    const wrongType = typeProblem(url, response);
    if (wrongType && url.endsWith(".wasm")) {
      // The bytes passed the integrity check: only the label is wrong. WebAssembly's streaming compile
      // refuses anything but application/wasm, so the runtime gets the file labelled as it should be.
      log("warn", `Verdict: ${wrongType} (The engine starts anyway.)`);
      response = relabelled(response, "application/wasm");
    } else if (wrongType) {
      log("error", `Verdict: ${wrongType}`);
    }
    const size = runtime.sizes[url];
    if (size && !toldUncompressed && Number(response.headers.get("content-length")) === size) {
      toldUncompressed = true;
      log("warn", `Verdict: the widget host sends ${url} uncompressed (${(size / 1e6).toFixed(1)} MB): a reader's ` +
        `first visit downloads about ${runtime.downloadMB[0]} MB instead of ${runtime.downloadMB[1]} MB. ${hostingAdvice("encoding")}`);
    }
    return response;
  };
}

async function boot(runtime) {
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  try {
    self.fetch = checkedFetch(runtime);
    if (runtime.coreFromPage) WebAssembly.instantiateStreaming = coreFromPage(runtime, instantiateStreaming);
    const lock = fetch(runtime.lock).then((r) => r.text());
    const pyodide = await loadPyodide({
      indexURL: runtime.indexURL,
      stdLibURL: runtime.stdlib,
      lockFileContents: lock,
      packageBaseUrl: runtime.packages,
      packages: ["verdict"],
      createPyodideModule,
      stdout: () => {},
      stderr: (text) => console.warn(text),
    });
    WebAssembly.instantiateStreaming = instantiateStreaming;
    // None (undefined here) when the runtime lacks a module the engine imports: the loader was told which.
    engine = pyodide.pyimport("verdict.worker").start((text) => self.postMessage(JSON.parse(text)));
    if (!engine) return;
    self.postMessage({ type: "ready", coreStorable });
    for (const data of waiting.splice(0)) engine.handle(JSON.stringify(data));
  } catch (error) {
    self.postMessage({ type: "failed", text: String(error && error.message || error) });
  }
}

// Pyodide fetches its core and instantiates it with WebAssembly.instantiateStreaming (the only way it
// takes it): the core's fetch gets a stand-in response at once, and instantiating the stand-in
// instantiates the page's compiled core once its bytes match the build's hash, or else the core fetched
// (and checked) here, which names any problem on the console.
const standIns = new WeakSet();

function coreFromPage(runtime, instantiateStreaming) {
  const checked = self.fetch;
  self.fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input) !== runtime.core) return checked(input, init);
    const standIn = new Response(null, { headers: { "content-type": "application/wasm" } });
    standIns.add(standIn);
    return Promise.resolve(standIn);
  };
  return async (source, imports) => {
    try {
      const response = await source;
      if (!standIns.has(response)) return await instantiateStreaming(response, imports);
      const compiled = await compiledCore;
      if (compiled && (await matches(compiled.bytes, runtime.integrity[runtime.core]))) {
        return { module: compiled.module, instance: await WebAssembly.instantiate(compiled.module, imports) };
      }
      return await instantiateStreaming(checked(runtime.core, { credentials: "same-origin" }), imports);
    } catch (error) {
      // Pyodide only logs a failed instantiation and waits forever: the loader is told instead.
      self.postMessage({ type: "failed", text: String(error && error.message || error) });
      throw error;
    }
  };
}

// Whether `bytes` have the Subresource Integrity hash `integrity` (sha384-…); false where WebCrypto is
// missing (pages not served over HTTPS).
async function matches(bytes, integrity) {
  const [algorithm, expected] = integrity.split(/-(.*)/s);
  if (!self.crypto || !crypto.subtle || algorithm !== "sha384") return false;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-384", bytes));
  return btoa(String.fromCharCode(...digest)) === expected;
}

function relabelled(response, type) {
  const headers = new Headers(response.headers);
  headers.set("content-type", type);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

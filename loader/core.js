// The runtime's WebAssembly core (8.7 MB, Pyodide's interpreter), compiled
// on the page for returning readers. A browser keeps the machine code it
// compiles for a page's fetched WebAssembly and reuses it on the next visit
// of the same site, but Chromium does not do so for a worker's: compiled in
// the worker, the core is compiled again at every page view. So:
//
// - a first page view leaves the compiling to the worker (nothing on the
//   host's main thread while the page loads), then, once the engine is up
//   and the page idle, compiles the core once more here from the HTTP cache
//   (not when the widget host forbids storing it: that would download it
//   again), which leaves its machine code in the browser's cache, and notes it;
// - later page views compile it here, which the browser serves from that
//   cache, and hand the module to the worker with the bytes compiled, which
//   the worker checks against the build's hash before instantiating it.
//
// Anything amiss (no streaming compile, a wrong type, a network error, this
// page's CSP, storage blocked) gives null: the worker then fetches and
// compiles the core itself, checked as every runtime file, and names any
// problem on the console.

const COMPILED_KEY = "verdict:core"; // which core this browser has compiled for this site

// Streaming compile here, and WebCrypto for the worker's check of the bytes (only pages served over HTTPS
// have it): without either, the worker compiles the core at every page view.
function possible() {
  return Boolean(WebAssembly.compileStreaming && self.crypto && crypto.subtle);
}

export function compiledBefore(url) {
  try {
    return possible() && localStorage.getItem(COMPILED_KEY) === url;
  } catch {
    return false;
  }
}

// The core compiled here with the bytes compiled (transferable to the worker), or null.
export async function compileCore(url) {
  try {
    if (!possible()) return null;
    const response = await fetch(url, { credentials: "omit" });
    if (!response.ok) return null;
    const bytes = response.clone().arrayBuffer();
    return { module: await WebAssembly.compileStreaming(response), bytes: await bytes };
  } catch {
    return null;
  }
}

// After a first page view's engine is up: compile the core here when the page is idle, and note it.
export function keepCompiled(url) {
  const whenIdle = self.requestIdleCallback || ((task) => setTimeout(task, 1000));
  whenIdle(async () => {
    try {
      if (!possible()) return;
      await WebAssembly.compileStreaming(fetch(url, { credentials: "omit", cache: "force-cache" }));
      localStorage.setItem(COMPILED_KEY, url);
    } catch {
      // Not compiled here (or not noted): the next page view compiles in the worker again.
    }
  }, { timeout: 5000 });
}

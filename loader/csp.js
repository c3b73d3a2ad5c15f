// The host page's Content-Security-Policy, explained: when it blocks part of
// the widget, the console says in our words which directive is missing and
// what to add (docs/operators/security.md has the whole policy). The
// card stays readable: only what was blocked is missing.

const DOCS = 'See "Content-Security-Policy" in docs/operators/security.md of Verdict\'s repository.';
const said = new Set();
let widgetOrigin = null;

// Listen for the page's violations (the worker reports its own).
export function watchPolicy(base) {
  widgetOrigin = new URL(base).origin;
  document.addEventListener("securitypolicyviolation", (event) => {
    // Evaluation in the page is only ours when our own script did it (the worker reports its own).
    if (/eval$/.test(event.blockedURI) && origin(event.sourceFile) !== widgetOrigin) return;
    explainViolation(event.effectiveDirective, event.blockedURI);
  });
}

function origin(url) {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

// What to add for a violation of `directive` (script-src, connect-src, …)
// that blocked `blocked` (a URL, or "eval", "wasm-eval", "blob", "inline").
export function explainViolation(directive, blocked) {
  const name = String(directive).replace(/-(elem|attr)$/, "");
  const from = origin(blocked);
  let what;
  let add;
  if (name === "worker-src" || (name === "script-src" && blocked === "blob")) {
    what = "the engine's Web Worker, started from a blob: URL";
    add = "blob:";
  } else if (blocked === "wasm-eval") {
    what = "compiling the engine's WebAssembly (Pyodide)";
    add = "'wasm-unsafe-eval'";
  } else if (blocked === "eval") {
    what = "code the engine's runtime evaluates";
    add = "'unsafe-eval'";
  } else if (name === "style-src" && blocked === "inline") {
    what = "the inline card's stylesheet, so it painted unstyled until the loader ran";
    add = `'${VERDICT_ASSETS.cardStyle}'`;
  } else if (name === "script-src" && from === widgetOrigin) {
    what = "the widget's scripts";
    add = widgetOrigin;
  } else if (name === "connect-src" && from === widgetOrigin) {
    what = "fetching the prerendered cards, the runtime and the bundle from the widget host";
    add = widgetOrigin;
  } else if (name === "connect-src" && from) {
    what = `fetching live tallies and sending votes to ${from} (or a bundle there)`;
    add = from;
  } else {
    return; // not ours
  }
  const text = `Verdict: this page's Content-Security-Policy blocks ${what}. Add ${add} to ${name}. ${DOCS}`;
  if (said.has(text)) return;
  said.add(text);
  console.error(text);
}

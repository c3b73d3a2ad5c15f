// The bench's floor (builder/devtools/bench.py): the runtime readers get, booted in a module worker as a page's
// very first act, with nothing of the widget around it: no loader, no card, no integrity checks. The
// page compiles the core (so a warm view reuses the browser's machine code) and posts it here with the
// runtime's URLs; each step is reported as it ends: "pyodide" (the interpreter booted, no package),
// "wheels" (pydantic and our engine installed), "engine" (verdict.browser imported).

import { loadPyodide } from "./pyodide.mjs";
import createPyodideModule from "./pyodide.asm.mjs";

let runtimeArrived, coreArrived;
const runtime = new Promise((resolve) => (runtimeArrived = resolve));
const core = new Promise((resolve) => (coreArrived = resolve));
self.onmessage = ({ data }) => (data.runtime ? runtimeArrived(data.runtime) : coreArrived(data.core));

const { indexURL, coreURL, stdlib, lock, wheels } = await runtime;
const plain = self.fetch.bind(self);
// Pyodide fetches the core itself: it gets an empty stand-in, and instantiating it takes the page's module.
self.fetch = (input, init) =>
  String(input) === coreURL
    ? Promise.resolve(new Response(null, { headers: { "content-type": "application/wasm" } }))
    : plain(input, init);
WebAssembly.instantiateStreaming = async (_source, imports) => {
  const module = await core;
  return { module, instance: await WebAssembly.instantiate(module, imports) };
};

const pyodide = await loadPyodide({
  indexURL,
  stdLibURL: stdlib,
  lockFileContents: plain(lock).then((response) => response.text()),
  packages: [],
  createPyodideModule,
  stdout: () => {},
});
self.postMessage("pyodide");
await pyodide.loadPackage(wheels);
self.postMessage("wheels");
pyodide.pyimport("verdict.browser");
self.postMessage("engine");

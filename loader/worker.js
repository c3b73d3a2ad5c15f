// Verdict engine worker: boots Pyodide once for the whole page, then relays
// JSON messages between the loader and the Python engine (verdict.browser).
// It holds no product logic. Started from a blob: wrapper by embed.js, so its
// origin is the host page's and every URL it loads is absolute.

let engine = null;
const waiting = [];

self.onmessage = ({ data }) => {
  if (data.type === "boot") boot(data.runtime);
  else if (engine) engine.handle(JSON.stringify(data));
  else waiting.push(data);
};

async function boot(runtime) {
  try {
    const lock = fetch(runtime.lock).then((r) => r.text()); // in parallel with the import
    const { loadPyodide } = await import(runtime.pyodide);
    const pyodide = await loadPyodide({
      indexURL: runtime.indexURL,
      stdLibURL: runtime.stdlib,
      lockFileContents: lock,
      packageBaseUrl: runtime.packages,
      packages: ["verdict"],
      stdout: () => {},
      stderr: (text) => console.warn(text),
    });
    engine = pyodide.pyimport("verdict.browser").start((text) => self.postMessage(JSON.parse(text)));
    self.postMessage({ type: "ready" });
    for (const data of waiting.splice(0)) engine.handle(JSON.stringify(data));
  } catch (error) {
    self.postMessage({ type: "failed", text: String(error && error.stack || error) });
  }
}

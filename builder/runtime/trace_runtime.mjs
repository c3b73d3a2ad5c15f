// Boot Pyodide under Node exactly as the browser worker does (loader/worker.js:
// our stdlib zip, our lockfile, our wheels loaded with `packages`), then run
// a Python script in it and exit with its status:
//
//   node trace_runtime.mjs <runtime_dir> <stdlib.zip> <packages_dir> <script.py> [args...]
//
// <runtime_dir> holds pyodide.mjs, pyodide.asm.mjs and pyodide.asm.wasm;
// <packages_dir> the wheels and lock.json. The host's `/` is mounted at
// `/host` (HOST_ROOT in the environment).
// The script defines `async main()` and `async report()`: the runner awaits
// main(), raises an exception into JavaScript (formatted, as a failing
// engine's would be), then awaits report(), so what that took is reported too.
// blank_runtime.mjs imports bootEngine and traceEngine to do the same on an
// instrumented core.
import { readFileSync } from "node:fs";
import { resolve, join } from "node:path";
import { pathToFileURL } from "node:url";

const HOST_ROOT = "/host";

export async function bootEngine(runtimeDir, stdlib, packagesDir) {
  const { loadPyodide } = await import(pathToFileURL(join(resolve(runtimeDir), "pyodide.mjs")).href);
  const py = await loadPyodide({
    indexURL: resolve(runtimeDir) + "/",
    stdLibURL: resolve(stdlib),
    lockFileContents: readFileSync(join(packagesDir, "lock.json"), "utf8"),
    packageBaseUrl: resolve(packagesDir) + "/",
    packages: ["verdict"],
    env: { HOME: "/home/pyodide", HOST_ROOT, PYTHONHASHSEED: "0" },
    stdout: (line) => process.stdout.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  py.mountNodeFS(HOST_ROOT, "/");
  py.FS.chdir(HOST_ROOT + process.cwd());
  return py;
}

export function setArgv(py, script, args) {
  py.globals.get("__import__")("sys").argv = py.toPy([HOST_ROOT + resolve(script), ...args]);
}

// Run `script`'s main() and report() as described above; throws what the script raised.
export async function traceEngine(py, script, args) {
  const namespace = py.globals.get("dict")();
  setArgv(py, script, args);
  py.runPython(readFileSync(script, "utf8"), { globals: namespace, filename: script });
  await py.runPythonAsync("await main()", { globals: namespace });
  try {
    py.runPython("raise RuntimeError('an engine failure, as JavaScript sees it')");
  } catch (error) {
    if (!String(error.message).includes("an engine failure")) throw error;
  }
  await py.runPythonAsync("await report()", { globals: namespace });
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [runtimeDir, stdlib, packagesDir, script, ...args] = process.argv.slice(2);
  if (!script) {
    console.error("usage: node trace_runtime.mjs <runtime_dir> <stdlib.zip> <packages_dir> <script.py> [args...]");
    process.exit(2);
  }
  let status = 0;
  try {
    await traceEngine(await bootEngine(runtimeDir, stdlib, packagesDir), script, args);
  } catch (error) {
    process.stderr.write(String(error.message ?? error) + "\n");
    status = 1;
  }
  process.exit(status);
}

// Run a Python script inside Pyodide under Node:
//
//   node run_pyodide.mjs <pyodide_dir> <script.py> [args...]
//
// <pyodide_dir> is an unpacked `pyodide` npm package (pyodide.mjs,
// pyodide.asm.wasm, python_stdlib.zip, ...). The host's `/` is mounted at
// `/host` inside Pyodide (NODEFS), the working directory is the host's working
// directory seen through that mount, and the environment variable HOST_ROOT
// says where the mount is so scripts can map absolute host paths.
// PYTHONHASHSEED is 0; PYTHONNODEBUGRANGES is passed on from Node's
// environment when set (the interpreter reads it once, at start-up, so a
// script cannot set it for itself). sys.argv is [<script path inside Pyodide>, args...].
// The exit status is the script's (SystemExit honoured); an uncaught exception
// prints its traceback to stderr and exits 1. All real work belongs in the
// Python script.
import { resolve, join } from "node:path";
import { pathToFileURL } from "node:url";

const HOST_ROOT = "/host";

const [pyodideDir, script, ...args] = process.argv.slice(2);
if (!pyodideDir || !script) {
  console.error("usage: node run_pyodide.mjs <pyodide_dir> <script.py> [args...]");
  process.exit(2);
}

const { loadPyodide } = await import(pathToFileURL(join(resolve(pyodideDir), "pyodide.mjs")).href);
const py = await loadPyodide({
  indexURL: resolve(pyodideDir) + "/",
  // A fixed hash seed: build steps must give the same bytes on every run.
  env: {
    HOME: "/home/pyodide",
    HOST_ROOT,
    PYTHONHASHSEED: "0",
    ...(process.env.PYTHONNODEBUGRANGES ? { PYTHONNODEBUGRANGES: process.env.PYTHONNODEBUGRANGES } : {}),
  },
  stdout: (line) => process.stdout.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});
py.mountNodeFS(HOST_ROOT, "/");
py.FS.chdir(HOST_ROOT + process.cwd());

const runMain = py.runPython(`
import runpy, sys

def run_main(argv):
    sys.argv = list(argv)
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)
        return 1
    return 0

run_main
`);

let status;
try {
  status = runMain([HOST_ROOT + resolve(script), ...args]);
} catch (err) {
  // A PythonError's message is the formatted traceback.
  process.stderr.write(String(err.message ?? err) + "\n");
  status = 1;
}
process.exit(status);

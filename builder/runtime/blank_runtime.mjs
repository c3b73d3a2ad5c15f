// Which bytes of the core's static data does the engine read, and which only
// the built-in modules it never imports? Run on a core instrumented by
// Binaryen's --instrument-memory (every load and store calls an import):
//
//   node blank_runtime.mjs <runtime_dir> <stdlib.zip> <packages_dir> <limit> <out_dir> \
//        <trace_inside.py> [trace args...] -- <blank_inside.py> [modules...]
//
// Phase 0 boots Pyodide as the browser worker does and runs every engine path
// (trace_inside.py, as trace_runtime.mjs does) and blank_inside.py's keep()
// (what stays of modules partly left out); phase 1 calls blank_inside.py's
// main(modules), which reads the left-out modules' tables (SystemExit if it
// cannot). <out_dir> receives read-0.bin, read-1.bin, shared-1.bin and
// written.bin: one byte per address below <limit> (the end of the static
// data), 1 where that phase loaded it, where phase 1 loaded it with an
// instruction phase 0 also ran, or where anything stored to it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bootEngine, setArgv, traceEngine } from "./trace_runtime.mjs";

const [runtimeDir, stdlib, packagesDir, limitText, outDir, ...rest] = process.argv.slice(2);
const split = rest.indexOf("--");
if (split < 1) {
  console.error("usage: node blank_runtime.mjs <runtime_dir> <stdlib.zip> <packages_dir> <limit> <out_dir> <trace.py> [args...] -- <blank.py> [modules...]");
  process.exit(2);
}
const [traceScript, ...traceArgs] = rest.slice(0, split);
const [blankScript, ...modules] = rest.slice(split + 1);
const limit = Number(limitText);
const read = [new Uint8Array(limit), new Uint8Array(limit)];
const written = new Uint8Array(limit);
// Phase 1's reads by a load instruction that phase 0 ran too (shared code: memcmp, the string type, ...).
const sharedRead = new Uint8Array(limit);
const ranInPhase0 = new Uint8Array(1 << 24); // by the probe's id: one per load instruction
let phase = 0;

function touch(map, bytes, offset, pointer) {
  const address = (pointer >>> 0) + (offset >>> 0);
  if (address < limit) map.fill(1, address, Math.min(address + bytes, limit));
  return pointer;
}
function load(id, bytes, offset, pointer) {
  if (id >= ranInPhase0.length) throw new Error(`load probe ${id}: more load instructions than this runner counts`);
  if (phase === 0) ranInPhase0[id] = 1;
  else if (ranInPhase0[id]) touch(sharedRead, bytes, offset, pointer);
  return touch(read[phase], bytes, offset, pointer);
}
const identity = (_id, value) => value;
const probes = {
  load_ptr: load,
  store_ptr: (_id, bytes, offset, pointer) => touch(written, bytes, offset, pointer),
  memory_grow_pre: identity,
  memory_grow_post: identity,
};
for (const kind of ["load", "store"]) for (const type of ["i32", "i64", "f32", "f64"]) probes[`${kind}_val_${type}`] = identity;

// Pyodide builds the core's imports itself: add the probes to its `env`.
function withProbes(imports) {
  if (!imports?.env) return imports;
  const env = new Proxy(imports.env, {
    get: (target, key) => (key in probes ? probes[key] : target[key]),
    has: (target, key) => key in probes || key in target,
  });
  return { ...imports, env };
}
const { instantiate, instantiateStreaming } = WebAssembly;
WebAssembly.instantiate = (source, imports) => instantiate.call(WebAssembly, source, withProbes(imports));
WebAssembly.instantiateStreaming = (source, imports) =>
  instantiateStreaming.call(WebAssembly, source, withProbes(imports));

let status = 0;
try {
  const py = await bootEngine(runtimeDir, stdlib, packagesDir);
  await traceEngine(py, traceScript, traceArgs);
  setArgv(py, blankScript, modules);
  const namespace = py.globals.get("dict")();
  py.runPython(readFileSync(blankScript, "utf8"), { globals: namespace, filename: blankScript });
  namespace.get("keep")();
  phase = 1;
  const code = namespace.get("main")(py.toPy(modules));
  if (code !== 0) throw new Error(`${blankScript} exited with ${code}`);
  writeFileSync(join(outDir, "read-0.bin"), read[0]);
  writeFileSync(join(outDir, "read-1.bin"), read[1]);
  writeFileSync(join(outDir, "written.bin"), written);
  writeFileSync(join(outDir, "shared-1.bin"), sharedRead);
} catch (error) {
  process.stderr.write(String(error.message ?? error) + "\n");
  status = 1;
}
process.exit(status);

"""What the browser runtime ships, pinned exactly.

pydantic must match on both sides: the browser gets these wheels, CPython gets
the same versions from the `engine` group of pyproject.toml.
"""

PYODIDE_VERSION = "314.0.7"
# The npm registry's integrity string for that tarball.
PYODIDE_INTEGRITY = "sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
# The sha256 of each runtime file the build uses, as unpacked from that very tarball: the unpacked
# copy in .cache/ is checked against these every time it is used, not only when it is fetched.
PYODIDE_FILE_SHA256 = {
    "pyodide.mjs": "6f1d60f7bf529beb300f0f47983c921d3982363640ba20af0e38efdddbc66109",
    "pyodide.asm.mjs": "f7cdc8ece80678ceb712f8e65ebe6d3a83203a180c399865f49612a051693635",
    "pyodide.asm.wasm": "cc36e3cab04fdfc9a63ff13eb52eae2b911bf46c025cc7b281f394bd3de1d5e6",
    "python_stdlib.zip": "fa1957e5777068fc4f7437f96d860ae2fbe9c19732ba06c84e004ec16dd7dd7a",
    "pyodide-lock.json": "5dc2fc119108bc148c7457dc86e7675b5c87e1cafd420b9c34c1eaef7b36c010",
}
PYODIDE_PYTHON = "3.14"
PYODIDE_PLATFORM = "pyemscripten_2026_0_wasm32"

# name -> (version, sha256 of the wheel file)
BROWSER_WHEELS: dict[str, tuple[str, str]] = {
    "pydantic": ("2.14.3", "3f7b347782ab7e4cf4c798496ae3a82787d9f21ec12676a9c564355eeef8daa8"),
    "pydantic-core": ("2.50.4", "e6da138a1ecc1341c8b788a5ee822670b03788e1f5decf7af9d461de6e508b8e"),
    "typing-extensions": ("4.16.0", "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8"),
    "annotated-types": ("0.8.0", "f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0"),
    "typing-inspection": ("0.4.5", "bc210535442b39e1bf2805e0c7a17dfd6a4ace760c84c7f7d16245d23a6b1c39"),
}
# Compiled for WebAssembly: downloaded for the Pyodide platform, not the host's.
NATIVE = {"pydantic-core"}
# The configurator page only (PyScript installs our engine wheel with micropip);
# readers of the embed never download it.
CONFIGURATOR_WHEELS: dict[str, tuple[str, str]] = {
    "micropip": ("0.11.1", "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3"),
}

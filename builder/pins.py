"""What the browser runtime ships, pinned exactly.

pydantic must match on both sides: the browser gets these wheels, CPython gets
the same versions from the `engine` group of pyproject.toml.
"""

PYODIDE_VERSION = "314.0.7"
# The npm registry's integrity string for that tarball.
PYODIDE_INTEGRITY = "sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
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

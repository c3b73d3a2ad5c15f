"""builder/runtime/blank.py: the shipped core without the tables of modules nothing shipped imports.

The engine's own paths are replayed on the shipped core by test_trim.py and
run on it in the browser tests; these check what a reader's runtime keeps of
Unicode, how the left-out parts fail, and the rules that choose the bytes.
"""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import pytest

from builder.runtime import blank, blank_inside, core, trim
from builder.runtime.pyc import find_node

from ..conftest import DEMO_BUNDLE
from ..helpers import render_inside
from ..helpers.runtime import SecType, section_bytes, shipped_dir, shipped_files, slimmed_dir

PROBE = Path(__file__).resolve().parents[1] / "helpers" / "unicode_probe.py"
RENDER = Path(render_inside.__file__)


def probe(runtime: Path, stdlib: Path, wheels: list[Path], tmp: Path) -> dict:
    """unicode_probe.py's answer on `runtime` (a folder laid out like Pyodide's)."""
    tmp.mkdir(parents=True)
    staged, packages = trim.stage(runtime, wheels, tmp)
    command = [find_node(), str(trim.RUNNER), str(staged), str(stdlib.resolve()), str(packages), str(PROBE)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    answer: dict = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer


def test_unicode_is_intact_but_for_names_and_cjk_codecs_which_fail_plainly(tmp_path: Path):
    _wasm, stdlib, wheels = shipped_files()
    shipped = probe(shipped_dir(tmp_path / "shipped"), stdlib, wheels, tmp_path / "a")
    pyodide = probe(slimmed_dir(), stdlib, wheels, tmp_path / "b")
    # Every property, case mapping and normalization of every code point: as in Pyodide's own core.
    assert shipped["kept"] == pyodide["kept"]
    # Pyodide's core has them (so this test could fail) ...
    assert pyodide["left_out"]["name"] == ["ok", "'LATIN SMALL LETTER E WITH ACUTE'"]
    assert pyodide["left_out"]["escape"] == ["ok", "'—'"]
    assert pyodide["left_out"]["import _codecs_jp"][0] == "ok"
    # ... the shipped one says plainly that it has not: no wrong answer, no crash.
    assert shipped["left_out"]["import _codecs_jp"] == ["ModuleNotFoundError", "No module named '_codecs_jp'"]
    assert shipped["left_out"]["encode shift_jis"] == ["LookupError", "unknown encoding: shift_jis"]
    assert shipped["left_out"]["name"] == ["ValueError", "no such name"]
    assert shipped["left_out"]["lookup"][0] == "KeyError"
    assert shipped["left_out"]["escape"][0] == "UnicodeDecodeError"


def test_a_bundle_in_any_script_renders_in_the_browser_runtime_as_in_cpython(tmp_path: Path):
    """Japanese, Chinese, Korean, Arabic, emoji, Latin with marks: what the left-out tables never served."""
    _wasm, stdlib, wheels = shipped_files()
    text = DEMO_BUNDLE.read_text(encoding="utf-8")
    for english, other in (
        ("HeyGen Interactive Avatar SDK v3", "ヘイジェン対話型アバターSDK v3 — 한국어 ✓ 😀"),
        ("Mistral 4B Edge", "米斯特拉尔 4B 边缘版 العربية"),
        ("Priya Raman", "李明 (Lǐ Míng)"),
        ("Daniel Brandt", "Ḍāniyāl Ⅳ ǅ"),
    ):
        assert english in text
        text = text.replace(english, other)
    bundle, out = tmp_path / "bundle.json", tmp_path / "cards.json"
    bundle.write_text(text, encoding="utf-8")
    (tmp_path / "node").mkdir()
    staged, packages = trim.stage(shipped_dir(tmp_path / "runtime"), wheels, tmp_path / "node")
    command = [find_node(), str(trim.RUNNER), str(staged), str(stdlib.resolve()), str(packages), str(RENDER)]
    proc = subprocess.run([*command, str(bundle.resolve()), str(out.resolve())], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    in_browser = json.loads(out.read_text(encoding="utf-8"))
    assert "ヘイジェン対話型アバターSDK v3" in json.dumps(in_browser, ensure_ascii=False)
    assert in_browser == render_inside.cards(bundle.read_bytes())


def test_the_shipped_core_differs_from_the_slimmed_one_only_by_blanked_data():
    wasm, _stdlib, _wheels = shipped_files()
    slimmed = slimmed_dir() / core.WASM
    assert wasm.stat().st_size == slimmed.stat().st_size
    for kind in set(SecType) - {SecType.CUSTOM, SecType.DATA}:  # code, exports, globals ...: Pyodide's bytes
        assert section_bytes(wasm, kind) == section_bytes(slimmed, kind), kind.name
    ours, theirs = blank.Memory(wasm), blank.Memory(slimmed)
    assert [(s.address, s.size) for s in ours.segments] == [(s.address, s.size) for s in theirs.segments]
    table = struct.unpack("<I", theirs.read(blank.data_global(slimmed, "PyImport_Inittab"), 4))[0]
    entries = next(n for n in range(1000) if theirs.read(table + 8 * n, 4) == bytes(4))
    shipped, original = ours.read(0, ours.end), theirs.read(0, theirs.end)
    changed = [address for address in range(ours.end) if shipped[address] != original[address]]
    blanked = [address for address in changed if not table <= address < table + 8 * entries]
    assert all(shipped[address] == 0 for address in blanked)  # set to zero, never rewritten
    assert len(blanked) > 500_000  # the CJK tables and the names database are about a million bytes


def test_only_constant_tables_the_engine_never_reads_are_blanked():
    size, table = 20_000, blank.MIN_TABLE
    engine, left_out, shared, written = bytearray(size), bytearray(size), bytearray(size), bytearray(size)
    left_out[100 : 100 + table] = b"\1" * table  # a table only the left-out modules read ...
    engine[1000] = 1  # ... but for one byte the engine reads too
    written[2000:2010] = b"\1" * 10  # ... and a few that something writes
    left_out[8000 : 8000 + blank.MIN_RUN - 1] = b"\1" * (blank.MIN_RUN - 1)  # a stray constant, too short
    left_out[9000 : 9000 + table] = shared[9000 : 9000 + table] = b"\1" * table  # read by the interpreter's code
    left_out[15000:15026] = b"\1" * 26  # a few entries of a shared table (A to Z), far from any other
    ranges = blank.blank_ranges(bytes(engine), bytes(left_out), bytes(shared), bytes(written))
    assert ranges == [(100, 1000), (1001, 2000), (2010, 100 + table)]


def test_a_module_the_engine_imported_is_never_left_out():
    import _codecs_jp  # noqa: F401  (the host's; as if the engine had imported it)

    with pytest.raises(SystemExit, match="_codecs_jp"):
        blank_inside.main(["_codecs_jp"])


def test_reading_a_module_blank_inside_does_not_know_is_refused():
    with pytest.raises(SystemExit, match="no way to read"):
        blank_inside.main(["_no_such_module"])

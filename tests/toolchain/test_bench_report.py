"""BENCHMARKS.md, the docs' bench fragments and the charts are made from the run files in bench/runs/, never typed:
the committed ones must be what the generator makes, and `bench --record`'s run file carries what was measured."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from builder.devtools import bench_levers, bench_record, bench_report

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_report_and_charts_are_generated_from_the_runs() -> None:
    stale = bench_report.stale()
    assert not stale, (
        f"{', '.join(map(str, stale))} differ from what bench/runs/ makes: run `python3 build.py bench --report` "
        "(they are generated; edit the generator, not them)"
    )


def test_a_hand_edit_of_a_generated_file_is_caught(tmp_path: Path) -> None:
    bench_report.write(tmp_path)
    assert bench_report.stale(tmp_path) == []
    latest = tmp_path / bench_report.FRAGMENTS / "latest.md"
    text = latest.read_text(encoding="utf-8")
    edited = re.sub(r"\((\d\.\d\d)×\)", "(0.01×)", text, count=1)
    assert edited != text
    latest.write_text(edited, encoding="utf-8")
    (tmp_path / bench_report.IMAGES / "bench-votes.svg").unlink()
    # The runtime README is written by hand but for its levers' table: editing a figure there is caught ...
    readme = tmp_path / bench_report.LEVERS_README
    text = readme.read_text(encoding="utf-8")
    block = text.split(bench_report.LEVERS_BEGIN)[1].split(bench_report.LEVERS_END)[0]
    edited = re.sub(r"\((\d\.\d\d)×\)", "(0.01×)", block, count=1)
    assert edited != block
    readme.write_text(text.replace(block, edited), encoding="utf-8")
    assert set(bench_report.stale(tmp_path)) == {
        bench_report.FRAGMENTS / "latest.md",
        bench_report.IMAGES / "bench-votes.svg",
        bench_report.LEVERS_README,
    }
    # ... while its prose is the author's to change.
    readme.write_text(text.replace("What each surgery assumes", "What each step assumes"), encoding="utf-8")
    assert bench_report.LEVERS_README not in bench_report.stale(tmp_path)


def test_every_run_file_names_its_date_source_and_figures_with_their_ratios() -> None:
    runs = bench_report.load_runs()
    assert any(run["source"] == "build.py bench --record" for run in runs), "no recorded run in bench/runs/"
    for run in runs:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", run["date"])
        assert run["figures"], run["date"]
        for name, entry in run["figures"].items():
            assert name.count("/") >= 2 and isinstance(entry["value"], (int, float)), name
            if entry.get("ratio") is not None:
                assert entry["baseline"], name
        if run["source"] == "build.py bench --record":
            machine = run["machine"]
            for fact in ("cores", "memory_gib", "cpu", "load_average", "python", "chromium", "pyodide", "commit"):
                assert machine.get(fact), (run["date"], fact)


def _loads(bare_ready: float, card_ready: float) -> dict[str, dict[str, float]]:
    row = {"visible": 50.0, "ready": card_ready, "live": card_ready + 10, "longest": 0.0, "blocked": 0.0}
    row |= {"memory_mb": 50.0, "download_mb": 4.3, "page_mb": 10.0, "worker_mb": 40.0}
    bare = row | {"visible": 0.0, "ready": bare_ready, "live": bare_ready, "memory_mb": 40.0, "download_mb": 8.0}
    floor = {"floor_pyodide": 300.0, "floor_wheels": 400.0, "floor_engine": 500.0}
    return {
        "bare cold": bare,
        "floor cold": floor,
        "one card cold": row,
        "bare warm": bare,
        "floor warm": floor,
        "one card warm": row,
    }


def test_a_recorded_run_becomes_a_run_file_the_table_and_a_new_point_on_the_charts(tmp_path: Path) -> None:
    steps = (("pyodide", "Pyodide booted"), ("wheels", "+ wheels installed"), ("engine", "+ engine imported"))
    sizes = {"uncompressed": 19.0, "gzip": 5.8, "brotli": 4.25}
    startup = bench_record.startup_figures(_loads(2000.0, 1000.0), steps, None, sizes, 0.05, 2700)
    assert startup["startup/one card cold/engine ready"] == {
        "value": 1000.0,
        "unit": "ms",
        "ratio": 0.5,
        "baseline": "startup/bare cold/engine ready",
    }
    assert startup["floor/floor cold/+ engine imported"]["ratio"] == 0.25
    votes = [
        {
            "store": "sqlite",
            "processes": 1,
            "connections": 50,
            "baseline": SimpleNamespace(rate=8000.0, p50_ms=3.0, p99_ms=9.0, errors=0, cpu_us=100.0),
            "votes": SimpleNamespace(rate=6000.0, p50_ms=6.0, p99_ms=15.0, errors=0, cpu_us=125.0),
        }
    ]
    parts = []
    for part, figures in (("startup", startup), ("votes", bench_record.votes_figures(votes, []))):
        path = tmp_path / f"{part}.json"
        bench_record.part_file(path, part, bench_record.start(), figures, {"runs": 1})
        parts.append(path)
    runs = tmp_path / "runs"
    shutil.copytree(bench_record.RUNS, runs)
    before = len(list(runs.glob("*.json")))
    written = bench_record.assemble(parts, runs)
    run = json.loads(written.read_text(encoding="utf-8"))
    assert len(list(runs.glob("*.json"))) == before + 1
    assert set(run["parts"]) == {"startup", "votes"}
    assert run["machine"]["cores"] and run["machine"]["load_average"]
    assert run["figures"]["votes/sqlite, 1 process, 50 connections/votes/s"]["ratio"] == 0.75

    out = tmp_path / "out"
    bench_report.write(out, runs)
    latest = (out / bench_report.FRAGMENTS / "latest.md").read_text(encoding="utf-8")
    assert latest.index("build.py bench --record") < latest.index("####")  # the new run comes first
    assert "| one card cold | 50 ms | 1,000 ms (0.50×) |" in latest
    assert "| sqlite, 1 process, 50 connections | 8,000 req/s | 6,000 votes/s (0.75×) |" in latest
    history = (out / bench_report.FRAGMENTS / "history.md").read_text(encoding="utf-8")
    assert history.splitlines()[4].count("0.50×") == 2  # the newest run's row: one card, cold and warm
    old = (ROOT / bench_report.IMAGES / "bench-votes.svg").read_text(encoding="utf-8")
    new = (out / bench_report.IMAGES / "bench-votes.svg").read_text(encoding="utf-8")
    assert new.count("<circle") == old.count("<circle") + 1  # one more point: SQLite at 50 connections


@pytest.mark.parametrize("chart", bench_report.CHARTS, ids=lambda chart: chart.file)
def test_a_chart_is_a_self_contained_picture_with_a_title_axes_and_a_legend(chart: bench_report.Chart) -> None:
    svg = (ROOT / bench_report.IMAGES / chart.file).read_text(encoding="utf-8")
    assert "<script" not in svg and "href" not in svg and "@import" not in svg
    assert re.findall(r"https?://[^\"]+", svg) == ["http://www.w3.org/2000/svg"]
    assert f"<title>{chart.title}" in svg and chart.y_label in svg
    for label in chart.figures:
        assert label.replace('"', "&quot;") in svg
    assert svg.count("<circle") >= 2


def test_a_network_profile_figures_each_load_against_the_bare_page_at_that_profile() -> None:
    rows = {}
    for temperature, bare in (("cold", 40_000.0), ("warm", 20_000.0)):
        rows[f"bare page {temperature}"] = {"ready": bare, "mb": 16.0}
        rows[f"floor {temperature}"] = {"ready": bare / 2, "mb": 4.0}
        rows[f"post, engine near the viewport {temperature}"] = {"visible": 900.0, "ready": bare / 4, "mb": 4.3}
        rows[f"post as published {temperature}"] = {"visible": 900.0, "live": 1500.0, "mb": 0.1}
        early = {"click": 950.0, "taken": 960.0, "ready": bare / 4, "confirmed": bare / 4 + 500, "engine": bare / 4}
        rows[f"early click {temperature}"] = early | {"visible": 900.0, "mb": 4.3}
    modes = {"interaction": {"mb": 0.05, "busy_s": 0.0, "live": False, "engine": False}}
    figures = bench_record.network_figures("phone", rows, modes)
    ready = figures["network phone/post, engine near the viewport warm/engine ready"]
    assert (ready["ratio"], ready["baseline"]) == (0.25, "network phone/bare page warm/engine ready")
    assert "ratio" not in figures["network phone/bare page cold/engine ready"]
    assert figures["network phone/early click cold/vote confirmed"]["ratio"] == 0.263
    assert figures["never votes phone/data-lazy=interaction/downloaded"]["value"] == 0.05
    text = "\n".join(bench_report.tables(figures))
    assert "#### Start-up at the phone network shape" in text
    assert (
        "| | card visible | live figures | engine ready | vote shown as taken | vote confirmed | downloaded |" in text
    )
    assert "| post, engine near the viewport cold | 900 ms (0.022×) | — | 10,000 ms (0.25×) | — | — | 4.30 MB |" in text
    assert "| early click warm | 950 ms (0.048×) | — | 5,000 ms (0.25×) | 960 ms | 5,500 ms (0.28×) | 4.30 MB |" in text
    assert "#### A reader at the phone shape who never touches the card" in text


def test_each_runtime_step_is_shown_with_its_bytes_before_and_after_as_the_newest_levers_run_measured() -> None:
    mb = 1_000_000
    rows = {
        "trim: standard library": ({"brotli": 2_150_000, "gzip": 2_600_000}, {"brotli": 980_000, "gzip": 1_300_000}),
        "blank: core": ({"brotli": 2 * mb, "gzip": 3 * mb}, {"brotli": 3 * mb // 2, "gzip": 3 * mb}),
    }
    figures = bench_levers.lever_figures(rows, zeroed=1_008_629)
    started = "levers/precompile: Node, start to the demo bundle validated"
    figures[f"{started}/before"] = bench_record.figure(2160.0, "ms")
    figures[f"{started}/after"] = bench_record.figure(790.0, "ms", (f"{started}/before", 2160.0))
    after = figures["levers/trim: standard library/after, brotli"]
    assert (after["value"], after["ratio"]) == (0.98, 0.456)
    assert after["baseline"] == "levers/trim: standard library/before, brotli"
    older = {"date": "2026-12-01T10:00:00Z", "source": "build.py bench --record", "figures": figures}
    newer = {"date": "2026-12-05T10:00:00Z", "source": "build.py bench --record", "figures": {**figures}}
    newer["figures"]["levers/blank: core/after, brotli"] = bench_record.figure(
        1.0, "MB", ("levers/blank: core/before, brotli", 2.0)
    )
    lines = bench_report.levers([older, newer, {"date": "2026-12-06T10:00:00Z", "source": "x", "figures": {}}])
    assert "run of 2026-12-05 10:00 UTC" in lines[0]
    assert "| trim: standard library | 2.15 → 0.980 MB (0.46×) | 2.60 → 1.30 MB (0.50×) |" in lines
    assert "| blank: core | 2.00 → 1.00 MB (0.50×) | 3.00 → 3.00 MB (1.00×) |" in lines
    assert "The blanking zeroes 1,008,629 bytes of the core's constant data." in lines
    assert lines[-1].startswith("Precompile: Node, start to the demo bundle validated: 2,160 ms → 790 ms (0.37×)")
    with pytest.raises(SystemExit, match="must hold"):  # the README lost its markers: the report says so
        bench_report._with_levers("# builder/runtime/\n\nno generated block\n", lines)

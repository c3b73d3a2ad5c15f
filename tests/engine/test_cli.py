"""The `verdict` command a publisher runs on their bundle."""

from __future__ import annotations

import json
import subprocess
import sys

from ..conftest import DEMO_BUNDLE, SEED


def verdict(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "verdict", *args], capture_output=True, text=True)


def test_validate_accepts_the_demo_bundle():
    result = verdict("validate", str(DEMO_BUNDLE))
    assert result.returncode == 0 and "ok (1 comparisons, 2 tools)" in result.stdout


def test_validate_names_every_bad_field(bundle_data, tmp_path):
    bundle_data["tools"][0]["entry"] = "cheap"
    del bundle_data["reviewers"][2]["lens"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(bundle_data))
    result = verdict("validate", str(path))
    assert result.returncode == 1
    assert f"{path}: tools[0].entry: Input should be 'paid' or 'free'" in result.stderr
    assert f"{path}: reviewers[2].lens: Field required" in result.stderr


def test_render_prints_the_card():
    result = verdict("render", str(DEMO_BUNDLE), "--comparison", SEED, "--voting")
    assert result.returncode == 0 and "Which would you ship?" in result.stdout


def test_schema_is_json():
    assert json.loads(verdict("schema").stdout)["title"] == "Verdict bundle, format verdict/1"


def test_serve_with_a_broken_bundle_exits_2(bundle_data, tmp_path):
    bundle_data["comparisons"][0]["tools"][0] = "ghost"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(bundle_data))
    result = verdict("serve", "--bundle", str(path), "--database", f"sqlite:///{tmp_path}/v.db")
    assert result.returncode == 2 and "comparisons[0].tools[0]" in result.stderr


def test_render_embed_is_the_inline_form_with_style_and_jsonld(tmp_path):
    css = tmp_path / "card.css"
    css.write_text(".vd-card { display: grid; }")
    result = verdict(
        "render", str(DEMO_BUNDLE), "--comparison", SEED, "--heading-level", "3", "--sections", "vote,figures",
        "--voting", "--embed", "--css", str(css), "--theme", "dark",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    html = result.stdout
    assert html.startswith('<template shadowrootmode="open"><style>.vd-card { display: grid; }</style>')
    assert '<div class="vd-root" data-theme="dark">' in html and "<h3 " in html
    assert "Which would you ship?" in html and "Reviewer scorecard" not in html
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(script)["@graph"][0]["@type"] == "SoftwareApplication"


def test_render_rejects_an_unknown_section():
    result = verdict("render", str(DEMO_BUNDLE), "--sections", "figures,ads")
    assert result.returncode == 2 and "choose from figures,description,scorecard,vote,cta" in result.stderr

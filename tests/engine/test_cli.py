"""The `verdict` command a publisher runs on their bundle."""

from __future__ import annotations

import json
import subprocess
import sys

from ..conftest import DEMO_BUNDLE, HEYGEN, SEED


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
    assert f"{path}: tools[0].entry: must be one of: paid, free" in result.stderr
    assert f"{path}: reviewers[2].lens: is required" in result.stderr


def test_validate_reports_every_kind_of_mistake_in_one_run_one_line_each(bundle_data, tmp_path):
    bundle_data["tools"][0]["entry"] = "cheap"  # a bad value
    bundle_data["tools"][1]["price"] = "free"  # an unknown field
    bundle_data["reviewers"][0]["id"] = "Priya Raman"  # not a slug (and now unknown in the scorecard)
    del bundle_data["reviewers"][2]["lens"]  # a missing field
    bundle_data["comparisons"][0]["tools"][1] = "mistral-4b-edg"  # a mistyped reference
    bundle_data["comparisons"][0]["scorecard"][1]["verdicts"][HEYGEN]["text"] = "[docs](javascript:x)"  # a warning
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(bundle_data, indent=2))
    result = verdict("validate", str(path))
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        f"{path}: tools[0].entry: must be one of: paid, free",
        f"{path}: tools[1].price: is not a field of this part of the bundle (did you mean 'pricing'?)",
        f"{path}: reviewers[0].id: must be a slug: lowercase letters, digits and single hyphens, "
        "for example 'priya-raman'",
        f"{path}: reviewers[2].lens: is required",
        f"{path}: comparisons[0].tools[1]: no tool has the id 'mistral-4b-edg' (did you mean 'mistral-4b-edge'?)",
        f"{path}: comparisons[0].scorecard[0].reviewer: no reviewer has the id 'priya-raman' "
        "(did you mean 'Priya Raman'?)",
        f"{path}: warning: comparisons[0].scorecard[1].verdicts.{HEYGEN}.text: the link 'docs' goes to javascript:, "
        "which the card never links to: only https://, http:// and mailto: links work; it shows as text",
    ]


def test_warnings_alone_pass_unless_strict(bundle_data, tmp_path):
    bundle_data["comparisons"][0]["scorecard"][0]["verdicts"][HEYGEN]["text"] = "***both***"
    path = tmp_path / "warned.json"
    path.write_text(json.dumps(bundle_data))
    result = verdict("validate", str(path))
    assert result.returncode == 0 and "ok (1 comparisons, 2 tools, 1 warnings)" in result.stdout
    assert "warning: comparisons[0].scorecard[0].verdicts" in result.stderr
    assert verdict("validate", "--strict", str(path)).returncode == 1


def test_validate_names_the_line_of_a_json_syntax_error(tmp_path):
    path = tmp_path / "syntax.json"
    path.write_text('{\n  "format": "verdict/1",\n  "site": {"name": "x"}\n  "tools": []\n}\n')
    result = verdict("validate", str(path))
    assert result.returncode == 1
    assert result.stderr == f"{path}: line 3, column 24: not valid JSON: a comma is missing after this value\n"


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


def test_render_speaks_the_asked_locale():
    result = verdict("render", str(DEMO_BUNDLE), "--voting", "--locale", "ar-EG")
    assert result.returncode == 0 and 'lang="ar" dir="rtl"' in result.stdout and "أيّهما ستعتمد؟" in result.stdout


def test_the_endpoints_commands_come_from_its_package_not_from_the_engine():
    """`verdict serve` and `verdict votes` are the endpoint's (entry points), listed and run by `verdict`."""
    listed = verdict("--help")
    assert listed.returncode == 0 and "serve" in listed.stdout and "votes" in listed.stdout
    help_text = verdict("votes", "--help")
    assert help_text.returncode == 0 and "suspicious" in help_text.stdout

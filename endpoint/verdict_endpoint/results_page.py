"""The results page as HTML: server-rendered, no JavaScript, charts as SVG with their numbers in tables.

Each chart is an ``<svg role="img">`` whose title and description say what
it shows in words (each tool's total at the window's start and end), with
the numbers in a table beside it, so a screen reader, a text browser and a
printout all get the same facts. Tools are told apart by line pattern and
marker as well as colour.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from html import escape
from urllib.parse import urlencode

from .results import ComparisonResults, View

STYLE = """
:root{color-scheme:light;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;
background:#f6f7f9}
body{margin:0}
header{background:#1f2328;color:#fff;padding:.75rem 1.5rem;display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
header h1{font-size:1.15rem;margin:0}
header p{margin:0;color:#d0d7de}
main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem 3rem}
nav ul{list-style:none;padding:0;margin:0 0 1rem;display:flex;flex-wrap:wrap;gap:.5rem}
nav a{display:inline-block;padding:.25rem .6rem;border:1px solid #8c959f;border-radius:999px;color:#0b4f9c;
text-decoration:none;background:#fff}
nav a[aria-current]{background:#0b4f9c;color:#fff;border-color:#0b4f9c}
section{background:#fff;border:1px solid #d0d7de;border-radius:.5rem;padding:1rem 1.25rem;margin:0 0 1rem}
h2{font-size:1.3rem;margin:.25rem 0 .75rem}
h3{font-size:1.05rem;margin:0 0 .5rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;margin:0;padding:0}
.figures div{border:1px solid #d0d7de;border-radius:.4rem;padding:.5rem .75rem}
.figures dt{font-size:.85rem;color:#57606a}
.figures dd{margin:0;font-size:1.5rem;font-weight:650}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:right;padding:.25rem .5rem;border-bottom:1px solid #d0d7de}
th:first-child,td:first-child{text-align:left}
caption{text-align:left;font-weight:600;padding:.25rem 0}
.chart>svg{width:100%;height:auto;display:block}
.legend svg{vertical-align:middle}
.legend{display:flex;flex-wrap:wrap;gap:1rem;margin:.5rem 0 0;padding:0;list-style:none;font-size:.9rem}
.note{color:#57606a;font-size:.9rem}
.disagree{border-left:4px solid #9a3412;padding-left:.75rem}
.agree{border-left:4px solid #1a7f37;padding-left:.75rem}
details{margin-top:.5rem}
form{display:grid;gap:.5rem;max-width:26rem}
input{font:inherit;padding:.4rem;border:1px solid #57606a;border-radius:.3rem}
button{font:inherit;padding:.45rem .9rem;border:0;border-radius:.3rem;background:#0b4f9c;color:#fff;cursor:pointer}
.error{color:#9a3412;font-weight:600}
"""
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'none'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# Colours with at least 3:1 contrast on white, and a dash pattern and marker each.
PALETTE = (
    ("#0b4f9c", "", "circle"),
    ("#9a3412", "8 4", "square"),
    ("#1a7f37", "2 3", "diamond"),
    ("#6639ba", "10 3 2 3", "triangle"),
)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 240, 48, 12, 12, 28


def _page(title: str, body: str, site: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{escape(title)}</title><style>{STYLE}</style></head>'
        f"<body><header><h1>{escape(title)}</h1><p>site {escape(site)}</p></header><main>{body}</main></body></html>"
    )


def login_page(site: str, action: str, error: str | None = None) -> str:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f"<section><h2>Sign in</h2>{message}"
        f'<form method="post" action="{escape(action)}">'
        '<label for="key">Admin key of this site</label>'
        '<input id="key" name="key" type="password" autocomplete="current-password" required>'
        "<button>Open the results</button></form>"
        '<p class="note">The key is the one <code>verdict votes new-key</code> printed; the endpoint keeps only '
        "its hash. Signing in sets a session cookie for 12 hours.</p></section>"
    )
    return _page("Verdict results", body, site)


def _when(seconds: int, view: View) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    if view is View.HOUR:
        return moment.strftime("%d %b %H:00")
    if view is View.WEEK:
        return "week of " + moment.strftime("%d %b %Y")
    return moment.strftime("%d %b %Y")


def _number(n: int) -> str:
    return f"{n:,}"


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if kind == "diamond":
        return f'<path d="M{x:.1f} {y - 4.5:.1f}l4.5 4.5-4.5 4.5-4.5-4.5z" fill="{colour}"/>'
    return f'<path d="M{x:.1f} {y - 4.5:.1f}l4.5 8h-9z" fill="{colour}"/>'


def _chart(results: ComparisonResults, chart_id: str) -> str:
    """Each tool's running total over the window: lines with markers, axes labelled, described in words."""
    count = len(results.starts)
    top = max((max(s.totals) for s in results.series), default=0)
    top = max(top, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / top

    parts = []
    for step in range(5):  # grid and value labels
        value = round(top * step / 4)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#d0d7de"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="#57606a">'
            f"{_number(value)}</text>"
        )
    for i, anchor in ((0, "start"), (count // 2, "middle"), (count - 1, "end")):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" font-size="11" fill="#57606a">'
            f"{escape(_when(results.starts[i], results.view))}</text>"
        )
    step = max(1, count // 12)
    for n, series in enumerate(results.series):
        colour, dash, marker = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series.totals))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dashes}/>')
        parts.extend(
            _marker(marker, x(i), y(v), colour) for i, v in enumerate(series.totals) if i % step == 0 or i == count - 1
        )
    span = f"{_when(results.starts[0], results.view)} to {_when(results.starts[-1], results.view)}"
    described = "; ".join(
        f"{s.name} from {_number(s.totals[0])} to {_number(s.totals[-1])} votes" for s in results.series
    )
    legend = "".join(
        f'<li><svg width="36" height="12" aria-hidden="true"><line x1="0" x2="36" y1="6" y2="6" '
        f'stroke="{PALETTE[n % 4][0]}" stroke-width="2.5"'
        + (f' stroke-dasharray="{PALETTE[n % 4][1]}"' if PALETTE[n % 4][1] else "")
        + f"/>{_marker(PALETTE[n % 4][2], 18, 6, PALETTE[n % 4][0])}</svg> {escape(s.name)}</li>"
        for n, s in enumerate(results.series)
    )
    return (
        f'<figure class="chart"><svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">Votes per tool, {escape(span)}</title>'
        f'<desc id="{chart_id}-d">Running totals: {escape(described)}.</desc>'
        f"{''.join(parts)}</svg>"
        f'<figcaption><ul class="legend">{legend}</ul></figcaption></figure>'
    )


def _numbers_table(results: ComparisonResults) -> str:
    head = "".join(
        f'<th scope="col">{escape(s.name)} total</th><th scope="col">{escape(s.name)} +/−</th>' for s in results.series
    )
    rows = []
    for i in range(len(results.starts) - 1, -1, -1):
        cells = "".join(
            f"<td>{_number(s.totals[i])}</td><td>+{_number(s.gained[i])} / −{_number(s.lost[i])}</td>"
            for s in results.series
        )
        rows.append(f'<tr><th scope="row">{escape(_when(results.starts[i], results.view))}</th>{cells}</tr>')
    return (
        "<details><summary>The numbers behind the chart</summary><table>"
        f"<caption>Votes per {results.view.value}, newest first: each tool's total at the end, and the votes "
        f'it gained and lost</caption><thead><tr><th scope="col">{results.view.value.title()}</th>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></details>"
    )


def _agreement(results: ComparisonResults) -> str:
    a = results.agreement
    if a.panel_pick is None:
        verdict = "The panel makes no single pick here, so there is no call to disagree with."
        css = "agree"
    elif a.community_leader is None:
        verdict = f"The panel picks {a.panel_pick}; readers have not settled on one tool yet."
        css = "agree"
    elif a.disagree:
        verdict = (
            f"Readers disagree with the panel: they favour {a.community_leader}, and the panel's pick, "
            f"{a.panel_pick}, trails it by {a.points} percentage points."
        )
        css = "disagree"
    else:
        verdict = f"Readers agree with the panel: {a.panel_pick} leads their vote too."
        css = "agree"
    rows = "".join(
        f'<tr><th scope="row">{escape(name)}</th><td>{panel} %</td>'
        f"<td>{'—' if community is None else f'{community} %'}</td></tr>"
        for name, panel, community in a.rows
    )
    return (
        f'<section aria-labelledby="agreement"><h3 id="agreement">Community against the panel</h3>'
        f'<p class="{css}">{escape(verdict)}</p><p class="note">Headline: {escape(a.headline)}</p>'
        "<table><caption>Panel ship rate and community share per tool</caption><thead><tr>"
        '<th scope="col">Tool</th><th scope="col">Panel would ship</th><th scope="col">Community</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _suspicious(results: ComparisonResults) -> str:
    if results.bursts:
        rows = "".join(
            f"<tr><td><code>{escape(b.address[:16])}</code></td><td>{escape(_when(b.window_start, View.HOUR))}</td>"
            f"<td>{_number(b.new_voters)}</td></tr>"
            for b in results.bursts
        )
        bursts = (
            "<table><caption>Bursts of new voters from one address in the last 24 hours (10-minute windows, "
            '20 or more)</caption><thead><tr><th scope="col">Address hash</th><th scope="col">Window from (UTC)'
            f'</th><th scope="col">New voters</th></tr></thead><tbody>{rows}</tbody></table>'
            '<p class="note">To remove one address\'s votes: <code>verdict votes void --address-hash HASH</code>.</p>'
        )
    else:
        bursts = "<p>No burst of 20 or more new voters from one address in the last 24 hours.</p>"
    if results.voids:
        rows = "".join(
            f"<tr><td>{escape(_when(v.at, View.HOUR))}</td><td><code>{escape(v.address[:16])}</code></td>"
            f"<td>{_number(v.votes)}</td></tr>"
            for v in results.voids
        )
        voids = (
            '<table><caption>Votes voided by an operator</caption><thead><tr><th scope="col">When (UTC)</th>'
            f'<th scope="col">Address hash</th><th scope="col">Votes removed</th></tr></thead><tbody>{rows}</tbody>'
            "</table>"
        )
    else:
        voids = "<p>No votes were voided.</p>"
    heading = '<h3 id="suspicious">Suspicious activity</h3>'
    return f'<section aria-labelledby="suspicious">{heading}{bursts}{voids}</section>'


def results_page(
    site: str, base: str, comparisons: list[tuple[str, str]], results: ComparisonResults, export_base: str
) -> str:
    """The whole page for one comparison and view; ``base`` is the page's path, ``comparisons`` (id, title)."""

    def link(comparison: str, view: View) -> str:
        return f"{base}?{urlencode({'comparison': comparison, 'view': view.value})}"

    picker = "".join(
        f'<li><a href="{escape(link(cid, results.view))}"'
        + (' aria-current="page"' if cid == results.comparison else "")
        + f">{escape(title)}</a></li>"
        for cid, title in comparisons
    )
    views = "".join(
        f'<li><a href="{escape(link(results.comparison, view))}"'
        + (' aria-current="true"' if view is results.view else "")
        + f">By {view.value}</a></li>"
        for view in View
    )
    tallies = "".join(
        f"<div><dt>{escape(s.name)}</dt><dd>{_number(results.tallies[s.tool])}</dd></div>" for s in results.series
    )
    export = f"{export_base}?{urlencode({'comparison': results.comparison})}"
    body = (
        f'<nav aria-label="Comparisons"><ul>{picker}</ul></nav>'
        f'<section aria-labelledby="now"><h2 id="now">{escape(results.title)}</h2>'
        f'<dl class="figures">{tallies}<div><dt>All votes</dt><dd>{_number(results.total)}</dd></div>'
        f"<div><dt>Changed their vote</dt><dd>{_number(results.changes)}</dd></div>"
        f"<div><dt>Withdrew</dt><dd>{_number(results.withdrawals)}</dd></div>"
        f"<div><dt>Voided</dt><dd>{_number(results.voided)}</dd></div></dl>"
        f'<p class="note">Export: <a href="{escape(export)}&amp;format=csv">CSV</a> · '
        f'<a href="{escape(export)}&amp;format=json">JSON</a> (votes per tool and day, with running totals).</p>'
        "</section>"
        f'<section aria-labelledby="trend"><h3 id="trend">Votes over time</h3>'
        f'<nav aria-label="Time scale"><ul>{views}</ul></nav>{_chart(results, "trend-chart")}'
        f"{_numbers_table(results)}</section>"
        f"{_agreement(results)}{_suspicious(results)}"
    )
    return _page(f"Results: {results.title}", body, site)

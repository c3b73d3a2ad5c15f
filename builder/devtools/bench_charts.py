"""Line charts of figures across bench runs, as plain SVG (no script, no web font, byte-for-byte reproducible).

Hand-written rather than a charting library's: the output must be the same
bytes for the same runs (a test regenerates the committed charts and compares
them), carry no script or stylesheet link (a docs page and a README show it
as an image), and read at a glance in a screenshot: a title, labelled axes,
grid lines and a legend. Runs sit at even steps in time order, labelled with
their date; runs converted from the hand-kept tables get hollow markers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 880, 460
LEFT, RIGHT, TOP, BOTTOM = 74, 24, 56, 150
COLOURS = ("#1f6feb", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#495057")
FONT = "font-family:Helvetica,Arial,sans-serif"


@dataclass(frozen=True)
class Series:
    """One line: its label and a value (or None: not measured) per run."""

    label: str
    values: Sequence[float | None]


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1.0
    magnitude = float(10 ** math.floor(math.log10(raw)))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def line_chart(
    title: str,
    y_label: str,
    runs: Sequence[str],
    series: Sequence[Series],
    hollow: Sequence[bool] = (),
    reference: tuple[float, str] | None = None,
) -> str:
    """An SVG line chart of ``series`` over ``runs`` (x labels); ``reference``: a dashed line and its label."""
    values = [v for s in series for v in s.values if v is not None]
    if reference:
        values.append(reference[0])
    top = max(values, default=1.0)
    step = _nice_step(top)
    y_max = step * math.ceil(top / step * 1.05) if top > 0 else 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(runs), 1)

    def x(index: int) -> float:
        return LEFT + (plot_w * (index + 0.5) / count)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / y_max)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2:.0f}" y="30" text-anchor="middle" style="{FONT};font-size:18px;font-weight:bold" '
        f'fill="#1b1d22">{escape(title)}</text>',
    ]
    tick = 0.0
    while tick <= y_max + step / 1000:
        ty = y(tick)
        out.append(f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="#e3e6ea"/>')
        out.append(
            f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" style="{FONT};font-size:12px" '
            f'fill="#343a40">{_number(tick)}</text>'
        )
        tick += step
    out.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#343a40"/>'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#343a40"/>'
    )
    out.append(
        f'<text transform="translate(18 {TOP + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
        f'style="{FONT};font-size:13px" fill="#343a40">{escape(y_label)}</text>'
    )
    for index, run in enumerate(runs):
        lx, ly = x(index), TOP + plot_h + 10
        out.append(
            f'<text transform="translate({lx:.1f} {ly}) rotate(-45)" text-anchor="end" '
            f'style="{FONT};font-size:11px" fill="#343a40">{escape(run)}</text>'
        )
    if reference:
        ry = y(reference[0])
        out.append(
            f'<line x1="{LEFT}" y1="{ry:.1f}" x2="{WIDTH - RIGHT}" y2="{ry:.1f}" stroke="#868e96" '
            'stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT - 4}" y="{ry - 5:.1f}" text-anchor="end" style="{FONT};font-size:11px" '
            f'fill="#495057">{escape(reference[1])}</text>'
        )
    for number, line in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        points = [(x(i), y(v)) for i, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, v in enumerate(line.values):
            if v is None:
                continue
            fill = "#ffffff" if i < len(hollow) and hollow[i] else colour
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{fill}" stroke="{colour}" '
                f'stroke-width="1.5"><title>{escape(line.label)}, {escape(runs[i])}: {_number(v)}</title></circle>'
            )
    legend_y = HEIGHT - 40
    legend_x = float(LEFT)
    for number, line in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        if legend_x + 19 + 6.6 * len(line.label) > WIDTH - RIGHT:  # the next row
            legend_x, legend_y = float(LEFT), legend_y + 18
        out.append(
            f'<rect x="{legend_x:.0f}" y="{legend_y - 9}" width="14" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 19:.0f}" y="{legend_y}" style="{FONT};font-size:12px" '
            f'fill="#1b1d22">{escape(line.label)}</text>'
        )
        legend_x += 30 + 6.6 * len(line.label)
    if any(hollow):
        out.append(
            f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end" style="{FONT};font-size:11px" '
            'fill="#495057">hollow markers: runs from the tables kept by hand before run files</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"

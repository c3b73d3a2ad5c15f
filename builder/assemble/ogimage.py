"""The picture a link preview shows of a card (Open Graph, 1200 × 630 PNG), drawn without a browser.

A link-only platform shows this where it cannot run the card: the title, each
tool with its panel verdict as a bar, and the headline, in the card's colours.
Pillow draws it with its own bundled typeface (no system fonts), so any
machine that builds dist/ makes the same picture; text in scripts that
typeface lacks (Arabic, CJK) is drawn as boxes — the live card is unaffected.
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from verdict.bundle import BundleIndex
from verdict.figures import derive
from verdict.models import Comparison
from verdict.render import comparison_title

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
INK, MUTED, RULE, BACKGROUND = "#111827", "#4b5563", "#e5e7eb", "#ffffff"
SHIP, TRACK = "#15803d", "#e5e7eb"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def card_picture(index: BundleIndex, comparison: Comparison) -> bytes:
    """The comparison's preview picture, as PNG bytes."""
    figures = derive(index, comparison)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    draw.text((MARGIN, y), (comparison.kicker or "Tool comparison").upper(), fill=MUTED, font=_font(26))
    y += 44
    for line in textwrap.wrap(comparison_title(index, comparison), 40)[:2]:
        draw.text((MARGIN, y), line, fill=INK, font=_font(52))
        y += 64
    y += 16
    draw.line((MARGIN, y, WIDTH - MARGIN, y), fill=RULE, width=2)
    y += 28
    columns = len(figures.tools)
    width = (WIDTH - 2 * MARGIN - (columns - 1) * 32) // columns
    for n, tool in enumerate(figures.tools):
        x = MARGIN + n * (width + 32)
        draw.text((x, y), textwrap.shorten(tool.tool.name, 28, placeholder="…"), fill=INK, font=_font(34))
        draw.text((x, y + 48), f"Panel: {tool.panel.label}", fill=MUTED, font=_font(26))
        bar = y + 92
        draw.rounded_rectangle((x, bar, x + width, bar + 18), 9, fill=TRACK)
        if tool.panel.percent:
            draw.rounded_rectangle((x, bar, x + max(18, width * tool.panel.percent // 100), bar + 18), 9, fill=SHIP)
    y += 150
    # At most two lines, so the closing line never overlaps it.
    for line in textwrap.wrap(textwrap.shorten(figures.headline.text, 150, placeholder="…"), 76)[:2]:
        draw.text((MARGIN, y), line, fill=INK, font=_font(28))
        y += 38
    closing = "Open the card to see the readers' vote and cast yours."
    draw.text((MARGIN, HEIGHT - MARGIN - 26), closing, fill=MUTED, font=_font(24))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()

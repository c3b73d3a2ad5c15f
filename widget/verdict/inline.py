"""The inline form of a card: its HTML for the host page itself.

A publisher pastes this (or includes it server-side) inside the card's
placeholder. The card then paints with the page, in its own declarative
shadow root, so it takes its space before the first paint (no layout shift),
reads the same without JavaScript, and is there for crawlers; when the loader
runs it upgrades the card in place. The JSON-LD goes beside the shadow root,
in the host page's light DOM.
"""

from __future__ import annotations

from .markup import Markup, el
from .rules import DEFAULT_LAYOUT, DEFAULT_THEME, LAYOUTS, THEMES


def style_element(css: str) -> Markup:
    """The card's stylesheet as a <style> element; a stylesheet never contains "</style"."""
    if "</style" in css.lower():
        raise ValueError("the card's stylesheet must not contain '</style'")
    return Markup(f"<style>{css}</style>")


def inline_card(
    card: Markup, css: str, *, theme: str = DEFAULT_THEME, layout: str = DEFAULT_LAYOUT, jsonld: str | None = None
) -> Markup:
    """``<template shadowrootmode="open">`` with the card and its style, then the JSON-LD.

    The frame carries the theme, and the layout when it is not the default, as the loader sets them:
    a stacked card is stacked from the first paint."""
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    frame = el(
        "div",
        {"class": "vd-root", "data-theme": theme, "data-layout": None if layout == "auto" else layout},
        el("div", {"class": "vd-body"}, card),
        el("div", {"class": "vd-live", "role": "status", "aria-live": "polite"}),
    )
    template = Markup(f'<template shadowrootmode="open">{style_element(css)}{frame}</template>')
    return Markup(template + (jsonld or ""))

"""A Python-Markdown extension: ``::: verdict`` blocks become inline cards.

In a page::

    ::: verdict
        bundle: comparisons
        comparison: heygen-avatar-sdk-v3-vs-mistral-4b-edge
        theme: dark

The settings lines are indented under the marker (as mkdocstrings' blocks
are); a blank line or an unindented line ends the block. MkDocs takes it as
``markdown_extensions: [verdict: {widget: …}]``, Pelican as
``MARKDOWN = {"extension_configs": {"verdict": {"widget": …}}}``; the name
``verdict`` is registered as a Markdown extension by this distribution.

It works on the page's lines before other extensions do (so a bad block is
named by its line in the file that was handed to Markdown) and leaves fenced
code alone, so a page can show the syntax itself.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from .card import CardError, CardRenderer, SiteSettings, parse_block

MARKER = re.compile(r"^::: *verdict *$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Right after normalize_whitespace (30), which keeps the page's lines (so their numbers are the file's) but drops
# the stash's marker characters: before fenced code (25) and raw HTML (20).
PRIORITY = 29
# Lines a generator removed before handing the page to Markdown, set per page (mkdocs.py sets it).
PAGE_LINE_OFFSET: ContextVar[int] = ContextVar("verdict_page_line_offset", default=0)
# The way from the page being converted up to the site's root (``../../``), which a relative widget setting is
# taken from; set per page by a generator that knows it (mkdocs.py), else relative to the page itself.
PAGE_ROOT: ContextVar[str] = ContextVar("verdict_page_root", default="")


class VerdictBlockError(ValueError):
    """A card block the site build stops at: its line in the page and the engine's message."""


class CardBlocks(Preprocessor):
    def __init__(self, md: Markdown, renderer: CardRenderer, line_offset: int):
        super().__init__(md)
        self.renderer = renderer
        self.line_offset = line_offset

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fence: str | None = None
        cards = 0
        i = 0
        while i < len(lines):
            line = lines[i]
            opened = FENCE.match(line)
            if fence is not None:
                fence = None if opened and opened.group(1).startswith(fence) else fence
            elif opened:
                fence = opened.group(1)
            elif MARKER.match(line):
                start, i = i, i + 1
                while i < len(lines) and lines[i].startswith(("    ", "\t")) and lines[i].strip():
                    i += 1
                html = self._card("\n".join(lines[start + 1 : i]), start + 1)
                if cards == 0:
                    html += self.renderer.script_tag(PAGE_ROOT.get())
                cards += 1
                out += ["", self.md.htmlStash.store(html), ""]
                continue
            out.append(line)
            i += 1
        return out

    def _card(self, block: str, first_line: int) -> str:
        try:
            return self.renderer.card_html(parse_block(block), PAGE_ROOT.get())
        except CardError as error:
            line = self.line_offset + PAGE_LINE_OFFSET.get() + first_line + 1 + error.line
            raise VerdictBlockError(f"line {line}: verdict card: {error}") from None


class VerdictExtension(Extension):
    def __init__(self, **kwargs: Any):
        self.config = {
            "widget": ["", "the widget host's dist/ URL, or a relative URL from the site's root (required)"],
            "bundles": ["", "a local folder of bundle files (default: fetched from the widget host)"],
            "css": ["", "a local copy of card.css (default: fetched from the widget host)"],
            "endpoint": ["", "the vote endpoint of cards that name none"],
            "locale": ["en", "the language of cards that name none: the site's"],
            "line_offset": [0, "lines before the text handed to Markdown (front matter a generator removed)"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # Python-Markdown's name
        config = self.getConfigs()
        try:
            settings = SiteSettings(
                widget=str(config["widget"]),
                bundles=Path(config["bundles"]) if config["bundles"] else None,
                css=Path(config["css"]) if config["css"] else None,
                endpoint=str(config["endpoint"] or "") or None,
                locale=str(config["locale"]) or "en",
            )
        except CardError as error:
            raise VerdictBlockError(f"verdict extension: {error}") from None
        md.preprocessors.register(
            CardBlocks(md, _renderers.setdefault(settings, CardRenderer(settings)), int(config["line_offset"])),
            "verdict",
            PRIORITY,
        )


# One renderer per settings for the whole site build: each bundle and the stylesheet are read once,
# though MkDocs and Pelican make a new Markdown (and so a new extension) for every page.
_renderers: dict[SiteSettings, CardRenderer] = {}


def makeExtension(**kwargs: Any) -> VerdictExtension:  # Python-Markdown's name
    return VerdictExtension(**kwargs)

"""One card block of a page → the card's inline form, rendered by the engine.

A block names a bundle, a comparison and any of the card's data attributes,
one ``name: value`` per line (the attribute's name without ``data-``)::

    bundle: comparisons
    comparison: heygen-avatar-sdk-v3-vs-mistral-4b-edge
    theme: dark

Every value is checked as the loader checks the attribute; where the loader
would warn and fall back, the site build fails instead (``CardError``), so a
publisher never ships a card other than the one they asked for. The output is
the placeholder with its attributes, holding the declarative shadow root and
the JSON-LD: the loader adopts it in place, so nothing moves.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from verdict.bundle import BundleError, BundleIndex, load_bundle
from verdict.i18n import SUPPORTED_LOCALES, resolve_locale
from verdict.inline import inline_card
from verdict.jsonld import jsonld_script
from verdict.markup import Markup
from verdict.render import RenderOptions, render_card, safe_cta_url
from verdict.rules import CTA_TEXT_MAX, LAYOUTS, SLUG_PATTERN, THEMES, Results, Section

SLUG = re.compile(SLUG_PATTERN)
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
# Hex, a colour name or a colour function; the browser parses it (never pasted into CSS), this only
# turns away what cannot be a colour at all.
COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]+|[a-z-]+\([0-9A-Za-z.,%/ +-]*\)")
ACCENT = "an opaque CSS colour such as #2f5bd3, rgb(47 91 211) or teal"
LAZY = ("true", "false", "interaction")
JSONLD = ("on", "off")
ATTRIBUTES = (
    "bundle",
    "comparison",
    "endpoint",
    "theme",
    "lazy",
    "sections",
    "heading-level",
    "accent",
    "layout",
    "locale",
    "cta-url",
    "cta-text",
    "jsonld",
    "results",
)


class CardError(ValueError):
    """A card block the site build must not publish; ``line`` counts the block's settings lines from 0 (-1: the
    block as a whole, named by its first line)."""

    def __init__(self, message: str, line: int = -1):
        self.line = line
        super().__init__(message)


@dataclass(frozen=True)
class SiteSettings:
    """The site's settings, shared by every card: where the widget lives and where its files are read."""

    widget: str
    """The widget host's dist/ URL: the loader is ``<widget>embed.js``, a bundle ``<widget>bundles/<name>.json``.

    Or a relative URL (``../``, ``/verdict/``), for a site served by the widget host itself (such as docs
    beside dist/): the reader's browser resolves it, so the site build reads the bundles and the stylesheet
    from the local ``bundles`` and ``css`` settings. A generator that knows each page's place (the MkDocs
    plugin) makes a relative path relative to the site's root rather than to the page."""
    bundles: Path | None = None
    """A local folder of bundle files, read instead of fetching them from the widget host."""
    css: Path | None = None
    """A local copy of the widget host's card.css, read instead of fetching it."""
    endpoint: str | None = None
    """The vote endpoint of every card that names none."""
    locale: str = "en"
    """The language of cards that name none: the site's (the loader would follow ``<html lang>``)."""

    def __post_init__(self) -> None:
        if not (_http_url(self.widget) or _relative_url(self.widget)):
            raise CardError(
                f"the widget setting takes the widget host's http(s) URL or a relative URL (got {self.widget!r})"
            )
        if _relative_url(self.widget) and (self.bundles is None or self.css is None):
            raise CardError(
                f"a relative widget setting ({self.widget!r}) needs the bundles and css settings: the site build "
                "cannot fetch them from a relative URL"
            )
        object.__setattr__(self, "widget", self.widget if self.widget.endswith("/") else self.widget + "/")
        if self.endpoint is not None and not _http_url(self.endpoint):
            raise CardError(f"the endpoint setting takes an http or https URL (got {self.endpoint!r})")


def _http_url(value: str) -> bool:
    return value.startswith(("https://", "http://")) and not any(c.isspace() for c in value) and "<" not in value


def _relative_url(value: str) -> bool:
    """A path the reader's browser resolves against the page (``../``, ``/verdict/``): no scheme, no host."""
    return (
        bool(value)
        and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", value)
        and not any(c.isspace() or c in '<>"' for c in value)
    )


def parse_block(text: str) -> dict[str, tuple[str, int]]:
    """``name: value`` lines → {name: (value, line)}; an unknown, repeated or malformed line is a CardError."""
    values: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name = name.strip().removeprefix("data-")
        if not colon:
            raise CardError(f"{line.strip()!r} is not a setting: write one `name: value` per line", number)
        if name not in ATTRIBUTES:
            raise CardError(f"unknown setting {name!r}: a card takes {', '.join(ATTRIBUTES)}", number)
        if name in values:
            raise CardError(f"{name!r} is given twice", number)
        values[name] = (value.strip(), number)
    if "bundle" not in values:
        raise CardError("the card names no bundle: add `bundle: NAME` (a file of the widget host's bundles/)")
    return values


@dataclass
class CardRenderer:
    """Renders the cards of a site, reading each bundle and the stylesheet once."""

    settings: SiteSettings
    _indexes: dict[str, BundleIndex] = field(default_factory=dict)
    _css: str | None = None

    def script_tag(self, page_root: str = "") -> str:
        """The loader's script tag, once per page that has a card (``page_root``: as for ``card_html``)."""
        return f'<script src="{escape(self._widget(page_root))}embed.js" async></script>'

    def _widget(self, page_root: str) -> str:
        """The widget URL as this page writes it: a relative path from the site's root, from the page's place."""
        widget = self.settings.widget
        return page_root + widget if _relative_url(widget) and not widget.startswith("/") else widget

    def card_html(self, block: dict[str, tuple[str, int]], page_root: str = "") -> str:
        """The placeholder with its attributes, the card's declarative shadow root and its JSON-LD.

        ``page_root``: the way from the page up to the site's root (``../../``), which a relative widget
        setting is taken from; empty where the generator does not say (relative to the page)."""
        value = {name: text for name, (text, _) in block.items()}
        widget = self.settings.widget
        line = {name: number for name, (_, number) in block.items()}

        def bad(name: str, accepts: str) -> CardError:
            return CardError(f'data-{name}="{value[name]}" is not valid: it takes {accepts}', line[name])

        bundle_url, index = self._bundle(value["bundle"], line["bundle"])
        comparison_id = value.get("comparison")
        if comparison_id is not None and not SLUG.fullmatch(comparison_id):
            raise bad("comparison", "a comparison id: lowercase letters, digits and single hyphens")
        try:
            comparison = index.comparison(comparison_id)
        except BundleError as error:
            raise CardError(f"bundle {value['bundle']}: {error.problems[0].message}", line["comparison"]) from None
        endpoint = value.get("endpoint", self.settings.endpoint)
        if "endpoint" in value and not _http_url(value["endpoint"]):
            raise bad("endpoint", "an http or https URL")
        checks: dict[str, tuple[Callable[[str], bool], str]] = {
            "theme": (lambda v: v in THEMES, "light, dark or auto"),
            "lazy": (lambda v: v in LAZY, "true, false or interaction"),
            "layout": (lambda v: v in LAYOUTS, "columns, stacked or auto"),
            "jsonld": (lambda v: v in JSONLD, "on or off"),
            "results": (lambda v: v in set(Results), "always or after-vote"),
            "heading-level": (lambda v: v in ("1", "2", "3", "4", "5", "6"), "a number from 1 to 6"),
            "accent": (
                lambda v: bool(COLOUR.fullmatch(v)),
                ACCENT,
            ),
            "cta-url": (safe_cta_url, "an absolute http, https or mailto link"),
            "cta-text": (lambda v: 0 < len(v) <= CTA_TEXT_MAX, f"text of 1 to {CTA_TEXT_MAX} characters"),
            "locale": (
                lambda v: (
                    bool(LANGUAGE_TAG.fullmatch(v)) and resolve_locale(v) == v.replace("_", "-").split("-")[0].lower()
                ),
                f"a language tag of {', '.join(SUPPORTED_LOCALES)} (en-GB, de-AT… too)",
            ),
            "sections": (
                lambda v: bool(_sections(v)) and all(s in Section.__members__.values() for s in _sections(v)),
                f"a comma-separated list of {', '.join(Section)}",
            ),
        }
        for name, (valid, accepts) in checks.items():
            if name in value and not valid(value[name]):
                raise bad(name, accepts)
        locale = value.get("locale", self.settings.locale)
        options = RenderOptions(
            # Every section, as in the build's prerendered cards and the endpoint's live card: the frame hides and
            # orders them (below), so the live card the loader swaps in has the same links as this one.
            sections=tuple(Section),
            heading_level=int(value.get("heading-level", "2")),
            voting=endpoint is not None,
            cta_url=value.get("cta-url"),
            cta_text=value.get("cta-text"),
            locale=locale,
            results=Results(value.get("results", Results.ALWAYS)),
        )
        card = render_card(index, comparison, options)
        jsonld = None if value.get("jsonld") == "off" else jsonld_script(index, comparison)
        inline = inline_card(
            card,
            self._stylesheet(),
            theme=value.get("theme", "light"),
            layout=value.get("layout", "auto"),
            jsonld=jsonld,
        )
        if "sections" in value:
            inline = _with_sections(inline, _sections(value["sections"]))
        attributes = {
            **{name: text for name, text in value.items() if name != "bundle"},
            "bundle": bundle_url if _http_url(bundle_url) else self._widget(page_root) + bundle_url[len(widget) :],
            "comparison": comparison.id,
            "locale": locale,
            **({"endpoint": endpoint} if endpoint else {}),
        }
        attrs = "".join(f' data-{name}="{escape(attributes[name])}"' for name in ATTRIBUTES if name in attributes)
        return f"<div data-verdict{attrs}>{inline}</div>"

    def _bundle(self, name: str, line: int) -> tuple[str, BundleIndex]:
        """The bundle's URL for data-bundle and its index: a name of the widget host's bundles/, or a URL."""
        if _http_url(name):
            url, stem = name, name.rsplit("/", 1)[-1].removesuffix(".json")
        elif SLUG.fullmatch(name.removesuffix(".json")):
            stem = name.removesuffix(".json")
            url = f"{self.settings.widget}bundles/{stem}.json"
        else:
            raise CardError(f'data-bundle="{name}" is not valid: it takes a bundle name or an http or https URL', line)
        if url not in self._indexes:
            local = self.settings.bundles / f"{stem}.json" if self.settings.bundles else None
            raw = _read(local, url, "bundle", line)
            try:
                self._indexes[url] = BundleIndex(load_bundle(raw))
            except BundleError as error:
                problems = "; ".join(str(p) for p in error.problems)
                raise CardError(f"bundle {local or url} is broken: {problems}", line) from None
        return url, self._indexes[url]

    def _stylesheet(self) -> str:
        if self._css is None:
            self._css = _read(self.settings.css, f"{self.settings.widget}card.css", "stylesheet", -1).decode()
        return self._css


def _language(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


# The sections whose order data-sections sets (the others keep their place).
BLOCKS = ("scorecard", "vote", "cta")
FRAME = re.compile(r'<div class="vd-root"[^>]*')


def _with_sections(inline: Markup, sections: list[str]) -> Markup:
    """data-sections on the card's frame, as the loader's frame and verdict-inline.mjs set it: the stylesheet
    hides the sections left out, and the blocks' order when it is not the usual one."""
    extra = f' data-sections="{" ".join(sections)}"'
    order = [f"--vd-order-{s}:{i + 1}" for i, s in enumerate(s for s in sections if s in BLOCKS)]
    usual = [f"--vd-order-{s}:{i + 1}" for i, s in enumerate(s for s in BLOCKS if s in sections)]
    if order != usual:
        extra += f' style="{";".join(order)}"'
    return Markup(FRAME.sub(lambda frame: frame[0] + extra, inline, count=1))


def _sections(value: str) -> list[str]:
    return [s.strip() for s in value.split(",") if s.strip()]


def _read(local: Path | None, url: str, what: str, line: int) -> bytes:
    """A local copy when it exists, else the widget host's file (site build time, not the reader's)."""
    if local is not None and local.exists():
        return local.read_bytes()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            data: bytes = response.read()
            return data
    except (urllib.error.URLError, OSError) as error:
        where = f"{local} does not exist and " if local is not None else ""
        raise CardError(f"cannot read the {what}: {where}{url} answered {error}", line) from None

"""The tiny safe subset reviewers may write: paragraphs, emphasis, code, links.

Blank lines separate paragraphs; ``*em*``, ``**strong**``, ```code``` and
``[text](https://…)`` are recognised; everything else is plain text, escaped.
Links only take http(s) and mailto URLs (checked again here, since this text
comes straight from the bundle) and open with ``rel="noopener nofollow ugc"``.
"""

from __future__ import annotations

import re

from .markup import Child, Markup, el, join
from .models import SAFE_URL_SCHEMES

INLINE = re.compile(
    r"`(?P<code>[^`\n]+)`"
    r"|\*\*(?P<strong>[^*\n]+)\*\*"
    r"|\*(?P<em>[^*\n]+)\*"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url>[^)\s]+)\)"
)


def _is_safe(url: str) -> bool:
    return url.lower().startswith(SAFE_URL_SCHEMES)


def inline(text: str) -> list[Child]:
    out: list[Child] = []
    position = 0
    for match in INLINE.finditer(text):
        out.append(text[position : match.start()])
        if match["code"] is not None:
            out.append(el("code", None, match["code"]))
        elif match["strong"] is not None:
            out.append(el("strong", None, match["strong"]))
        elif match["em"] is not None:
            out.append(el("em", None, match["em"]))
        elif _is_safe(match["url"]):
            out.append(
                el("a", {"href": match["url"], "rel": "noopener nofollow ugc", "target": "_blank"}, match["label"])
            )
        else:
            out.append(match[0])  # an unsafe link stays visible as plain text
        position = match.end()
    out.append(text[position:])
    return out


STRAY = (
    (re.compile(r"\*\*\*"), "***both*** is not supported: use **strong** or *emphasis*; it shows with asterisks"),
    (re.compile(r"\*"), "an unclosed or stray * shows as an asterisk: write *emphasis* or **strong**"),
    (re.compile(r"`"), "an unclosed ` shows as a backtick: write `code`"),
    (re.compile(r"\[[^\]\n]*\]\("), "a link must be [text](https://…) with no spaces in the address; it shows as text"),
    (re.compile(r"</?[a-zA-Z][^>]*>"), "HTML tags are not supported; they show as text"),
)


def rich_text_warnings(text: str) -> list[str]:
    """What in ``text`` the subset would show literally instead of formatting, once per kind."""
    warnings: list[str] = []
    leftovers = []
    for paragraph in re.split(r"\n\s*\n", text):
        line = " ".join(paragraph.split())
        position = 0
        for match in INLINE.finditer(line):
            leftovers.append(line[position : match.start()])
            position = match.end()
            if match["url"] is not None and not _is_safe(match["url"]):
                scheme = match["url"].split(":", 1)[0] + ":" if ":" in match["url"] else match["url"]
                warnings.append(
                    f"the link {match['label']!r} goes to {scheme}, which the card never links to: "
                    "only https://, http:// and mailto: links work; it shows as text"
                )
        leftovers.append(line[position:])
    rest = "\n".join(leftovers)
    if STRAY[0][0].search(text):
        warnings.append(STRAY[0][1])
        rest = rest.replace("*", "")
    warnings += [message for pattern, message in STRAY[1:] if pattern.search(rest)]
    return warnings


def render_rich_text(text: str) -> Markup:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return join([el("p", None, inline(" ".join(p.split()))) for p in paragraphs])

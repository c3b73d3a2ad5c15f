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


def render_rich_text(text: str) -> Markup:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return join([el("p", None, inline(" ".join(p.split()))) for p in paragraphs])

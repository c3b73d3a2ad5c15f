"""The live card of a reader who has not voted, as HTML rendered outside the reader's browser.

Most readers never vote. What they see of a card with a vote endpoint is the
build's card plus the live tallies; the same engine renders that on the vote
endpoint (``GET /v1/cards/{comparison}``), so a reader who only reads never
needs the runtime (about 4 MB): it starts on their first touch of the card.

The endpoint's card must be the card the widget would render: the same
bundle and the same engine (its markup fits the widget's stylesheet). Both
sides name that pair by ``live_key``; a card asks with the key the build
computed, and an endpoint whose key differs answers 409, so the card falls
back to its own engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from . import __version__
from .bundle import BundleIndex
from .i18n import get_locale
from .models import Bundle
from .render import CardState, RenderOptions, render_card

KEY_LENGTH = 32


# The engine's modules whose code shapes a card's markup and words.
RENDERING = ("models.py", "figures.py", "i18n.py", "locale_data.py", "markup.py", "richtext.py", "render.py")


def live_key(bundle: Bundle) -> str:
    """Names this bundle's content rendered by this engine: its version and rendering code, and the validated
    bundle as canonical JSON (so a reformatted copy of the same bundle has the same key)."""
    digest = hashlib.sha256(f"verdict {__version__}\n".encode())
    for name in RENDERING:
        digest.update(Path(__file__).with_name(name).read_bytes())
    digest.update(bundle.model_dump_json(by_alias=True).encode())
    return digest.hexdigest()[:KEY_LENGTH]


def live_card(
    index: BundleIndex, comparison_id: str, tallies: Mapping[str, int], locale: str, heading_level: int
) -> str:
    """The card with a vote control and these tallies, as a reader who has not voted sees it.

    Every section is in it (the card's frame hides and orders them, as for the
    build's card); the publisher's data-cta-* are applied by the loader, as on
    the build's card.
    """
    comparison = index.comparisons[comparison_id]
    options = RenderOptions(heading_level=heading_level, voting=True, locale=get_locale(locale).code)
    return render_card(index, comparison, options, CardState(tallies=dict(tallies)))

"""A Sphinx extension: the ``verdict`` directive becomes an inline card.

In ``conf.py``::

    extensions = ["verdict_sitegen.sphinx"]
    verdict_widget = "https://widget.example.com/verdict/"
    verdict_endpoint = "https://votes.example.com"   # optional
    verdict_bundles = "_verdict/bundles"             # optional local copies
    verdict_css = "_verdict/card.css"                # optional local copy

In a page::

    .. verdict::
       :bundle: comparisons
       :comparison: heygen-avatar-sdk-v3-vs-mistral-4b-edge
       :theme: dark

A card's locale defaults to the project's ``language``. A bad card stops the
build (a ``SphinxError`` naming the document and line): a warning would leave
a page without its card.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util.docutils import SphinxDirective

from .card import ATTRIBUTES, CardError, CardRenderer, SiteSettings

_renderers: dict[SiteSettings, CardRenderer] = {}


class VerdictCardError(SphinxError):
    category = "Verdict card error"


class VerdictDirective(SphinxDirective):
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {name: directives.unchanged_required for name in ATTRIBUTES}

    def run(self) -> list[nodes.Node]:
        where = f"{self.env.doc2path(self.env.docname)}:{self.lineno}"
        config = self.config
        try:
            settings = SiteSettings(
                widget=config.verdict_widget,
                bundles=Path(self.env.srcdir, config.verdict_bundles) if config.verdict_bundles else None,
                css=Path(self.env.srcdir, config.verdict_css) if config.verdict_css else None,
                endpoint=config.verdict_endpoint or None,
                locale=config.language or "en",
            )
            renderer = _renderers.setdefault(settings, CardRenderer(settings))
            html = renderer.card_html({name: (str(value), 0) for name, value in self.options.items()})
        except CardError as error:
            raise VerdictCardError(f"{where}: {error}") from None
        # The loader's script tag once per page, however many cards it holds.
        if not self.env.temp_data.get("verdict_script"):  # temp_data lives as long as one document's reading
            self.env.temp_data["verdict_script"] = True
            html += renderer.script_tag()
        return [nodes.raw("", html, format="html")]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("verdict_widget", "", "html", str)
    app.add_config_value("verdict_endpoint", "", "html", str)
    app.add_config_value("verdict_bundles", "", "html", str)
    app.add_config_value("verdict_css", "", "html", str)
    app.add_directive("verdict", VerdictDirective)
    return {"version": "0.1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""An MkDocs plugin, ``verdict``: exact line numbers in pages with front matter, and each page's place.

MkDocs removes a page's YAML front matter before Markdown sees the page, so
the Markdown extension alone counts a bad card's line from the first line
after it. With ``plugins: [verdict]`` beside the extension, this tells the
extension how many lines MkDocs removed, and errors name the file's own line.
It also tells the extension the way up from each page to the site's root, so
a relative widget setting (``widget: ../``, a site served from the widget
host's own dist/) means the same folder from every page.
The cards themselves come from the extension either way.
"""

from __future__ import annotations

import posixpath

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from .markdown import PAGE_LINE_OFFSET, PAGE_ROOT


class VerdictPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]  # no settings; MkDocs's hook is untyped
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        source = page.file.content_string
        removed = source[: len(source) - len(markdown)] if source.endswith(markdown) else ""
        PAGE_LINE_OFFSET.set(removed.count("\n"))
        folder = posixpath.dirname(page.url)  # "publishers/attributes/" -> "publishers/attributes"; "" at the root
        PAGE_ROOT.set(posixpath.relpath(".", folder) + "/" if folder else "")
        return markdown

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """The page is converted: what it set stays out of any Markdown converted after the build."""
        self.forget()
        return html

    def on_build_error(self, *, error: Exception) -> None:
        self.forget()

    @staticmethod
    def forget() -> None:
        PAGE_LINE_OFFSET.set(0)
        PAGE_ROOT.set("")

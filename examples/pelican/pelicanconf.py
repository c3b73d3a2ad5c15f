"""A minimal Pelican site with a Verdict card on a post (content/posts/card.md).

The card is written by the `verdict` Markdown extension (pip install verdict-sitegen) at build time.
Build with `pelican --fatal errors`: Pelican only logs a page it could not read, so a bad card
would otherwise leave the page out of a build that still succeeds.
"""

import os

SITENAME = "The Shipping Log"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "simple"
ARTICLE_URL = ARTICLE_SAVE_AS = "posts/{slug}.html"
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "verdict": {
            # The widget host's dist/ (the loader is <widget>embed.js) and the vote endpoint.
            "widget": os.environ.get("VERDICT_WIDGET", "http://127.0.0.1:8001/"),
            "endpoint": os.environ.get("VERDICT_ENDPOINT", "http://127.0.0.1:8002"),
            # Optional local copies; without them the bundle and card.css are fetched from the widget host.
            "bundles": os.environ.get("VERDICT_BUNDLES", ""),
            "css": os.environ.get("VERDICT_CSS", ""),
            "locale": DEFAULT_LANG,
        },
    },
    "output_format": "html5",
}

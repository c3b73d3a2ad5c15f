"""A minimal Sphinx site with a Verdict card on a post (posts/card.rst).

The card is written by the `verdict` directive (pip install verdict-sitegen) at build time.
"""

import os

project = "The Shipping Log"
language = "en"
extensions = ["verdict_sitegen.sphinx"]
html_theme = "alabaster"
# The widget host's dist/ (the loader is <widget>embed.js) and the vote endpoint.
verdict_widget = os.environ.get("VERDICT_WIDGET", "http://127.0.0.1:8001/")
verdict_endpoint = os.environ.get("VERDICT_ENDPOINT", "http://127.0.0.1:8002")
# Optional local copies; without them the bundle and card.css are fetched from the widget host.
verdict_bundles = os.environ.get("VERDICT_BUNDLES", "")
verdict_css = os.environ.get("VERDICT_CSS", "")

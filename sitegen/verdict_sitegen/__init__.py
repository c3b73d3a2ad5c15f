"""Verdict cards written into pages by Python site generators, at site build time.

The same engine that renders the card in the reader's browser renders it here,
in the inline form (a declarative shadow root and the JSON-LD), so the card
paints with the page and readers without JavaScript read it. See card.py for
the block's settings; markdown.py and sphinx.py adapt it to each generator.
"""

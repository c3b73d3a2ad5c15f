"""Build steps behind build.py: fetch the pinned runtime, compile, assemble dist/, serve the demo."""

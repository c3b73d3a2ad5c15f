"""Verdict engine: validate a bundle, derive its figures, render its card."""

__version__ = "0.1.0"

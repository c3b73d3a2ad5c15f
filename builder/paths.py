"""Where things live in the checkout."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
DIST = ROOT / "dist"
VAR = ROOT / "var"
DEMO = ROOT / "demo"
LOADER = ROOT / "loader"
WIDGET = ROOT / "widget"

"""The embed snippet a publisher pastes, as the configurator writes it.

Only attributes that differ from the embed's defaults are written, so the
snippet stays short and keeps following the defaults; every value is escaped.
"""

from __future__ import annotations

from html import escape

from .rules import DEFAULT_HEADING_LEVEL, DEFAULT_LAYOUT, DEFAULT_THEME, Results, Section

# Attribute (without "data-") and the embed's default; the order is the snippet's.
ATTRIBUTES: tuple[tuple[str, str | None], ...] = (
    ("bundle", None),
    ("comparison", None),
    ("endpoint", None),
    ("theme", DEFAULT_THEME),
    ("accent", None),
    ("layout", DEFAULT_LAYOUT),
    ("results", Results.ALWAYS.value),
    ("locale", None),
    ("sections", ",".join(Section)),
    ("heading-level", str(DEFAULT_HEADING_LEVEL)),
    ("lazy", "true"),
    ("cta-url", None),
    ("cta-text", None),
)
KNOWN = {name for name, _ in ATTRIBUTES}


def embed_snippet(script_url: str, values: dict[str, str]) -> str:
    """``<script src=… data-…>`` for `values` (attribute name without "data-" -> value)."""
    unknown = set(values) - KNOWN
    if unknown:
        raise ValueError(f"unknown attributes: {', '.join(sorted(unknown))}")
    lines = [f'<script src="{escape(script_url)}"']
    for name, default in ATTRIBUTES:
        value = " ".join(values.get(name, "").split())
        if value and value != default:
            lines.append(f'        data-{name}="{escape(value)}"')
    lines.append("        async></script>")
    return "\n".join(lines)

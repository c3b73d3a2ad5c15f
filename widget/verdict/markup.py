"""HTML built from elements, escaped by construction.

A string only becomes markup through ``el``, which escapes every text child and
attribute value; nothing from a bundle or an attribute can be injected raw. A
few lines of our own instead of a template engine, because the browser has to
download, import and compile whatever the engine imports before the card
comes alive.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Union

Child = Union["Markup", str, int, None, Sequence["Child"]]
AttrValue = str | int | bool | None

VOID = frozenset({"br", "hr", "img", "input", "meta", "link"})


class Markup(str):
    """Text already safe to emit as HTML."""

    __slots__ = ()


def render_child(child: Child) -> str:
    if child is None:
        return ""
    if isinstance(child, Markup):
        return child
    if isinstance(child, (list, tuple)):
        return "".join(render_child(c) for c in child)
    return escape(str(child), quote=False)


def el(tag: str, attrs: dict[str, AttrValue] | None = None, *children: Child) -> Markup:
    """``<tag attrs>children</tag>``; True attributes render bare, None/False are omitted.

    Tag and attribute names come from our code, never from data.
    """
    parts = [tag]
    for name, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(name)
        else:
            parts.append(f'{name}="{escape(str(value), quote=True)}"')
    opening = f"<{' '.join(parts)}>"
    if tag in VOID:
        return Markup(opening)
    return Markup(f"{opening}{render_child(list(children))}</{tag}>")


def join(*children: Child) -> Markup:
    return Markup(render_child(list(children)))

"""What editors and frameworks learn about ``<verdict-card>``: a Custom
Elements Manifest (custom-elements.json) and TypeScript typings
(verdict-card.d.ts for the DOM and JSX; verdict-card-react.d.ts for React 19's
JSX, verdict-card-vue.d.ts for Vue's templates),
written into dist/ from one table so the two never disagree. The element
itself is defined by the loader (loader/element.js); a browser test checks
that its observed attributes are exactly these.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from verdict.rules import CTA_TEXT_MAX, DEFAULT_THEME, HEADING_LEVELS, LAYOUTS, THEMES, Results, Section

TAG = "verdict-card"
CLASS = "VerdictCard"


def _union(values: Iterable[str]) -> str:
    """A TypeScript union of string literals."""
    return " | ".join(f'"{value}"' for value in values)


# name, TypeScript type of the attribute's value, what it does (docs/publishers/attributes.md).
ATTRIBUTES: list[tuple[str, str, str]] = [
    ("bundle", "string", "URL of the JSON bundle (http or https)."),
    ("comparison", "string", "Id of the comparison in the bundle (default: its first)."),
    ("endpoint", "string", "Base URL of the vote endpoint (none: no vote control)."),
    ("theme", _union(THEMES), f"Colour theme (default {DEFAULT_THEME})."),
    ("lazy", '"true" | "false" | "interaction"', "When the engine starts (default true: near the viewport)."),
    ("sections", "string", f"Comma-separated parts to show, in order: {','.join(Section)}."),
    (
        "heading-level",
        " | ".join([_union(map(str, HEADING_LEVELS)), *map(str, HEADING_LEVELS)]),
        "Level of the title's heading.",
    ),
    ("accent", "string", "Accent colour: any opaque CSS colour."),
    ("layout", _union(LAYOUTS), "Tools side by side, stacked, or by the card's width."),
    ("locale", "string", "Language tag of the card's own words (default: the page's lang)."),
    ("cta-url", "string", "The call to action's link (http, https or mailto)."),
    ("cta-text", "string", f"The sentence beside the call to action's button (1-{CTA_TEXT_MAX} characters)."),
    ("jsonld", '"on" | "off"', "off: add no JSON-LD to the page."),
    ("results", _union(Results), f"{Results.AFTER_VOTE}: the community figures show once this reader has voted."),
]

EVENT = ("verdict:vote", "A vote was counted (detail: {comparison, tool}; tool is null after a withdrawal).")
PARTS = ["card", "error", "header", "headline", "tools", "tool", "figures", "scorecard", "review", "vote", "choice",
         "cta", "cta-button"]  # fmt: skip
PROPERTIES = ["accent", "surface", "panel", "text", "muted", "border", "radius", "font", "font-size", "spacing"]


def manifest() -> dict[str, Any]:
    """The Custom Elements Manifest (schema 2.1.0)."""
    declaration = {
        "kind": "class",
        "name": CLASS,
        "tagName": TAG,
        "customElement": True,
        "description": "A Verdict comparison card. Attributes are the data-* attributes' names without data-.",
        "superclass": {"name": "HTMLElement"},
        "attributes": [{"name": n, "type": {"text": t}, "description": d} for n, t, d in ATTRIBUTES],
        "events": [{"name": EVENT[0], "type": {"text": "CustomEvent"}, "description": EVENT[1]}],
        "cssParts": [{"name": part} for part in PARTS],
        "cssProperties": [{"name": f"--verdict-{name}"} for name in PROPERTIES],
    }
    module = {
        "kind": "javascript-module",
        "path": "embed.js",
        "declarations": [declaration],
        "exports": [{"kind": "custom-element-definition", "name": TAG, "declaration": {"name": CLASS}}],
    }
    return {"schemaVersion": "2.1.0", "readme": "README.md", "modules": [module]}


def typings() -> str:
    """verdict-card.d.ts: the element in the DOM's tag map, its event, and the global JSX namespace (Preact, Solid)."""
    fields = "\n".join(f'  /** {d} */\n  "{n}"?: {t};' for n, t, d in ATTRIBUTES)
    return f"""// Types of <{TAG}>, written by Verdict's build (builder/assemble/element.py).
// Reference it once: /// <reference path="./verdict-card.d.ts" /> or "types" in tsconfig.json.

export interface VerdictCardAttributes {{
{fields}
}}

export interface VerdictVoteDetail {{
  comparison: string;
  tool: string | null;
}}

export interface VerdictCardElement extends HTMLElement {{}}

export type VerdictCardJSX = VerdictCardAttributes & {{
  id?: string;
  class?: string;
  className?: string;
  style?: unknown;
  hidden?: boolean;
  key?: string | number | null;
  ref?: unknown;
  children?: unknown;
  slot?: string;
}};

declare global {{
  interface HTMLElementTagNameMap {{
    "{TAG}": VerdictCardElement;
  }}
  interface HTMLElementEventMap {{
    "{EVENT[0]}": CustomEvent<VerdictVoteDetail>;
  }}
  namespace JSX {{
    interface IntrinsicElements {{
      "{TAG}": VerdictCardJSX;
    }}
  }}
}}
"""


REACT = f"""// <{TAG}> in React 19's JSX, written by Verdict's build (builder/assemble/element.py).
import type {{ VerdictCardJSX }} from "./verdict-card";

declare module "react" {{
  namespace JSX {{
    interface IntrinsicElements {{
      "{TAG}": VerdictCardJSX;
    }}
  }}
}}
"""

VUE = f"""// <{TAG}> in Vue 3's templates, written by Verdict's build (builder/assemble/element.py).
// Tell Vue's compiler it is a custom element: compilerOptions.isCustomElement = (tag) => tag === "{TAG}".
import type {{ VerdictCardAttributes }} from "./verdict-card";

declare module "vue" {{
  interface GlobalComponents {{
    "{TAG}": new () => {{ $props: VerdictCardAttributes }};
  }}
}}
"""


def write(dist: Path) -> None:
    (dist / "custom-elements.json").write_text(json.dumps(manifest(), indent=2) + "\n")
    (dist / "verdict-card.d.ts").write_text(typings())
    (dist / "verdict-card-react.d.ts").write_text(REACT)
    (dist / "verdict-card-vue.d.ts").write_text(VUE)

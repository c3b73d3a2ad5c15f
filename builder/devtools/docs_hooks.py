"""MkDocs hooks of the docs site (mkdocs.yml ``hooks:``): a command's ``--help``, written into its page.

A line ``<!-- verdict-help: render -->`` becomes what ``verdict render --help``
prints, so the page shows the options of the command as built, never a copy
typed by hand. MkDocs loads this file by its path, outside the builder package.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from typing import Any

from verdict import cli

MARKER = re.compile(r"^<!-- verdict-help: ([a-z-]+) -->$", re.MULTILINE)
COMMANDS = ("validate", "schema", "render")
# argparse wraps its help to the terminal's width: the page's code block keeps one.
WIDTH = "88"


def command_help(command: str) -> str:
    """What ``verdict COMMAND --help`` prints."""
    if command not in COMMANDS:
        raise ValueError(f"verdict-help: no command {command!r} (the engine's are {', '.join(COMMANDS)})")
    out = io.StringIO()
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            cli.main([command, "--help"])
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return out.getvalue().rstrip()


def on_page_markdown(markdown: str, /, **_: Any) -> str:
    return MARKER.sub(lambda m: f"```text\n{command_help(m[1])}\n```", markdown)

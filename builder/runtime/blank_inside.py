"""Read every table of the built-in modules the runtime leaves out, INSIDE Pyodide.

Run by blank_runtime.mjs on an instrumented core, after the engine's own
paths (trace_inside.py): every byte this reads, and the engine never did, is
a byte only these modules need. It encodes every code point and decodes every
two-byte sequence with each CJK codec (the _codecs_* built-ins, whose Python
front-ends in ``encodings`` the trimmed standard library does not ship), and
asks unicodedata for the name of every code point and the code point of every
name (the names database; unicodedata's other tables stay).

blank_runtime.mjs calls ``keep()`` after the engine's trace, counting what it
reads with the engine's, then ``main(modules)`` (or run it alone:
``blank_inside.py MODULE [MODULE ...]``).
"""

from __future__ import annotations

import importlib
import sys
import unicodedata

CJK_CODECS = {
    "_codecs_cn": ("gb2312", "gbk", "gb18030", "hz"),
    "_codecs_hk": ("big5hkscs",),
    "_codecs_iso2022": (
        "iso2022_jp",
        "iso2022_jp_1",
        "iso2022_jp_2",
        "iso2022_jp_2004",
        "iso2022_jp_3",
        "iso2022_jp_ext",
        "iso2022_kr",
    ),
    "_codecs_jp": ("shift_jis", "cp932", "euc_jp", "shift_jis_2004", "shift_jisx0213", "euc_jis_2004", "euc_jisx0213"),
    "_codecs_kr": ("euc_kr", "cp949", "johab"),
    "_codecs_tw": ("big5", "cp950"),
}
# What reading them may import besides: the CJK codecs' engine (left out with them).
ALSO_IMPORTED = ("_multibytecodec",)
EVERY_CHARACTER = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
EVERY_PAIR = [bytes((first, second)) for first in range(0x80, 0x100) for second in range(0x21, 0x100)]


def read_codecs(module_name: str) -> int:
    """Encode and decode everything with each codec of one _codecs_* module."""
    module = importlib.import_module(module_name)
    total = 0
    for name in CJK_CODECS[module_name]:
        codec = module.getcodec(name)
        encoded = codec.encode(EVERY_CHARACTER, "ignore")[0]
        total += len(codec.decode(encoded, "ignore")[0])
        for pair in EVERY_PAIR:
            total += len(codec.decode(pair, "ignore")[0])
    return total


def read_names() -> int:
    """Every code point's name, and back: the whole names database."""
    found = 0
    for code in range(0x110000):
        name = unicodedata.name(chr(code), None)
        if name is not None:
            found += 1
            if unicodedata.lookup(name) != chr(code):
                raise SystemExit(f"unicodedata.lookup({name!r}) is not U+{code:04X}")
    return found


def keep() -> int:
    """Read what stays of unicodedata (all but the names) for every code point, so none of it is blanked.

    Run before the left-out tables are read, and counted with the engine's
    reads: importing unicodedata and everything its other functions read is
    shared with name() and lookup(), and must stay.
    """
    ucd = unicodedata.ucd_3_2_0
    checks = 0
    for code in range(0x110000):
        char = chr(code)
        for db in (unicodedata, ucd):
            db.category(char), db.bidirectional(char), db.combining(char), db.east_asian_width(char)
            db.mirrored(char), db.decomposition(char), db.decimal(char, None), db.digit(char, None)
            db.numeric(char, None)
        # The interpreter's own character tables (str's and bytes' case maps and classes) too:
        # the left-out code reads some of their entries (lookup() upper-cases names).
        char.upper(), char.lower(), char.casefold(), char.title(), char.isalnum(), char.isdecimal()
        char.isdigit(), char.isnumeric(), char.isspace(), char.isprintable(), char.isidentifier()
        if code < 0x100:
            byte = bytes((code,))
            byte.upper(), byte.lower(), byte.isalnum(), byte.isspace(), byte.isdigit(), byte.title()
        checks += 1
    sample = "".join(chr(c) for c in range(0x20, 0x30000, 7) if not 0xD800 <= c < 0xE000)
    for db in (unicodedata, ucd):
        for form in ("NFC", "NFD", "NFKC", "NFKD"):
            db.normalize(form, sample), db.is_normalized(form, sample)
    return checks


def main(modules: list[str]) -> int:
    before = set(sys.modules)
    used = [m for m in modules if m in before and m != "unicodedata.names"]
    if used:
        raise SystemExit(f"the engine imported {used}: their tables cannot be left out")
    for module in modules:
        if module == "unicodedata.names":
            print(f"blank_inside: unicodedata names: {read_names()} code points named")
        elif module in CJK_CODECS:
            print(f"blank_inside: {module}: {read_codecs(module)} characters decoded")
        else:
            raise SystemExit(f"blank_inside: no way to read {module!r}'s tables")
    also = set(sys.modules) - before - set(modules) - set(ALSO_IMPORTED)
    if also:
        raise SystemExit(f"blank_inside: reading the left-out tables imported {sorted(also)}, which the runtime keeps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""What a runtime's core gives for Unicode, run inside Pyodide by trace_runtime.mjs.

Prints one JSON line: a digest of everything unicodedata keeps (every
function but name() and lookup(), for every code point), and how the
left-out parts answer (a CJK codec, a character name, a ``\\N{...}`` escape).
"""

import json
import unicodedata
import zlib  # the trimmed runtime has no hashlib; CRC-32 and Adler-32 together tell any change apart here


class Digest:
    def __init__(self):
        self.crc, self.adler, self.size = 0, 1, 0

    def update(self, data):
        self.crc, self.adler = zlib.crc32(data, self.crc), zlib.adler32(data, self.adler)
        self.size += len(data)

    def hexdigest(self):
        return f"{self.crc:08x}{self.adler:08x}-{self.size}"


def attempt(action):
    try:
        return ["ok", repr(action())]
    except Exception as error:  # what the reader's runtime would raise
        return [type(error).__name__, str(error)]


async def main():
    digest = Digest()
    for code in range(0x110000):
        char = chr(code)
        for db in (unicodedata, unicodedata.ucd_3_2_0):
            row = (
                db.category(char),
                db.bidirectional(char),
                db.combining(char),
                db.east_asian_width(char),
                db.mirrored(char),
                db.decomposition(char),
                db.numeric(char, None),
                char.upper(),
                char.casefold(),
                char.isidentifier(),
            )
            digest.update(repr(row).encode("utf-8", "surrogatepass"))
    sample = "".join(chr(c) for c in range(0x20, 0x30000, 3) if not 0xD800 <= c < 0xE000)
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        digest.update(unicodedata.normalize(form, sample).encode("utf-8", "surrogatepass"))
    left_out = {
        "import _codecs_jp": attempt(lambda: __import__("_codecs_jp").getcodec("shift_jis").encode("日本")),
        "encode shift_jis": attempt(lambda: "日本".encode("shift_jis")),
        "name": attempt(lambda: unicodedata.name("é")),
        "lookup": attempt(lambda: unicodedata.lookup("LATIN SMALL LETTER E WITH ACUTE")),
        "escape": attempt(lambda: b"\\N{EM DASH}".decode("unicode_escape")),
    }
    print(json.dumps({"kept": digest.hexdigest(), "left_out": left_out}))


async def report():
    pass

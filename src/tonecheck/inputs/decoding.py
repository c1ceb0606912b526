"""Bytes of a draft file to text, or an InputError that says what the file is.

UTF-8 is the default. A byte-order mark chooses the encoding instead: UTF-8,
UTF-16 or UTF-32 (little or big endian), as Windows exports (Notepad's
"Unicode", Excel's "Unicode text") write them. The mark itself is not part of
the text, so offsets, lines and columns count the characters after it, as an
editor shows them.
"""

from __future__ import annotations

import codecs

from tonecheck.errors import InputError

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def decode(data: bytes, name: str) -> str:
    """The text of a file's bytes; raise InputError (naming ``name``) for binary or undecodable data."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return body.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    name,
                    f"not valid {label} text although it starts with a {label} byte-order mark "
                    f"(bad data at byte {exc.start + len(bom)}); re-export it as UTF-8",
                ) from None
    if b"\x00" in data[:8192]:
        raise InputError(
            name,
            "binary file (contains NUL bytes); skipped. If it is UTF-16 text without a byte-order "
            "mark, convert it first, e.g. `iconv -f utf-16le -t utf-8`",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            name,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, e.g. `iconv -f latin1 -t utf-8`",
        ) from None

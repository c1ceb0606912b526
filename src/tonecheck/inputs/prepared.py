"""The text the engine lints, and the way back to the original input."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Prepared:
    """Linted text plus, when it differs in length from the input, where each character came from.

    ``starts[i]``/``ends[i]`` are the original offsets of prepared character ``i``
    (an entity such as ``&rsquo;`` is one prepared character spanning seven
    original ones). Same-length preparation (blanking) needs no map.

    Most inputs are one prepared text. An e-mail message is several, each linted
    on its own: ``more`` holds the others (the other messages of an mbox, MIME
    parts that had to be decoded). A unit's original offsets are relative to
    ``offset`` in the input (a message inside an mbox), or, for a decoded MIME
    ``part``, index that part's decoded text, ``source``. ``directives`` is the
    text inline suppressions are read from when it is not the whole input (a
    message with everything but the linted bodies blanked, same length).
    """

    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None
    offset: int = 0
    part: str | None = None
    source: str | None = None
    directives: str | None = None
    more: tuple[Prepared, ...] = ()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of prepared characters ``start:end``, before ``offset``."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    @property
    def units(self) -> tuple[Prepared, ...]:
        """Every text to lint: this one and ``more``."""
        return (self, *self.more)


class Builder:
    """Accumulates prepared text piece by piece, recording original offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def copy(self, text: str, at: int) -> None:
        """Characters copied verbatim from original offset ``at``."""
        self.parts.append(text)
        self.starts.extend(range(at, at + len(text)))
        self.ends.extend(range(at + 1, at + len(text) + 1))

    def replace(self, text: str, start: int, end: int) -> None:
        """``text`` stands for original ``start:end`` (a decoded entity, a break for a tag)."""
        self.parts.append(text)
        self.starts.extend([start] * len(text))
        self.ends.extend([end] * len(text))

    def mapped(self, prepared: Prepared, at: int) -> None:
        """Another prepared text whose original offsets start at ``at``."""
        if prepared.starts is None or prepared.ends is None:
            self.copy(prepared.text, at)
            return
        self.parts.append(prepared.text)
        self.starts.extend(at + s for s in prepared.starts)
        self.ends.extend(at + e for e in prepared.ends)

    def build(self) -> Prepared:
        return Prepared("".join(self.parts), self.starts, self.ends)


_CRLF = re.compile(r"\r\n")


def without_cr(prepared: Prepared) -> Prepared:
    """``prepared`` with each CRLF line end as a bare LF, offsets still mapped to the original.

    Windows files and e-mail end lines with CRLF. Blanking turns a line break
    inside a paragraph into a space; a CR beside it would become a second space,
    which spaCy makes a token of its own, and "calm\\r\\ndown" would not match
    "calm down".
    """
    text = prepared.text
    if "\r\n" not in text:
        return prepared
    starts = prepared.starts if prepared.starts is not None else range(len(text))
    ends = prepared.ends if prepared.ends is not None else range(1, len(text) + 1)
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    position = 0
    for found in _CRLF.finditer(text):
        at = found.start()
        pieces.append(text[position:at])
        new_starts.extend(starts[position:at])
        new_ends.extend(ends[position:at])
        pieces.append("\n")  # stands for both characters
        new_starts.append(starts[at])
        new_ends.append(ends[at + 1])
        position = at + 2
    pieces.append(text[position:])
    new_starts.extend(starts[position:])
    new_ends.extend(ends[position:])
    return Prepared("".join(pieces), new_starts, new_ends, prepared.offset, prepared.part, prepared.source, prepared.directives)

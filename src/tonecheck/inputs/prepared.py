"""The text the engine lints, and the way back to the original input."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prepared:
    """Linted text plus, when it differs in length from the input, where each character came from.

    ``starts[i]``/``ends[i]`` are the original offsets of prepared character ``i``
    (an entity such as ``&rsquo;`` is one prepared character spanning seven
    original ones). Same-length preparation (blanking) needs no map.
    """

    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of prepared characters ``start:end``."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


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

    def build(self) -> Prepared:
        return Prepared("".join(self.parts), self.starts, self.ends)

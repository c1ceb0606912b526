"""What a token pattern cannot match without: its fixed tokens and where they sit.

The anchor index (anchors.py) needs, for every token pattern, the mandatory
tokens whose values are fixed ("guarantee", "liable", "only"), how common each
is (the rarest becomes the pattern's anchor), and at which offsets from the
anchor the others may sit given the operators in between. For patterns without
fixed words (capitals), the flags and lengths their tokens must have.
This is analysis of the pattern alone; nothing here reads a document.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from spacy.attrs import (
    IS_ALPHA,
    IS_DIGIT,
    IS_LOWER,
    IS_PUNCT,
    IS_TITLE,
    IS_UPPER,
    LEMMA,
    LIKE_EMAIL,
    LIKE_NUM,
    LIKE_URL,
    LOWER,
    NORM,
    ORTH,
)

ATTR_IDS = {"NORM": NORM, "LEMMA": LEMMA, "LOWER": LOWER, "ORTH": ORTH}
FLAG_IDS = {
    "IS_ALPHA": IS_ALPHA, "IS_DIGIT": IS_DIGIT, "IS_LOWER": IS_LOWER, "IS_PUNCT": IS_PUNCT,
    "IS_TITLE": IS_TITLE, "IS_UPPER": IS_UPPER, "LIKE_EMAIL": LIKE_EMAIL, "LIKE_NUM": LIKE_NUM,
    "LIKE_URL": LIKE_URL,
}

_UNSEEN = math.exp(-20.0)


def _values(spec: Any) -> list[str] | None:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"} and all(isinstance(v, str) for v in spec["IN"]):
        return list(spec["IN"])
    return None


@dataclass(frozen=True)
class Need:
    """A mandatory pattern token with a fixed set of values for one attribute."""

    index: int  # position in the pattern
    attr: str
    values: tuple[str, ...]
    op: str


def requirements(pattern: Sequence[dict[str, Any]], probability: Mapping[str, float]) -> list[Need]:
    """Every mandatory token with fixed values, rarest first; empty if none is fixed."""
    found: list[tuple[float, Need]] = []
    for index, token in enumerate(pattern):
        op = token.get("OP", "1")
        if op not in ("1", "+"):
            continue
        options = [(attr, _values(token.get(attr))) for attr in ATTR_IDS]
        options = [(attr, values) for attr, values in options if values]
        if not options:
            continue
        # One attribute per token is enough to require; take its rarest.
        cost, attr, values = min((commonness(values, probability), attr, values) for attr, values in options)
        found.append((cost, Need(index, attr, tuple(values), op)))
    found.sort(key=lambda item: item[0])
    return [need for _, need in found]


@dataclass(frozen=True)
class Analysis:
    """What the anchor gate needs to know of one token pattern, worked out from the pattern alone.

    ``needs`` are its fixed tokens, rarest first, with ``costs`` their
    commonness; ``placed`` the offsets of the others from the anchor when the
    anchor is one token (else None); ``tests`` the token tests of a pattern
    without fixed tokens. Kept with the compiled patterns (compiled_rules.py).
    """

    needs: tuple[Need, ...]
    costs: tuple[float, ...]
    placed: tuple[tuple[int, int], ...] | None
    tests: list[tuple[tuple[str, ...], int, int, int]]


def analyse(
    pattern: Sequence[dict[str, Any]], probability: Mapping[str, float], shared: dict[tuple[str, ...], tuple[str, ...]] | None = None
) -> Analysis:
    """The gate's view of ``pattern`` (``probability``: word log probabilities, for rarity).

    ``shared`` makes equal value tuples one object across the patterns analysed
    with it: one word class recurs in thousands of patterns, and a pickled
    entry (compiled_rules.py) then holds it once, not thousands of times.
    """
    needs = requirements(pattern, probability)
    if shared is not None:
        needs = [replace(need, values=shared.setdefault(need.values, need.values)) for need in needs]
    if not needs:
        return Analysis((), (), None, token_tests(pattern))
    anchor = needs[0]
    placed = None
    if anchor.op == "1":
        placed = tuple(offsets(pattern, anchor.index, need.index) for need in needs[1:])
    return Analysis(tuple(needs), tuple(commonness(need.values, probability) for need in needs), placed, [])


def commonness(values: Sequence[str], probability: Mapping[str, float]) -> float:
    """How likely a token is to have one of ``values``, from the words' frequencies."""
    if isinstance(probability, Rarity):
        return probability.commonness(values)
    return sum(math.exp(probability.get(v.lower(), -20.0)) if v else _UNSEEN for v in values)


class Rarity(Mapping[str, float]):
    """Word probabilities that remember ``commonness`` per distinct set of values.

    The same word classes recur in thousands of patterns: summing their words'
    probabilities again for each took 1.2 s of a cold start (139k sums, measured).
    """

    def __init__(self, probability: Mapping[str, float]):
        self.probability = probability
        self._known: dict[tuple[str, ...], float] = {}

    def commonness(self, values: Sequence[str]) -> float:
        key = tuple(values)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = commonness(key, self.probability)
        return found

    def __getitem__(self, word: str) -> float:
        return self.probability[word]

    def __iter__(self) -> Iterator[str]:
        return iter(self.probability)

    def __len__(self) -> int:
        return len(self.probability)


_FAR = 1 << 30


def _consumes(op: str) -> tuple[int, int]:
    """How many document tokens one pattern token takes: (least, most)."""
    simple = {"1": (1, 1), "?": (0, 1), "+": (1, _FAR), "*": (0, _FAR), "!": (0, 1)}
    if op in simple:
        return simple[op]
    bounds = re.fullmatch(r"\{(\d*)(,?)(\d*)\}", op)
    if not bounds:
        return 0, _FAR  # an operator this code does not know: claim nothing
    least = int(bounds[1] or 0)
    most = least if not bounds[2] else (int(bounds[3]) if bounds[3] else _FAR)
    return least, most


def offsets(pattern: Sequence[dict[str, Any]], anchor: int, other: int) -> tuple[int, int]:
    """Where token ``other`` can sit relative to token ``anchor`` in any match: (least, most) offset."""
    low, high = (anchor, other) if other > anchor else (other, anchor)
    spans = [_consumes(token.get("OP", "1")) for token in pattern[low + 1 : high]]
    least = sum(s[0] for s in spans)
    most = min(sum(s[1] for s in spans), _FAR)
    if other > anchor:
        return 1 + least, 1 + most
    return -1 - most, -1 - least


def token_tests(pattern: Sequence[dict[str, Any]]) -> list[tuple[tuple[str, ...], int, int, int]]:
    """For a pattern without fixed words: the flags (and minimum length) its mandatory tokens must have.

    "Three capitalised words in a row" has no word to look up, but a document
    without two all-capitals tokens of two letters or more side by side cannot
    match it. Returns (flags, minimum length, least offset, most offset) per
    mandatory flagged token, offsets relative to the first of them.
    """
    flagged: list[tuple[int, tuple[str, ...], int]] = []
    for index, token in enumerate(pattern):
        if token.get("OP", "1") != "1":
            continue
        flags = tuple(sorted(k for k, v in token.items() if k in FLAG_IDS and v is True))
        if not flags:
            continue
        length = token.get("LENGTH")
        if isinstance(length, dict):
            minimum = max([int(length.get(">=", 0)), int(length.get(">", -1)) + 1, int(length.get("==", 0))])
        else:
            minimum = int(length) if isinstance(length, int) else 0
        flagged.append((index, flags, minimum))
    if not flagged:
        return []
    first = flagged[0][0]
    return [
        (flags, minimum, *((0, 0) if index == first else offsets(pattern, first, index)))
        for index, flags, minimum in flagged
    ]

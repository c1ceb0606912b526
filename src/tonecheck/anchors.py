"""Anchors: a cheap test that tells whether any token pattern could match a document.

spaCy's Matcher tries every pattern at every token, so its cost grows with the
number of patterns even when nothing matches, which is nearly always: most
replies are polite. Each token pattern has mandatory tokens with a fixed set of
values ("guarantee", "liable", "only"...). We pick the rarest such token as the
pattern's anchor (rarity from spacy-lookups-data's word probabilities); a
document none of whose tokens is an anchor cannot match any anchored pattern,
and the Matcher that holds them is not run on it. A pattern with no anchor
(capitals, punctuation runs) goes in the Matcher that always runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from spacy.attrs import LEMMA, LOWER, NORM, ORTH
from spacy.strings import StringStore
from spacy.tokens import Doc

_ATTR_IDS = {"NORM": NORM, "LEMMA": LEMMA, "LOWER": LOWER, "ORTH": ORTH}
_UNSEEN = math.exp(-20.0)


def _values(spec: Any) -> list[str] | None:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"} and all(isinstance(v, str) for v in spec["IN"]):
        return list(spec["IN"])
    return None


def requirements(pattern: Sequence[dict[str, Any]], probability: Mapping[str, float]) -> list[tuple[str, list[str]]]:
    """Every mandatory token's (attribute, values), rarest first; empty if none is fixed."""
    found: list[tuple[float, str, list[str]]] = []
    for token in pattern:
        if token.get("OP", "1") not in ("1", "+"):
            continue
        options = [(attr, _values(token.get(attr))) for attr in _ATTR_IDS]
        options = [(attr, values) for attr, values in options if values]
        if not options:
            continue
        # One attribute per token is enough to require; take its rarest.
        cost, attr, values = min(
            (sum(math.exp(probability.get(v.lower(), -20.0)) if v else _UNSEEN for v in values), attr, values)
            for attr, values in options
        )
        found.append((cost, attr, values))
    found.sort(key=lambda item: item[0])
    return [(attr, values) for _, attr, values in found]


class Gate:
    """Opens for a document only if some anchored pattern has all its fixed tokens in it."""

    def __init__(self, strings: StringStore):
        self.strings = strings
        self.attrs: set[str] = set()
        self.patterns: list[list[tuple[str, frozenset[int]]]] = []
        self.index: dict[tuple[str, int], list[int]] = {}

    def add(self, needs: Sequence[tuple[str, Sequence[str]]]) -> None:
        # Hashed exactly as the Matcher hashes pattern values, so the gate opens
        # whenever the Matcher's comparisons could all succeed.
        hashed = [(attr, frozenset(self.strings.add(v) for v in values)) for attr, values in needs]
        number = len(self.patterns)
        self.patterns.append(hashed)
        attr, rarest = hashed[0]
        self.attrs.add(attr)
        self.attrs.update(a for a, _ in hashed)
        for value in rarest:
            self.index.setdefault((attr, value), []).append(number)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def opens_for(self, doc: Doc) -> bool:
        """Could any anchored pattern match ``doc``?"""
        if not self.patterns:
            return False
        attrs = sorted(self.attrs)
        columns = doc.to_array([_ATTR_IDS[a] for a in attrs]).reshape(len(doc), len(attrs))
        present = {attr: set(columns[:, i].tolist()) for i, attr in enumerate(attrs)}
        for attr, values in present.items():
            for value in values:
                for number in self.index.get((attr, value), ()):
                    if all(not need.isdisjoint(present[a]) for a, need in self.patterns[number][1:]):
                        return True
        return False

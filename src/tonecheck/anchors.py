"""Anchors: a cheap index that tells which token patterns could match a document.

spaCy's Matcher tries every pattern at every token, so its cost grows with the
number of patterns times the length of the text even when nothing matches,
which is nearly always: most replies are polite (measured: ~0.08 µs per
pattern and token, 669 expanded patterns, ten times the whole pipeline). Each
token pattern has mandatory tokens with a fixed set of values ("guarantee",
"liable", "only"...). The rarest of them is the pattern's anchor (rarity from
spacy-lookups-data's word probabilities); a pattern can only match a document
that holds its anchor and every other fixed token, which a set lookup per
distinct token value tells. Only the candidates' Matchers then run (1.6 rules
per real reply on average instead of all of them).
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
    """Tells which groups of patterns could match a document.

    Each pattern belongs to a group (the token patterns of one rule, or of one
    rule's vetoes). A group is a candidate for a document when one of its
    patterns has all its fixed tokens somewhere in the document; a group with a
    pattern that has no fixed token is always a candidate.
    """

    def __init__(self, strings: StringStore):
        self.strings = strings
        self.attrs: set[str] = set()
        self.patterns: list[tuple[int, list[tuple[str, frozenset[int]]]]] = []
        self.index: dict[tuple[str, int], list[int]] = {}
        self.anchors: dict[str, set[int]] = {}
        self.always: set[int] = set()

    def add(self, group: int, needs: Sequence[tuple[str, Sequence[str]]]) -> None:
        if not needs:
            self.always.add(group)
            return
        # Hashed exactly as the Matcher hashes pattern values, so the gate opens
        # whenever the Matcher's comparisons could all succeed.
        hashed = [(attr, frozenset(self.strings.add(v) for v in values)) for attr, values in needs]
        number = len(self.patterns)
        self.patterns.append((group, hashed))
        attr, rarest = hashed[0]
        self.attrs.update(a for a, _ in hashed)
        self.anchors.setdefault(attr, set()).update(rarest)
        for value in rarest:
            self.index.setdefault((attr, value), []).append(number)

    def candidates(self, doc: Doc) -> set[int]:
        """The groups that could match ``doc``: one array read, then set lookups."""
        found = set(self.always)
        if not self.patterns or not len(doc):
            return found
        attrs = sorted(self.attrs)
        columns = doc.to_array([_ATTR_IDS[a] for a in attrs]).reshape(len(doc), len(attrs))
        present = {attr: set(columns[:, i].tolist()) for i, attr in enumerate(attrs)}
        for attr, anchors in self.anchors.items():
            for value in present[attr] & anchors:
                for number in self.index[(attr, value)]:
                    group, needs = self.patterns[number]
                    if group not in found and all(not need.isdisjoint(present[a]) for a, need in needs[1:]):
                        found.add(group)
        return found

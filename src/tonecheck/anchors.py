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
from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from typing import Any

from spacy.attrs import (
    IS_ALPHA,
    IS_DIGIT,
    IS_LOWER,
    IS_PUNCT,
    IS_TITLE,
    IS_UPPER,
    LEMMA,
    LENGTH,
    LIKE_EMAIL,
    LIKE_NUM,
    LIKE_URL,
    LOWER,
    NORM,
    ORTH,
    SENT_START,
)
from spacy.strings import StringStore
from spacy.tokens import Doc

_ATTR_IDS = {"NORM": NORM, "LEMMA": LEMMA, "LOWER": LOWER, "ORTH": ORTH}
_FLAG_IDS = {
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


def token_test(pattern: Sequence[dict[str, Any]]) -> tuple[tuple[str, ...], int] | None:
    """For a pattern without fixed words: flags (and a minimum length) one mandatory token must have.

    "Three capitalised words in a row" has no word to look up, but a document
    without any all-capitals token of two letters or more cannot match it.
    """
    for token in pattern:
        if token.get("OP", "1") not in ("1", "+"):
            continue
        flags = tuple(sorted(k for k, v in token.items() if k in _FLAG_IDS and v is True))
        if not flags:
            continue
        length = token.get("LENGTH")
        if isinstance(length, dict):
            minimum = max([int(length.get(">=", 0)), int(length.get(">", -1)) + 1, int(length.get("==", 0))])
        else:
            minimum = int(length) if isinstance(length, int) else 0
        return flags, minimum
    return None


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
        self.group_anchors: dict[int, dict[str, set[int]]] = {}
        self.index: dict[tuple[str, int], list[int]] = {}
        self.anchors: dict[str, set[int]] = {}
        self.always: set[int] = set()  # groups with a pattern that has no anchor
        self.tested: list[tuple[int, tuple[tuple[str, ...], int]]] = []  # (group, token test) without anchor

    def add(self, group: int, needs: Sequence[tuple[str, Sequence[str]]], test: tuple[tuple[str, ...], int] | None = None) -> None:
        if not needs:
            if test is None:
                self.always.add(group)
            else:
                self.tested.append((group, test))
            return
        # Hashed exactly as the Matcher hashes pattern values, so the gate opens
        # whenever the Matcher's comparisons could all succeed.
        hashed = [(attr, frozenset(self.strings.add(v) for v in values)) for attr, values in needs]
        number = len(self.patterns)
        self.patterns.append((group, hashed))
        attr, rarest = hashed[0]
        self.attrs.update(a for a, _ in hashed)
        self.anchors.setdefault(attr, set()).update(rarest)
        self.group_anchors.setdefault(group, {}).setdefault(attr, set()).update(rarest)
        for value in rarest:
            self.index.setdefault((attr, value), []).append(number)

    def scan(self, doc: Doc) -> Scan:
        """Which groups could match ``doc``, from one array read and set lookups."""
        scan = Scan(set(), (0, 0), set(self.always))
        if not len(doc) or not (self.patterns or self.tested):
            return scan
        attrs = sorted(self.attrs)
        flags = sorted({f for _, (names, _) in self.tested for f in names})
        ids = [_ATTR_IDS[a] for a in attrs] + [_FLAG_IDS[f] for f in flags] + [LENGTH, SENT_START]
        table = doc.to_array(ids).reshape(len(doc), len(ids))
        if self.tested:
            scan.unanchored |= self._tested(table[:, len(attrs):], flags)
        if not self.patterns:
            return scan
        columns = table[:, : len(attrs)].T.tolist()
        present = {attr: set(column) for attr, column in zip(attrs, columns)}
        found = scan.anchored
        for attr, anchors in self.anchors.items():
            for value in present[attr] & anchors:
                for number in self.index[(attr, value)]:
                    group, needs = self.patterns[number]
                    if group not in found and _all_present(needs, present):
                        found.add(group)
        if found:
            wanted: dict[str, set[int]] = {}
            for group in found:
                for attr, values in self.group_anchors[group].items():
                    wanted.setdefault(attr, set()).update(values)
            positions = [
                i
                for attr, column in zip(attrs, columns)
                if attr in wanted
                for i, value in enumerate(column)
                if value in wanted[attr]
            ]
            scan.window = _sentences_around(table[:, -1].tolist(), min(positions), max(positions))
        return scan

    def _tested(self, table: Any, flags: list[str]) -> set[int]:
        """Unanchored groups whose token test some token passes (``table``: flags, LENGTH, SENT_START)."""
        found: set[int] = set()
        for group, (names, minimum) in self.tested:
            if group in found:
                continue
            mask = table[:, len(flags)] >= minimum
            for name in names:
                mask &= table[:, flags.index(name)] == 1
            if mask.any():
                found.add(group)
        return found


@dataclass
class Scan:
    """What the gate found in one document.

    ``anchored`` groups need only the tokens of ``window``: it runs from the
    sentence of the first anchor to the end of the sentence of the last one,
    since a token pattern matches within a sentence and every match holds its
    pattern's anchor. ``unanchored`` groups (no fixed words) read the whole document.
    """

    anchored: set[int]
    window: tuple[int, int]
    unanchored: set[int]


def _all_present(needs: list[tuple[str, frozenset[int]]], present: dict[str, set[int]]) -> bool:
    # needs[0] is the anchor, already found; a plain loop beats all() on a generator here.
    for attr, values in needs[1:]:
        if values.isdisjoint(present[attr]):
            return False
    return True


def _sentences_around(starts: list[int], first: int, last: int) -> tuple[int, int]:
    begin = first
    while begin > 0 and starts[begin] != 1:
        begin -= 1
    end = last + 1
    while end < len(starts) and starts[end] != 1:
        end += 1
    return begin, end

"""Anchors: a cheap index that tells which token patterns could match a document.

spaCy's Matcher tries every pattern at every token and builds two Python Token
objects per token on every call, so one Matcher over all patterns cost ten times
the whole pipeline (measured: ~0.08 µs per pattern and token, 669 expanded
patterns). Most replies are polite and match nothing, so the work is avoided
rather than sped up:

- each token pattern's mandatory tokens with fixed values ("guarantee",
  "liable", "only"...) are known; the rarest is its anchor (rarity from
  frequencies.py);
- a document is read once as arrays; a pattern is a candidate only where its
  anchor occurs and every other fixed token sits at an offset from it that the
  pattern's operators allow (a necessary condition, tested against the real
  Matchers on every rule example and the dev set);
- patterns without fixed words (capitals) get the same treatment with token
  flags and lengths.

On 1,136 real replies, 140 reach a Matcher at all, and it reads only the
sentences around the anchors.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from collections.abc import Mapping, Sequence
from typing import Any

from spacy.attrs import ORTH, SENT_START
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab

from tonecheck.gcpause import collector_paused
from tonecheck.pattern_needs import ATTR_IDS, FLAG_IDS, Analysis, analyse


class Gate:
    """Tells which groups of patterns could match a document.

    Each pattern belongs to a group (the token patterns of one rule). A group is
    a candidate for a document when one of its patterns has all its fixed
    tokens in the document, at the offsets from its anchor that the pattern's
    operators allow; a group with a pattern that has no fixed token is a
    candidate whenever its token test passes, or always.
    """

    def __init__(self, strings: StringStore):
        self.strings = strings
        self.attrs: set[str] = set()
        # (group, fixed tokens' (attr, values) rarest first, their offsets from the anchor or None)
        self.patterns: list[tuple[int, list[tuple[str, frozenset[int]]], list[tuple[str, frozenset[int], int, int]] | None]] = []
        self.always: set[int] = set()  # groups with a pattern that has no anchor
        self.tested: list[tuple[int, list[tuple[tuple[str, ...], int, int, int]]]] = []  # (group, token_tests)
        self.commonness: dict[tuple[str, frozenset[int]], float] = {}  # per fixed token: how often its words occur
        self._hashes: dict[tuple[str, ...], frozenset[int]] = {}
        self._by_id: dict[int, tuple[tuple[str, ...], frozenset[int]]] = {}

    def add(self, group: int, pattern: Sequence[dict[str, Any]], probability: Mapping[str, float]) -> None:
        self.add_analysed(group, analyse(pattern, probability))

    def add_analysed(self, group: int, analysis: Analysis) -> None:
        """Add a pattern of ``group`` by its analysis (pattern_needs.analyse; it may come from the cache)."""
        self.__dict__.pop("_layout", None)  # the columns to read may change
        self.__dict__.pop("_passing", None)  # and the token tests
        self.__dict__.pop("_needs", None)  # and the per-document index with them
        needs = analysis.needs
        if not needs:
            if analysis.tests:
                self.tested.append((group, analysis.tests))
            else:
                self.always.add(group)
            return
        # Hashed exactly as the Matcher hashes pattern values, so the gate opens
        # whenever the Matcher's comparisons could all succeed.
        hashed = [(n.attr, self._hashed(n.values)) for n in needs]
        for key, cost in zip(hashed, analysis.costs):
            self.commonness[key] = cost
        # Around an anchor that is one token, the other fixed tokens must sit at
        # offsets the pattern allows: a far stronger test than "somewhere".
        placed = None
        if analysis.placed is not None:
            placed = [(attr, values, *offset) for (attr, values), offset in zip(hashed[1:], analysis.placed)]
        self.patterns.append((group, hashed, placed))
        self.attrs.update(a for a, _ in hashed)

    def _hashed(self, values: tuple[str, ...]) -> frozenset[int]:
        """The string hashes of a fixed token's values, worked out once per distinct set (one word class recurs in thousands of patterns)."""
        # By identity first: the analyses share their value tuples (pattern_needs.analyse),
        # and hashing a tuple of hundreds of words for each of 70k needs cost 0.14 s.
        known = self._by_id.get(id(values))
        if known is not None and known[0] is values:
            return known[1]
        found = self._hashes.get(values)
        if found is None:
            found = self._hashes[values] = frozenset(self.strings.add(v) for v in values)
        self._by_id[id(values)] = (values, found)  # holding ``values`` keeps its id from being reused
        return found

    @cached_property
    def _needs(self) -> _NeedIndex:
        """The patterns rearranged for scanning (worked out once, after the last ``add``).

        Each distinct fixed token (attribute, values) is one "need", one bit
        of a Python int: OR-ing the bits of a document's present values gives
        every need it meets, and a pattern whose anchor is present is a
        candidate when none of its other needs' bits is missing (one integer
        AND). Patterns that share an anchor and the same other needs (the
        many forms one word class expands to) are tested once; patterns that
        also sit the same way around the anchor, once per position.
        """
        # Tens of thousands of small objects: the cyclic collector, run over the
        # whole vocabulary at each threshold, took two thirds of the build
        # (0.22 s -> 0.07 s without it, measured). Nothing built here is a cycle.
        with collector_paused():
            return self._build_needs()

    def _build_needs(self) -> _NeedIndex:
        # The commonest needs get the lowest bits: a typical document then meets
        # only low bits, and its ints stay short.
        needs = sorted({need for _, hashed, _ in self.patterns for need in hashed}, key=lambda need: -self.commonness[need])
        number = {need: k for k, need in enumerate(needs)}
        bits: dict[str, dict[int, int]] = {}
        for (attr, values), k in number.items():
            column = bits.setdefault(attr, {})
            for value in values:
                column[value] = column.get(value, 0) | (1 << k)
        anchored: dict[int, dict[int, dict[tuple[int, Any], None]]] = {}
        for group, hashed, placed in self.patterns:
            others = 0
            for need in hashed[1:]:
                others |= 1 << number[need]
            key = (group, None if placed is None else tuple(placed))
            anchored.setdefault(number[hashed[0]], {}).setdefault(others, {})[key] = None
        anchors: dict[str, dict[int, list[int]]] = {}
        for (attr, values), k in number.items():
            if k in anchored:
                for value in values:
                    anchors.setdefault(attr, {}).setdefault(value, []).append(k)
        index = _NeedIndex()
        index.columns = []
        for attr, column in bits.items():
            info = {value: (mask, tuple(anchors.get(attr, {}).get(value, ()))) for value, mask in column.items()}
            index.columns.append((attr, info, frozenset(info)))
        index.anchored = {k: [(others, list(members)) for others, members in entries.items()] for k, entries in anchored.items()}
        return index

    def scan(self, doc: Doc) -> Scan:
        """Which groups could match ``doc``, from one array read and set lookups."""
        scan = Scan(set(), set(self.always))
        n = len(doc)
        if not n or not (self.patterns or self.tested):
            return scan
        attrs, ids = self._layout
        # One read of every column, as Python lists: on a ~30-token reply,
        # numpy's per-call overhead costs more than the work.
        table = doc.to_array(ids).reshape(n, len(ids)).T.tolist()
        if self.tested:
            scan.unanchored |= self._tested(table[len(attrs)], doc.vocab)
        if not self.patterns:
            return scan
        index = self._needs
        columns = dict(zip(attrs, table))
        # The needs this document meets, and its values that are anchors.
        met = 0
        hit: list[tuple[list[int], int, tuple[int, ...]]] = []
        for attr, info, known in index.columns:
            column = columns[attr]
            for value in known.intersection(column):
                bits, anchors = info[value]
                met |= bits
                if anchors:
                    hit.append((column, value, anchors))
        found = scan.positions
        # On a long document, one pass per column finds every anchor value's
        # positions; a reply's few anchors are found with C scans instead.
        where = _Where(hit) if n > _LONG else None
        for column, value, anchors in hit:
            positions = None
            for k in anchors:
                for others, members in index.anchored[k]:
                    if others & met != others:
                        continue
                    if positions is None:
                        positions = where.positions(column, value) if where is not None else _positions(column, value)
                    for group, placed in members:
                        if placed is None:
                            found.setdefault(group, []).extend(positions)
                            continue
                        for position in positions:
                            if _all_placed(placed, position, columns, n):
                                found.setdefault(group, []).append(position)
        if found:
            scan.anchored = set(found)
            starts = [i for i, value in enumerate(table[-1]) if value == 1]
            if not starts or starts[0] != 0:
                starts.insert(0, 0)
            scan.sentence_starts, scan.length = starts, n
        return scan

    @cached_property
    def _layout(self) -> tuple[list[str], list[int]]:
        """The columns a scan reads: anchor attributes, ORTH (for token tests), SENT_START (worked out once)."""
        attrs = sorted(self.attrs)
        return attrs, [ATTR_IDS[a] for a in attrs] + ([ORTH] if self.tested else []) + [SENT_START]

    def _tested(self, orths: list[int], vocab: Vocab) -> set[int]:
        """Unanchored groups whose token tests pass at the right offsets (``orths``: the ORTH column).

        A token test (flags and a minimum length) reads only the token's
        lexeme, so it is worked out once per distinct text; a document
        without a token passing a group's first test (most replies: no word
        in capitals) costs one set operation.
        """
        found: set[int] = set()
        present = set(orths)
        passing, classified = self._passing
        unseen = present - classified
        if unseen:
            for orth in unseen:
                lexeme = vocab[orth]
                for (names, minimum), texts in passing.items():
                    if len(lexeme.orth_) >= minimum and all(lexeme.check_flag(FLAG_IDS[name]) for name in names):
                        texts.add(orth)
            classified |= unseen
        length = len(orths)
        for group, tests in self.tested:
            if group in found:
                continue
            first = passing[tests[0][:2]]
            if first.isdisjoint(present):
                continue  # the first token's test fails everywhere: most documents stop here
            rest = [(passing[names, minimum], least, most) for names, minimum, least, most in tests[1:]]
            for position, orth in enumerate(orths):
                if orth in first and all(
                    not texts.isdisjoint(orths[max(0, position + least) : min(length, position + most + 1)])
                    for texts, least, most in rest
                ):
                    found.add(group)
                    break
        return found

    @cached_property
    def _passing(self) -> tuple[dict[tuple[tuple[str, ...], int], set[int]], set[int]]:
        """Per distinct token test (flags, minimum length), the texts seen so far that pass it; and all texts seen."""
        return {tuple(test[:2]): set() for _, tests in self.tested for test in tests}, set()


class _NeedIndex:
    """Gate patterns arranged for a scan (see ``Gate._needs``)."""

    # per attribute: (attr, value -> (bits of the needs it meets, the anchor needs it meets), those values)
    columns: list[tuple[str, dict[int, tuple[int, tuple[int, ...]]], frozenset[int]]]
    # anchor need -> [(bits of the other needs, [(group, placement or None)])]
    anchored: dict[int, list[tuple[int, list[tuple[int, Any]]]]]


@dataclass
class Scan:
    """What the gate found in one document.

    ``anchored`` groups need only the sentences around their anchors
    (``spans``), since a token pattern holds its anchor and every match of a
    built-in rule sits in one sentence around it; ``positions`` has each
    group's anchor tokens. ``unanchored`` groups (no fixed words) read the
    whole document.
    """

    anchored: set[int]
    unanchored: set[int]
    positions: dict[int, list[int]] = field(default_factory=dict)
    sentence_starts: list[int] = field(default_factory=list)
    length: int = 0

    def sentences(self, group: int) -> list[tuple[int, int]]:
        """The sentences (token ranges) that hold one of ``group``'s anchors, in order."""
        starts = self.sentence_starts
        found: dict[int, None] = {}
        for position in sorted(self.positions.get(group, ())):
            found[bisect_right(starts, position) - 1] = None
        return [
            (starts[k], starts[k + 1] if k + 1 < len(starts) else self.length)
            for k in found
        ]


_LONG = 2000  # tokens: past this, count+index per anchor value would cost more than one pass


class _Where:
    """Positions of the anchor values in ``hit``, one pass per column, on first need."""

    def __init__(self, hit: list[tuple[list[int], int, tuple[int, ...]]]):
        self.wanted: dict[int, set[int]] = {}  # id(column) -> its anchor values
        for column, value, _ in hit:
            self.wanted.setdefault(id(column), set()).add(value)
        self.found: dict[int, dict[int, list[int]]] = {}

    def positions(self, column: list[int], value: int) -> list[int]:
        found = self.found.get(id(column))
        if found is None:
            wanted = self.wanted[id(column)]
            found = self.found[id(column)] = {v: [] for v in wanted}
            for i, v in enumerate(column):
                if v in wanted:
                    found[v].append(i)
        return found[value]


def _positions(column: list[int], value: int) -> list[int]:
    """Where ``value`` occurs in ``column``: list.count and list.index scan in C, an anchor occurs once or twice."""
    positions = []
    i = -1
    for _ in range(column.count(value)):
        i = column.index(value, i + 1)
        positions.append(i)
    return positions


def _all_placed(
    placed: Sequence[tuple[str, frozenset[int], int, int]], position: int, columns: dict[str, list[int]], length: int
) -> bool:
    for attr, values, least, most in placed:
        column = columns[attr]
        start = max(0, position + least)
        stop = min(length, position + most + 1)
        for i in range(start, stop):
            if column[i] in values:
                break
        else:
            return False
    return True

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
  flags and lengths;
- a long draft is read in runs of whole sentences of a few hundred tokens,
  each with the needs it meets: met over the whole draft, every need would be,
  and nearly every group would run.

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

    def state(self) -> dict[str, Any]:
        """What ``scan`` reads, built: kept in the persistent cache, as the analyses are (compiled_rules.py)."""
        return {"attrs": self.attrs, "always": self.always, "tested": self.tested, "needs": self._needs}

    @classmethod
    def restore(cls, strings: StringStore, state: Any) -> Gate | None:
        """A gate from ``state()``, or None for a missing or unreadable entry."""
        if not isinstance(state, dict) or not isinstance(state.get("needs"), _NeedIndex):
            return None
        gate = cls(strings)
        gate.attrs, gate.always, gate.tested = state["attrs"], state["always"], state["tested"]
        gate.__dict__["_needs"] = state["needs"]
        return gate

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
        if analysis.placed:  # an anchor alone (no other fixed token) needs no placing
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
        AND, after one byte test of its rarest need). Patterns that share an anchor and the same other needs (the
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
        # Bit 0 is set for every document: an entry without other needs reads it.
        number = {need: k for k, need in enumerate(needs, start=1)}
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
        # Per anchor value, the entries of every anchor need it meets, merged
        # by their other needs: a scan then walks one flat list per value.
        entries: dict[str, dict[int, dict[int, dict[tuple[int, Any], None]]]] = {}
        for (attr, values), k in number.items():
            if k in anchored:
                for value in values:
                    merged = entries.setdefault(attr, {}).setdefault(value, {})
                    for others, members in anchored[k].items():
                        merged.setdefault(others, {}).update(members)
        # Most entries of a common anchor value fail on their rarest other need
        # (the highest bit: the commonest needs have the lowest). Grouped by it,
        # a scan reads that one bit as a byte of the document's needs and ANDs
        # big ints only in the groups that pass (141 entries per reply, 7 of
        # them candidates, measured).
        index = _NeedIndex()
        index.size = len(needs) // 8 + 1
        index.columns = []
        for attr, column in bits.items():
            flat = entries.get(attr, {})
            info = {}
            for value, mask in column.items():
                groups: dict[int, list[tuple[int, tuple[tuple[int, Any], ...]]]] = {}
                for others, members in flat.get(value, {}).items():
                    groups.setdefault(max(0, others.bit_length() - 1), []).append((others, tuple(members)))
                info[value] = (
                    mask,
                    tuple((top >> 3, 1 << (top & 7), tuple(group)) for top, group in groups.items()),
                )
            index.columns.append((attr, info, frozenset(info)))
        return index

    def scan(self, doc: Doc) -> Scan:
        """Which groups could match ``doc``, from one array read and set lookups."""
        scan = Scan(set(), set(self.always))
        n = len(doc)
        # ``attrs`` is empty unless some pattern has fixed tokens (is behind the index).
        if not n or not (self.attrs or self.tested):
            return scan
        attrs, ids = self._layout
        # One read of every column, as Python lists: on a ~30-token reply,
        # numpy's per-call overhead costs more than the work.
        table = doc.to_array(ids).reshape(n, len(ids)).T.tolist()
        found = scan.positions
        long = n > _CHUNK
        if self.tested:
            orths = table[attrs.index("ORTH")] if "ORTH" in attrs else table[len(attrs)]
            tested = self._tested(orths, doc.vocab, every=long)
            if long:  # read only the sentences where the tests pass, as around an anchor
                for group, positions in tested.items():
                    found.setdefault(group, []).extend(positions)
            else:
                scan.unanchored |= set(tested)
        columns = dict(zip(attrs, table))
        if self.attrs and not long:
            self._find(columns, 0, n, found)
        starts = _starts(table[-1]) if long or found else []
        if self.attrs and long:
            # A match sits in one sentence, so its fixed words all occur in one
            # run of whole sentences. Met over a whole long draft, every need
            # is met and the gate would open for nearly every group; met per
            # run of sentences, it stays as selective as on one reply.
            for lo, hi in _runs(starts, n, _CHUNK):
                self._find({attr: column[lo:hi] for attr, column in columns.items()}, lo, hi - lo, found)
        if found:
            scan.anchored = set(found)
            scan.sentence_starts, scan.length = starts, n
        return scan

    def _find(self, columns: dict[str, list[int]], offset: int, n: int, found: dict[int, list[int]]) -> None:
        """Add to ``found`` the anchor positions (plus ``offset``) of the groups that could match ``columns``."""
        index = self._needs
        # The needs these tokens meet, and their values that are anchors.
        met = 1
        hit = []
        for attr, info, known in index.columns:
            column = columns[attr]
            for value in known.intersection(column):
                bits, groups = info[value]
                met |= bits
                if groups:
                    hit.append((column, value, groups))
        if not hit:
            return
        metb = met.to_bytes(index.size, "little")
        for column, value, groups in hit:
            positions = None
            for byte, bit, entries in groups:
                if not metb[byte] & bit:
                    continue
                for others, members in entries:
                    if others & met != others:
                        continue
                    if positions is None:
                        positions = _positions(column, value)
                        at = [p + offset for p in positions] if offset else positions
                    for group, placed in members:
                        if placed is None:
                            found.setdefault(group, []).extend(at)
                            continue
                        for position in positions:
                            if _all_placed(placed, position, columns, n):
                                found.setdefault(group, []).append(position + offset)

    @cached_property
    def _layout(self) -> tuple[list[str], list[int]]:
        """The columns a scan reads: anchor attributes, ORTH (for token tests), SENT_START (worked out once)."""
        attrs = sorted(self.attrs)
        # ORTH is read once: as an anchor column when patterns have fixed ORTH tokens, else only for the token tests.
        extra = [ORTH] if self.tested and "ORTH" not in attrs else []
        return attrs, [ATTR_IDS[a] for a in attrs] + extra + [SENT_START]

    def _tested(self, orths: list[int], vocab: Vocab, every: bool = False) -> dict[int, list[int]]:
        """Unanchored groups whose token tests pass at the right offsets (``orths``: the ORTH column).

        Each with the first position where they pass, or with ``every`` such
        position. A token test (flags and a minimum length) reads only the
        token's lexeme, so it is worked out once per distinct text; a document
        without a token passing a group's first test (most replies: no word
        in capitals) costs one set operation.
        """
        found: dict[int, list[int]] = {}
        passing, classified = self._passing
        if not classified.issuperset(orths):  # rare once warm: no set built per document
            for orth in set(orths) - classified:
                lexeme = vocab[orth]
                for (names, minimum), texts in passing.items():
                    if len(lexeme.orth_) >= minimum and all(lexeme.check_flag(FLAG_IDS[name]) for name in names):
                        texts.add(orth)
                classified.add(orth)
        length = len(orths)
        for group, tests in self.tested:
            if group in found and not every:
                continue
            first = passing[tests[0][:2]]
            if first.isdisjoint(orths):
                continue  # the first token's test fails everywhere: most documents stop here
            rest = [(passing[names, minimum], least, most) for names, minimum, least, most in tests[1:]]
            for position, orth in enumerate(orths):
                if orth in first and all(
                    not texts.isdisjoint(orths[max(0, position + least) : min(length, position + most + 1)])
                    for texts, least, most in rest
                ):
                    found.setdefault(group, []).append(position)
                    if not every:
                        break
        return found

    @cached_property
    def _passing(self) -> tuple[dict[tuple[tuple[str, ...], int], set[int]], set[int]]:
        """Per distinct token test (flags, minimum length), the texts seen so far that pass it; and all texts seen."""
        return {tuple(test[:2]): set() for _, tests in self.tested for test in tests}, set()


class _NeedIndex:
    """Gate patterns arranged for a scan (see ``Gate._needs``)."""

    # per attribute: (attr, value -> (bits of the needs it meets, its groups), those values), where a group
    # of a value is (byte, bit of its entries' rarest other need, entries), and an entry is (bits of the
    # other needs, ((group, placement or None), ...)) of the anchor needs the value meets
    columns: list[tuple[str, dict[int, tuple[int, tuple[tuple[int, int, tuple[tuple[int, tuple[tuple[int, Any], ...]], ...]], ...]]], frozenset[int]]]
    size: int  # bytes of a document's needs, one bit each, after bit 0 (every document's)


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


_CHUNK = 400  # tokens: a reply is read whole; a longer document in runs of whole sentences of about this length


def _starts(sent_start: list[int]) -> list[int]:
    """The first token of each sentence, from the SENT_START column."""
    starts = [i for i, value in enumerate(sent_start) if value == 1]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts


def _runs(starts: list[int], length: int, size: int) -> list[tuple[int, int]]:
    """Token ranges of consecutive whole sentences (``starts``: their first tokens), each about ``size`` long."""
    runs = []
    lo = 0
    for start in starts[1:]:
        if start - lo >= size:
            runs.append((lo, start))
            lo = start
    runs.append((lo, length))
    return runs


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
        start = position + least
        if least == most:  # most fixed tokens sit at one offset: one lookup, no slice
            if not (0 <= start < length and column[start] in values):
                return False
        elif values.isdisjoint(column[max(0, start) : min(length, position + most + 1)]):
            return False
    return True

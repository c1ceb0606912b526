"""Co-occurrence: the parts of a rule found together in one clause, sentence or N tokens.

"Open-ended compensation" is *the company pays* and *an unbounded scope* in
one clause, in whichever order and with whatever words between them. Each part
is found on its own (a lexicon or a pattern); this module picks, in each scope
unit, the tightest set of one match per part (disjoint, and in the listed
order when ``order: given``). The finding spans from the first part to the last.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from itertools import product

from tonecheck.clauses import Clauses

Span = tuple[int, int]

# Combinations tried per scope unit before falling back to the nearest match
# per part; a reply rarely has more than two or three matches of a part.
_MAX_COMBINATIONS = 4096


def combine(
    parts: Sequence[Sequence[Span]], scope: str | int, ordered: bool, clauses: Clauses | None
) -> list[Span]:
    """Spans where every part occurs within ``scope``; ``clauses`` is needed for clause/sentence scope."""
    if not parts or any(not found for found in parts):
        return []
    if isinstance(scope, int):
        return _within_tokens(parts, scope, ordered)
    assert clauses is not None
    units = clauses.units(scope)
    sentence = clauses.sentence
    by_unit: dict[int, list[list[Span]]] = defaultdict(lambda: [[] for _ in parts])
    for k, found in enumerate(parts):
        for span in found:
            # A part that runs across a sentence end is in no one sentence (the
            # engine reads each part only in sentences that hold every part).
            if sentence[span[0]] != sentence[span[1] - 1]:
                continue
            # A part that runs across a clause boundary (a pattern with a comma in it) belongs to each clause it touches.
            for unit in range(units[span[0]], units[span[1] - 1] + 1):
                by_unit[unit][k].append(span)
    chosen: list[Span] = []
    for unit in sorted(by_unit):
        pools = by_unit[unit]
        if all(pools):
            best = _tightest(pools, ordered, limit=None)
            if best is not None:
                chosen.append(best)
    return sorted(set(chosen))


def _within_tokens(parts: Sequence[Sequence[Span]], width: int, ordered: bool) -> list[Span]:
    ordered_parts = [sorted(found) for found in parts]
    starts = [[s[0] for s in found] for found in ordered_parts]
    chosen: set[Span] = set()
    # Windows around the first part's matches: a fixed choice, so that matches
    # far from any combination (which the engine may skip reading on a long
    # draft) cannot change which spans are reported.
    for start, end in parts[0]:
        lo, hi = start - width, end + width
        # Only matches that start within reach can fit: a slice of each sorted part, not a scan of it.
        pools = [
            [s for s in found[bisect_left(first, lo) : bisect_right(first, hi)] if s[1] <= hi]
            for found, first in zip(ordered_parts, starts)
        ]
        if all(pools):
            best = _tightest(pools, ordered, limit=width)
            if best is not None:
                chosen.add(best)
    return sorted(chosen)


def _tightest(pools: list[list[Span]], ordered: bool, limit: int | None) -> Span | None:
    """The shortest span holding one match of each part (disjoint; in order when ``ordered``)."""
    size = 1
    for pool in pools:
        size *= len(pool)
    if size > _MAX_COMBINATIONS:
        pools = _nearest(pools)
    best: Span | None = None
    for combination in product(*pools):
        if not _valid(combination, ordered):
            continue
        span = (min(s[0] for s in combination), max(s[1] for s in combination))
        if limit is not None and span[1] - span[0] > limit:
            continue
        if best is None or (span[1] - span[0], span[0]) < (best[1] - best[0], best[0]):
            best = span
    return best


def _valid(combination: Sequence[Span], ordered: bool) -> bool:
    spans = sorted(combination) if not ordered else list(combination)
    for previous, current in zip(spans, spans[1:]):
        if current[0] < previous[1]:  # overlapping, or out of the given order
            return False
    return True


def _nearest(pools: list[list[Span]]) -> list[list[Span]]:
    """Cut each pool to the few matches nearest the smallest pool's matches."""
    pivot = min(range(len(pools)), key=lambda k: len(pools[k]))
    keep = max(1, int(_MAX_COMBINATIONS ** (1 / len(pools))))
    anchors = sorted(s[0] for s in pools[pivot][:keep])

    def distance(span: Span) -> int:
        i = bisect_left(anchors, span[0])
        return min(abs(span[0] - anchors[j]) for j in (i - 1, i) if 0 <= j < len(anchors))

    return [pool[:keep] if k == pivot else sorted(pool, key=distance)[:keep] for k, pool in enumerate(pools)]

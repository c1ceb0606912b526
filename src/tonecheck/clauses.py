"""Clauses without a parser: sentence boundaries plus clause punctuation and conjunctions.

``within: clause`` keeps the parts of a co-occurrence rule, and a veto, to one
clause, so "it's not a big deal for us, but we will cover every cost" is not
vetoed by the negation in the other clause. The boundary words are language
data (data/clauses.yaml).
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from importlib import resources

import numpy
import yaml
from spacy.attrs import NORM, SENT_START, SPACY
from spacy.strings import hash_string
from spacy.tokens import Doc


@lru_cache(maxsize=8)
def _boundaries(lang: str) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """The NORM hashes of a language's clause punctuation, dashes and conjunctions (a hash needs no vocabulary)."""
    text = resources.files("tonecheck").joinpath("data/clauses.yaml").read_text(encoding="utf-8")
    table = yaml.safe_load(text).get(lang) or {}
    return tuple(  # type: ignore[return-value]
        numpy.array(sorted({hash_string(word) for word in table.get(kind, ())}), dtype=numpy.uint64)
        for kind in ("punctuation", "dashes", "conjunctions")
    )


def _member(values: numpy.ndarray, sorted_ids: numpy.ndarray) -> numpy.ndarray:
    """Which ``values`` are in ``sorted_ids``: a binary search, cheaper than numpy.isin on a reply's few tokens."""
    if not len(sorted_ids):
        return numpy.zeros(len(values), dtype=bool)
    at = numpy.minimum(numpy.searchsorted(sorted_ids, values), len(sorted_ids) - 1)
    return sorted_ids[at] == values


class Clauses:
    """Clause and sentence of every token of one document, worked out once from its arrays."""

    def __init__(self, doc: Doc):
        punctuation, dashes, conjunctions = _boundaries(doc.lang_)
        n = self.length = len(doc)
        if not n:
            self.clause, self.sentence, self.clause_starts, self.sentence_starts = [], [], [], []
            return
        # Whole-array operations: a Python loop over a 10 MB draft's tokens took 2 s.
        norm, sent_start, space_after = doc.to_array([NORM, SENT_START, SPACY]).T
        sentence_starts = sent_start == 1
        sentence_starts[0] = True
        dash = _member(norm, dashes)
        spaced = numpy.ones(n, dtype=bool)  # whether whitespace precedes the token
        spaced[1:] = space_after[:-1] != 0
        dash &= spaced
        # A clause opens at a sentence start, at a conjunction or a spaced dash,
        # and after clause punctuation or a spaced dash.
        ends_after = _member(norm, punctuation) | dash
        clause_starts = sentence_starts | dash | _member(norm, conjunctions)
        clause_starts[1:] |= ends_after[:-1]
        self.clause: list[int] = (numpy.cumsum(clause_starts) - 1).tolist()
        self.sentence: list[int] = (numpy.cumsum(sentence_starts) - 1).tolist()
        self.clause_starts: list[int] = numpy.flatnonzero(clause_starts).tolist()
        self.sentence_starts: list[int] = numpy.flatnonzero(sentence_starts).tolist()

    def units(self, scope: str) -> list[int]:
        return self.clause if scope == "clause" else self.sentence

    def bounds(self, scope: str, start: int, end: int) -> tuple[int, int]:
        """Token range of the clauses (or sentences) that tokens ``start:end`` touch."""
        starts = self.clause_starts if scope == "clause" else self.sentence_starts
        units = self.units(scope)
        first, last = units[start], units[end - 1]
        begin = starts[first]
        stop = starts[last + 1] if last + 1 < len(starts) else self.length
        return begin, stop


def sentence_bounds(starts: list[int], i: int, length: int) -> tuple[int, int]:
    """The sentence around token ``i``, from a sorted list of sentence starts."""
    k = bisect_right(starts, i) - 1
    begin = starts[k] if k >= 0 else 0
    end = starts[k + 1] if k + 1 < len(starts) else length
    return begin, end

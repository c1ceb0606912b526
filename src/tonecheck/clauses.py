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

import yaml
from spacy.attrs import NORM, SENT_START, SPACY
from spacy.tokens import Doc


@lru_cache(maxsize=8)
def _boundaries(lang: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    text = resources.files("tonecheck").joinpath("data/clauses.yaml").read_text(encoding="utf-8")
    table = yaml.safe_load(text).get(lang) or {}
    return (
        frozenset(table.get("punctuation", ())),
        frozenset(table.get("dashes", ())),
        frozenset(table.get("conjunctions", ())),
    )


class Clauses:
    """Clause and sentence of every token of one document, worked out once from its arrays."""

    def __init__(self, doc: Doc):
        punctuation, dashes, conjunctions = _boundaries(doc.lang_)
        strings = doc.vocab.strings
        ends_after = {strings.add(p) for p in punctuation}
        dash = {strings.add(d) for d in dashes}
        opens = {strings.add(c) for c in conjunctions}
        columns = doc.to_array([NORM, SENT_START, SPACY]).tolist() if len(doc) else []
        self.clause: list[int] = []
        self.sentence: list[int] = []
        self.clause_starts: list[int] = []
        self.sentence_starts: list[int] = []
        clause = sentence = -1
        new_clause = True
        spaced = True  # whether whitespace precedes the current token
        for i, (norm, sent_start, space_after) in enumerate(columns):
            if i == 0 or sent_start == 1:
                sentence += 1
                self.sentence_starts.append(i)
                new_clause = True
            if norm in opens or (norm in dash and spaced):
                new_clause = True
            if new_clause:
                clause += 1
                self.clause_starts.append(i)
                new_clause = False
            self.clause.append(clause)
            self.sentence.append(sentence)
            if norm in ends_after or (norm in dash and spaced):
                new_clause = True
            spaced = bool(space_after)
        self.length = len(columns)

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

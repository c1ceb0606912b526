"""Sentence starts the way a reader of a support reply sees them, set in one pass.

Sentence-scoped vetoes ("unless ... within: sentence") are only as good as the
sentence boundaries: "We hope this clears things up /OP Calm down." is two
sentences to a reader, and the veto word "things" must not reach "Calm down".
A reader ends a sentence at:

- the punctuation spaCy's ``sentencizer`` splits on (its ``punct_chars``, with
  its rule that closing punctuation such as a quote stays with the sentence);
- a line break that survives input preparation (a paragraph break);
- a URL or e-mail address followed by a capitalised word
  ("... here: https://help.example.com/reset Calm down.");
- a sign-off such as ``/DX``, ``^JS`` or ``~Ann`` (a tweet's initials), whatever
  follows it, and ``-Sam`` followed by a capitalised word;
- an emoji followed by a capitalised word ("Got it 👍 Calm down.").

Everything is computed from whole columns (``Doc.to_array``) and written back
with one ``Doc.from_array``: setting ``Token.is_sent_start`` token by token
makes spaCy re-check the whole document on every assignment, which made a 1 MB
draft take 21 s. Token texts are classified once per distinct text.
"""

from __future__ import annotations

import re
import unicodedata

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, LIKE_EMAIL, LIKE_URL, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

SENTENCES_COMPONENT = "tonecheck_sentences"

# A sign-off: a marker glued to initials or a first name, e.g. /DX, ^JS, ~Ann, -Sam.
_SIGN_OFF = re.compile(r"[/^~-](?:[A-Z]{1,3}|[A-Z][a-z]{1,11})")
# Emoji arrive as symbols plus joiners, variation selectors and skin-tone
# modifiers, which spaCy may split into tokens of their own ("👍", "🏽").
_EMOJI_PARTS = {"So", "Sk", "Mn", "Cf"}

# Per distinct token text, bit flags (a token may be several things).
_STOP = 1  # in punct_chars: ends a sentence like "." does
_BREAK = 2  # a whitespace token holding a line break
_LINK = 4  # URL or e-mail address
_SIGN = 8  # a sign-off
_EMOJI = 16
_CAPITAL = 32  # starts with an upper-case letter


@Language.factory(SENTENCES_COMPONENT, default_config={"punct_chars": None})
def make_sentences(nlp: Language, name: str, punct_chars: list[str] | None) -> ReaderSentences:
    return ReaderSentences(nlp, punct_chars=punct_chars)


class ReaderSentences:
    """Sets ``SENT_START`` on every token of a document (linear in its length)."""

    def __init__(self, nlp: Language, *, punct_chars: list[str] | None = None):
        self.strings = nlp.vocab.strings
        self.punct_chars = frozenset(punct_chars or Sentencizer.default_punct_chars)
        self.flags: dict[int, int] = {}  # ORTH hash -> flags, filled as texts are first seen

    def _flags_of(self, orth: int) -> int:
        text = self.strings[orth]
        flags = 0
        if text in self.punct_chars:
            flags |= _STOP
        if text.isspace() and "\n" in text:
            flags |= _BREAK
        if _SIGN_OFF.fullmatch(text):
            flags |= _SIGN
        if text and not text.isascii() and all(unicodedata.category(ch) in _EMOJI_PARTS for ch in text):
            flags |= _EMOJI
        if text[:1].isupper():
            flags |= _CAPITAL
        self.flags[orth] = flags
        return flags

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        columns = doc.to_array([ORTH, IS_PUNCT, IS_SPACE, LIKE_URL, LIKE_EMAIL])
        orths, inverse = numpy.unique(columns[:, 0], return_inverse=True)
        known = self.flags
        flags = numpy.array([known.get(o) or self._flags_of(o) for o in orths.tolist()], dtype=numpy.int64)[inverse]
        flags |= numpy.where((columns[:, 3] | columns[:, 4]) > 0, _LINK, 0)
        is_space = columns[:, 2] > 0

        starts = numpy.zeros(n, dtype=bool)
        starts[0] = True
        # spaCy's sentencizer: after a stop, the first token that is neither
        # punctuation nor a stop starts a sentence (closing quotes stay behind).
        stop = (flags & _STOP) > 0
        ordinary = numpy.flatnonzero(~stop & (columns[:, 1] == 0))
        if len(ordinary):
            stops_before = numpy.cumsum(stop)[ordinary]
            starts[ordinary] = numpy.diff(stops_before, prepend=0) > 0
            starts[0] = True
        # A surviving line break is a paragraph break.
        starts[1:] |= (flags[:-1] & _BREAK) > 0
        # URLs, sign-offs and emoji are rare: visit only them.
        for i in numpy.flatnonzero(flags[:-1] & (_LINK | _SIGN | _EMOJI)).tolist():
            j = i + 1
            while j < n and is_space[j] and not flags[j] & _BREAK:
                j += 1
            if j >= n or is_space[j] or columns[j, 1]:
                continue
            # "-You" or "-Where" opening a clause is a dash, not a sign-off: a
            # dash sign-off needs a capital after it, as URLs and emoji do.
            glued_name = flags[i] & _SIGN and doc[i].text[0] != "-"
            if glued_name or flags[j] & _CAPITAL:
                starts[j] = True

        values = numpy.where(starts, 1, -1).astype(numpy.uint64).reshape(-1, 1)
        doc.from_array([SENT_START], values)
        return doc

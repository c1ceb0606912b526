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

The ORTH column is read once (``Doc.to_array``) and the starts written back
with one ``Doc.from_array``: setting ``Token.is_sent_start`` token by token
makes spaCy re-check the whole document on every assignment, which made a 1 MB
draft take 21 s. Token texts are classified once per distinct text, their
lexeme flags (punctuation, space, URL, e-mail) with them, so a document costs
one dict look-up and a few integer tests per token.
"""

from __future__ import annotations

import re
import unicodedata

import numpy
from spacy.attrs import ORTH, SENT_START
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
_GLUED = 64  # a sign-off whose marker is not a dash ("/DX", not "-Sam")
_PUNCT = 128  # the lexeme's IS_PUNCT
_SPACE = 256  # the lexeme's IS_SPACE
_SPECIAL = _BREAK | _LINK | _SIGN | _EMOJI  # the tokens the second pass visits


@Language.factory(SENTENCES_COMPONENT, default_config={"punct_chars": None})
def make_sentences(nlp: Language, name: str, punct_chars: list[str] | None) -> ReaderSentences:
    return ReaderSentences(nlp, punct_chars=punct_chars)


class ReaderSentences:
    """Sets ``SENT_START`` on every token of a document (linear in its length)."""

    def __init__(self, nlp: Language, *, punct_chars: list[str] | None = None):
        self.vocab = nlp.vocab
        self.strings = nlp.vocab.strings
        self.punct_chars = frozenset(punct_chars or Sentencizer.default_punct_chars)
        self.flags: dict[int, int] = {}  # ORTH hash -> flags, filled as texts are first seen

    def _flags_of(self, orth: int) -> int:
        text = self.strings[orth]
        # IS_PUNCT, IS_SPACE, LIKE_URL and LIKE_EMAIL are the lexeme's, so one
        # look-up per distinct text covers them too.
        lexeme = self.vocab[orth]
        flags = 0
        if text in self.punct_chars:
            flags |= _STOP
        if text.isspace() and "\n" in text:
            flags |= _BREAK
        if lexeme.like_url or lexeme.like_email:
            flags |= _LINK
        if _SIGN_OFF.fullmatch(text):
            flags |= _SIGN
            if text[0] != "-":
                flags |= _GLUED
        if text and not text.isascii() and all(unicodedata.category(ch) in _EMOJI_PARTS for ch in text):
            flags |= _EMOJI
        if text[:1].isupper():
            flags |= _CAPITAL
        if lexeme.is_punct:
            flags |= _PUNCT
        if lexeme.is_space:
            flags |= _SPACE
        self.flags[orth] = flags
        return flags

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        known = self.flags
        # One column and one dict look-up per token: replies are ~30 tokens,
        # where numpy's per-call overhead cost more than the work (measured).
        flags = [known[o] if o in known else self._flags_of(o) for o in doc.to_array(ORTH).tolist()]
        starts = [-1] * n
        starts[0] = 1
        # spaCy's sentencizer: after a stop, the first token that is neither
        # punctuation nor a stop starts a sentence (closing quotes stay behind).
        after_stop = False
        rare = []
        for i, f in enumerate(flags):
            if f & _STOP:
                after_stop = True
            elif not f & _PUNCT and after_stop:
                starts[i] = 1
                after_stop = False
            if f & _SPECIAL:
                rare.append(i)
        for i in rare:
            f = flags[i]
            j = i + 1
            if j >= n:
                continue
            # A surviving line break is a paragraph break.
            if f & _BREAK:
                starts[j] = 1
            if not f & (_LINK | _SIGN | _EMOJI):
                continue
            # URLs, sign-offs and emoji end a sentence before what follows them.
            while j < n and flags[j] & _SPACE and not flags[j] & _BREAK:
                j += 1
            if j >= n or flags[j] & (_SPACE | _PUNCT):
                continue
            # "-You" or "-Where" opening a clause is a dash, not a sign-off: a
            # dash sign-off needs a capital after it, as URLs and emoji do.
            if f & _GLUED or flags[j] & _CAPITAL:
                starts[j] = 1

        doc.from_array([SENT_START], numpy.array(starts, dtype=numpy.int64).view(numpy.uint64).reshape(-1, 1))
        return doc

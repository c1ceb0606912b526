"""The spaCy pipeline tonecheck matches against.

The default is ``spacy.blank("en")`` with rule-based components only, so nothing
is ever downloaded. Normalisation is pushed into the vocabulary (lexeme norms and
tokenizer special cases) rather than done per token, so it costs nothing per
document; only the lemma lookup runs per token, as spaCy's own lookup
lemmatizer would.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy
import spacy
import yaml
from spacy.attrs import LEMMA, NORM, ORTH
from spacy.language import Language
import srsly
from spacy.tokens import Doc

from tonecheck.errors import PipelineError
from tonecheck.sentences import SENTENCES_COMPONENT

LEMMA_COMPONENT = "tonecheck_lemmas"


def _normalization() -> dict[str, Any]:
    text = resources.files("tonecheck").joinpath("data/normalization.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _lookup_table(lang: str, table: str) -> dict[str, str]:
    """A raw table from spacy-lookups-data, with its string keys (spaCy's Table hashes them)."""
    try:
        import spacy_lookups_data
    except ImportError:  # the tables are an optimisation of matching, not a requirement
        return {}
    path = resources.files(spacy_lookups_data).joinpath(f"data/{lang}_{table}.json.gz")
    if not path.is_file():
        return {}
    return srsly.read_gzip_json(str(path))


def _casings(word: str) -> set[str]:
    return {word, word.lower(), word.upper(), word.capitalize()}


def install_norms(nlp: Language) -> None:
    """British/American spellings, typos and chat-speak share one NORM."""
    table = _normalization()
    norms: dict[str, str] = {}
    norms.update(_lookup_table(nlp.lang, "lexeme_norm"))
    norms.update(table.get("norms", {}))
    vocab = nlp.vocab
    default = vocab.lex_attr_getters.get(NORM)

    def get_norm(string: str) -> str:
        found = norms.get(string.lower())
        if found is not None:
            return found
        return default(string) if default else string.lower()

    # Lexemes created from now on get their norm from the getter; only the few
    # already in the vocabulary (from tokenizer exceptions) need updating.
    vocab.lex_attr_getters[NORM] = get_norm
    for lexeme in list(vocab):
        found = norms.get(lexeme.lower_)
        if found is not None:
            lexeme.norm_ = found
    _shouted_contractions(nlp)
    for word, pieces in table.get("split", {}).items():
        for form in _casings(word):
            # Keep each piece's original casing so offsets and text stay exact.
            out, pos = [], 0
            for orth, norm in pieces:
                out.append({ORTH: form[pos : pos + len(orth)], NORM: norm})
                pos += len(orth)
            nlp.tokenizer.add_special_case(form, out)


def _shouted_contractions(nlp: Language) -> None:
    """Split "YOU'RE" like "You're": spaCy's exceptions cover lower and title case only."""
    rules = nlp.tokenizer.rules
    additions = {}
    for key, pieces in rules.items():
        upper = key.upper()
        if upper == key or upper in rules or not ("'" in key or "’" in key):
            continue
        shouted = [{**piece, ORTH: piece[ORTH].upper()} for piece in pieces]
        if "".join(piece[ORTH] for piece in shouted) == upper:
            additions[upper] = shouted
    for key, pieces in additions.items():
        nlp.tokenizer.add_special_case(key, pieces)


@Language.factory(LEMMA_COMPONENT, default_config={})
def make_lemmas(nlp: Language, name: str) -> LookupLemmas:
    return LookupLemmas(nlp)


class LookupLemmas:
    """Sets every token's lemma from spacy-lookups-data, keyed on its NORM.

    Keying on the norm (not the text, as spaCy's lookup lemmatizer does) makes
    lemmas lower-case and spelling-normalised: "Apologised" -> "apologize".
    """

    def __init__(self, nlp: Language):
        self.strings = nlp.vocab.strings
        self.lookups = _lookup_table(nlp.lang, "lemma_lookup")
        self.get_norm = nlp.vocab.lex_attr_getters.get(NORM, str.lower)
        # norm hash -> lemma hash, filled as norms are first seen: building it for
        # all 41,000 entries up front would cost every cold start ~0.15 s.
        self.table: dict[int, int] = {}
        self._forms: dict[str, set[str]] | None = None

    def _lemma_of(self, norm: int) -> int:
        text = self.strings[norm]
        lemma = self.lookups.get(text)
        result = self.strings.add(self.get_norm(lemma)) if lemma is not None else norm
        self.table[norm] = result
        return result

    def lemma(self, norm: str) -> str:
        """The lemma this component gives a token whose norm is ``norm``."""
        return self.strings[self.table.get(self.strings.add(norm)) or self._lemma_of(self.strings.add(norm))]

    def forms(self, norm: str) -> frozenset[str]:
        """Every norm whose lemma is the lemma of ``norm``: "paid" -> {pay, paid, pays, paying, payed}."""
        lemma = self.lemma(norm)
        if self._forms is None:
            # Built on first use (a pack with `~word` or `lemmas:`); ~40,000 entries, ~30 ms.
            index: dict[str, set[str]] = {}
            for form, base in self.lookups.items():
                index.setdefault(self.get_norm(base), set()).add(form)
            self._forms = index
        found = {f for f in self._forms.get(lemma, ()) if self.lemma(f) == lemma}
        if self.lemma(lemma) == lemma:
            found.add(lemma)
        if norm.isalpha():
            # Inflections the table does not know ("gamers", "rebooked"): the
            # regular ones of the word as written, so `lemmas: [gamer]` matches
            # "gamers". A form the table knows keeps the table's lemma.
            found |= {f for f in _regular_inflections(norm) if self.lemma(f) == f}
        found.add(norm)
        return frozenset(found)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        # Whole columns through arrays: a Token object per token would cost more
        # than the lookups themselves.
        norms = doc.to_array(NORM)
        table = self.table
        lemmas = [table.get(norm) or self._lemma_of(norm) for norm in norms.tolist()]
        doc.from_array([LEMMA], numpy.array(lemmas, dtype=numpy.uint64).reshape(-1, 1))
        return doc


def _regular_inflections(word: str) -> set[str]:
    """English's regular -s, -ed and -ing forms of ``word``."""
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return {word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        return {word + "s", word + "d", word[:-1] + "ing"}
    return {word + "s", word + "ed", word + "ing"}


@lru_cache(maxsize=8)
def get_pipeline(model: str | None = None) -> Language:
    """The pipeline for ``model`` (None: the blank rule-based one), built once per process."""
    if model is None:
        nlp = spacy.blank("en")
    else:
        try:
            nlp = spacy.load(model)
        except (OSError, ImportError) as exc:
            raise PipelineError(
                f"cannot load the spaCy pipeline `{model}`: {' '.join(str(exc).split())[:300]}. "
                "Install it as a Python package or give the path of a saved pipeline, "
                "or remove the `model` setting to use tonecheck's built-in rule-based pipeline."
            ) from None
    install_norms(nlp)
    # spaCy's 1,000,000-character guard protects parsers' memory; the rule-based
    # pipeline is linear, and a pasted 5 MB thread must still be linted.
    if not {"parser", "ner"} & set(nlp.pipe_names):
        nlp.max_length = max(nlp.max_length, 100_000_000)
    if not ({"parser", "senter", "sentencizer"} & set(nlp.pipe_names)):
        # Sentence-scoped vetoes need the sentences a reader sees (sentences.py).
        nlp.add_pipe(SENTENCES_COMPONENT)
    nlp.add_pipe(LEMMA_COMPONENT, last=True)
    return nlp


def pipeline_features(nlp: Language) -> frozenset[str]:
    """Which annotation-producing components the pipeline has (for `requires:`)."""
    names = set(nlp.pipe_names)
    features = set()
    for feature in ("parser", "tagger", "morphologizer", "ner"):
        if feature in names or any(
            feature in (nlp.get_pipe_meta(n).factory or "") for n in names
        ):
            features.add(feature)
    return frozenset(features)

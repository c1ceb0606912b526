"""The engine as a spaCy pipeline component, written the way ``span_ruler`` is.

In a pipeline of your own::

    import spacy
    nlp = spacy.blank("en")
    nlp.add_pipe("tonecheck", config={"select": ["isolating"]})
    doc = nlp("You're the only customer who has complained.")
    for span in doc.spans["tonecheck"]:
        print(span.label_, span.text)       # isolating.only-one  the only customer

Each hit is a ``Span`` labelled with its rule id in ``doc.spans[spans_key]``.
The factory (registered as ``tonecheck``, also through the ``spacy_factories``
entry point) loads the packs named by its keyword-only options, as the
configuration setting of the same name would; configuration files are not
read. A pipeline without a sentence splitter gets tonecheck's (the rules'
sentence scopes need one); tonecheck's lemmas (which ``~word`` patterns read)
and spelling norms are set as its own pipeline sets them.

``Linter`` runs the same component on its own pipeline (``ToneComponent.hits``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from tonecheck.engine import CompiledRules, Hit
from tonecheck.nlp import LEMMA_COMPONENT, install_norms, pipeline_features
from tonecheck.sentences import SENTENCES_COMPONENT

FACTORY = "tonecheck"
SPANS_KEY = "tonecheck"

_SENTENCES = {"parser", "senter", "sentencizer", SENTENCES_COMPONENT}
_NORMALISED: weakref.WeakSet[Language] = weakref.WeakSet()


class ToneComponent:
    """Finds the compiled rules' hits in a ``Doc`` and writes them to ``doc.spans[spans_key]``."""

    def __init__(self, nlp: Language, name: str = FACTORY, *, rules: CompiledRules, spans_key: str = SPANS_KEY):
        self.name = name
        self.rules = rules
        self.spans_key = spans_key
        # What tonecheck's own pipeline (nlp.py) would have run and this one lacks.
        self._before: list[Callable[[Doc], Doc]] = []
        if not _has_sentences(nlp):
            self._before.append(nlp.create_pipe(SENTENCES_COMPONENT))
        if rules.lemmas is not _own_lemmas(nlp):
            self._before.append(rules.lemmas)

    def __call__(self, doc: Doc) -> Doc:
        doc, found = self._matched(doc)
        doc.spans[self.spans_key] = [Span(doc, hit.start, hit.end, label=hit.rule.id) for hit in found]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def hits(self, doc: Doc) -> list[Hit]:
        """The engine hits in ``doc``, what ``__call__`` writes as spans (the ``Linter`` way in).

        ``Linter`` reads the hits directly: writing a ``SpanGroup`` and reading it
        back cost 3 µs of a reply's ~150 (measured), and gives the same hits.
        """
        return self._matched(doc)[1]

    def _matched(self, doc: Doc) -> tuple[Doc, list[Hit]]:
        for step in self._before:
            doc = step(doc)
        return doc, self.rules.match(doc)


def _has_sentences(nlp: Language) -> bool:
    names = set(nlp.pipe_names) | {nlp.get_pipe_meta(n).factory for n in nlp.pipe_names}
    return bool(names & _SENTENCES)


def _own_lemmas(nlp: Language) -> Any:
    """tonecheck's lemma component in ``nlp``, or None (the rules read its lemmas, whatever else lemmatizes)."""
    return nlp.get_pipe(LEMMA_COMPONENT) if LEMMA_COMPONENT in nlp.pipe_names else None


@Language.factory(
    FACTORY,
    default_config={"builtin": True, "packs": [], "select": [], "ignore": [], "installed_packs": True, "spans_key": SPANS_KEY},
)
def make_tonecheck(
    nlp: Language,
    name: str,
    *,
    builtin: bool,
    packs: list[str],
    select: list[str],
    ignore: list[str],
    installed_packs: bool | list[str],
    spans_key: str,
) -> ToneComponent:
    from tonecheck.catalogue import enabled_rules
    from tonecheck.config import merge_layers, override_layer
    from tonecheck.suppressions import UNUSED

    settings = {"builtin": builtin, "packs": packs, "select": select, "ignore": ignore, "installed_packs": installed_packs}
    config = merge_layers(override_layer(settings))
    _, enabled, lexicons = enabled_rules(config)
    if nlp not in _NORMALISED:
        install_norms(nlp)
        _NORMALISED.add(nlp)
    lemmas = _own_lemmas(nlp) or nlp.create_pipe(LEMMA_COMPONENT)
    rules = CompiledRules(nlp, [r for r in enabled if r is not UNUSED], pipeline_features(nlp), lexicons, lemmas)
    return ToneComponent(nlp, name, rules=rules, spans_key=spans_key)

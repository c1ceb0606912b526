"""Builds the spaCy matchers of one linter's rules, and records what each match key stands for.

Phrases go into one ``PhraseMatcher`` per match attribute, for all rules at
once. Token patterns are grouped (a rule's triggers; each part of a
co-occurrence; apart from them a rule's vetoes), one ``Matcher`` per group,
and the gated groups are indexed by their anchor words (anchors.py), so that
engine.py runs only the groups a document could match. Dependency patterns go
into one ``DependencyMatcher`` when the pipeline parses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spacy.attrs import LEMMA, LOWER, NORM
from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher
from spacy.tokens import Doc

from tonecheck import cache
from tonecheck.anchors import Gate
from tonecheck.compile import PatternCompiler
from tonecheck.compiled_rules import Compiled, CompiledRule, Patterns
from tonecheck.frequencies import word_probabilities
from tonecheck.gcpause import collector_paused
from tonecheck.lexicons import Lexicons
from tonecheck.nlp import LEMMA_COMPONENT
from tonecheck.pattern_needs import Rarity
from tonecheck.packs import LoadedRule

_ATTRS = {"lower": LOWER, "norm": NORM, "lemma": LEMMA}
# The modules that decide what the gate holds, besides the compiled rules: part of its cache key.
_GATE_SHAPERS = ("anchors.py", "matchers.py", "pattern_needs.py", "compiled_rules.py")
# A gate is several MB and keyed on which rules are enabled: keep the few selections in use.
_GATES_KEPT = 8


@dataclass(frozen=True, slots=True)
class Key:
    """What a match key stands for: a rule's trigger, one of its parts, or one of its vetoes."""

    rule: int
    role: str  # "trigger", "part" or "veto"
    index: int = 0  # the part's or the veto's position in the rule


class Matchers:
    """The matchers of the rules of one linter, for one pipeline (engine.CompiledRules matches with them)."""

    @collector_paused()  # hundreds of thousands of small acyclic objects (gcpause.py)
    def __init__(
        self, nlp: Language, rules: Sequence[LoadedRule], features: frozenset[str], lexicons: Lexicons | None = None,
        lemmas: Callable[[Doc], Doc] | None = None,
    ):
        self.nlp = nlp
        # tonecheck's lemma component (nlp.py): the pipeline's own, or one given for a pipeline without it.
        self.lemmas = lemmas if lemmas is not None else nlp.get_pipe(LEMMA_COMPONENT)
        # Rules whose needs the pipeline cannot meet are kept aside, not matched.
        self.rules = [r for r in rules if r.rule.needs <= features]
        self.skipped = [r for r in rules if not r.rule.needs <= features]
        self._start(features)
        lexicons = lexicons or Lexicons()
        make_compiler = lambda: PatternCompiler(nlp, lexicons, self.lemmas)  # noqa: E731 (only when something compiles)
        built = Compiled(self.rules, lexicons, nlp, make_compiler, self.probability)
        selection = built.selection
        # The gate built from all the rules' analyses is kept on disk too: filling
        # it took a fifth of a second of every CLI start (measured).
        gate_key = None if selection is None else [cache.code_stamp(_GATE_SHAPERS), *selection]
        restored = Gate.restore(nlp.vocab.strings, cache.load("gate", gate_key, touch=True)) if gate_key else None
        gated: list[tuple[int, int, int | None]] = []  # (group, rule index, part index or None: its triggers)
        phrase_jobs: list[tuple[str, str, str]] = []  # (attr, phrase, key)
        for i, (loaded, rule) in enumerate(zip(self.rules, built.rules)):
            self._add_rule(i, loaded, rule, phrase_jobs, gated)
        self._add_phrases(phrase_jobs)
        if restored is not None:
            self.gate = restored
            return
        needs = built.needs()
        for group, i, k in gated:
            for analysis in needs[i].triggers if k is None else needs[i].parts[k]:
                self.gate.add_analysed(group, analysis)
        if gate_key:
            cache.store("gate", gate_key, self.gate.state(), keep=_GATES_KEPT)

    def _start(self, features: frozenset[str]) -> None:
        """Empty matchers and indexes, filled rule by rule."""
        vocab = self.nlp.vocab
        # Token patterns are grouped (a rule's triggers; each part of a
        # co-occurrence; apart from them a rule's vetoes), one Matcher per
        # group; the gate picks the groups a document could match, and only
        # those run. Matchers are built on first use: a one-reply CLI run
        # needs one or two of them.
        self.groups: list[Matcher | None] = []
        self.group_patterns: list[list[tuple[str, list[list[dict]]]]] = []
        self.gate = Gate(vocab.strings)
        # Frequencies are English; other languages pick anchors by pattern order.
        self.probability = Rarity(word_probabilities() if self.nlp.lang == "en" else {})
        self.phrase_matchers = {attr: PhraseMatcher(vocab, attr=attr_id) for attr, attr_id in _ATTRS.items()}
        self.dep_matcher = DependencyMatcher(vocab) if "parser" in features else None
        self.keys: dict[int, Key] = {}
        self.trigger_groups: set[int] = set()
        self.part_groups: dict[int, list[int]] = {}  # rule index -> its parts' groups, in order
        self.veto_group: dict[int, int] = {}  # rule index -> group of its token vetoes
        self.veto_scope: dict[tuple[int, int], str | int | tuple[str, int]] = {}

    def _key(self, name: str, meaning: Key) -> str:
        self.keys[self.nlp.vocab.strings.add(name)] = meaning
        return name

    def _new_group(self, entries: list[tuple[str, Patterns]]) -> int:
        """A group of (key, expanded patterns)."""
        self.groups.append(None)
        self.group_patterns.append(entries)
        return len(self.groups) - 1

    def _add_rule(
        self, i: int, loaded: LoadedRule, compiled: CompiledRule, phrase_jobs: list[tuple[str, str, str]],
        gated: list[tuple[int, int, int | None]],
    ) -> None:
        rule = loaded.rule
        trigger = self._key(rule.id, Key(i, "trigger"))
        phrase_jobs.extend((rule.match, phrase, trigger) for phrase in rule.phrases)
        if compiled.triggers:
            group = self._new_group([(trigger, compiled.triggers)])
            self.trigger_groups.add(group)
            gated.append((group, i, None))
        if rule.all_:
            self.part_groups[i] = []
            for k, patterns in enumerate(compiled.parts):
                group = self._new_group([(self._key(f"{rule.id}#part{k}", Key(i, "part", k)), patterns)])
                self.part_groups[i].append(group)
                gated.append((group, i, k))
        if rule.dependency and self.dep_matcher is not None:
            self.dep_matcher.add(trigger, rule.dependency)
        token_vetoes = []
        for j, entry in enumerate(rule.unless):
            veto = self._key(f"{rule.id}#unless{j}", Key(i, "veto", j))
            self.veto_scope[(i, j)] = entry.scope
            phrase_jobs.extend((entry.match, phrase, veto) for phrase in entry.phrases)
            if compiled.vetoes[j] is not None:
                token_vetoes.append((veto, compiled.vetoes[j]))
        # Vetoes wait outside the gate: they run only where their rule fired.
        if token_vetoes:
            self.veto_group[i] = self._new_group(token_vetoes)

    def _add_phrases(self, jobs: list[tuple[str, str, str]]) -> None:
        # Pattern docs go through the same normalisation as the text; lemma
        # patterns also need the lemma component, the others only the tokenizer.
        lemma_texts = [phrase for attr, phrase, _ in jobs if attr == "lemma"]
        lemma_docs = iter(self._lemmatized(lemma_texts))
        by_key: dict[tuple[str, str], list[Doc]] = defaultdict(list)
        for attr, phrase, key in jobs:
            doc = next(lemma_docs) if attr == "lemma" else self.nlp.make_doc(phrase)
            by_key[(attr, key)].append(doc)
        for (attr, key), docs in by_key.items():
            self.phrase_matchers[attr].add(key, docs)
        self.phrase_matchers = {a: m for a, m in self.phrase_matchers.items() if len(m)}

    def _lemmatized(self, texts: list[str]) -> list[Doc]:
        return [self.lemmas(self.nlp.make_doc(t)) for t in texts]

    def build_all(self) -> None:
        """Build every Matcher now instead of on first use.

        A one-reply CLI run needs one or two Matchers, so they are built lazily;
        a long-lived service would otherwise pay for them inside its first
        requests, which then overrun a short time limit (``serve --timeout``).
        """
        for group in range(len(self.groups)):
            self._group(group)

    def _group(self, group: int) -> Matcher:
        matcher = self.groups[group]
        if matcher is None:
            matcher = self.groups[group] = Matcher(self.nlp.vocab, validate=False)  # validated at load
            for key, expanded in self.group_patterns[group]:
                matcher.add(key, expanded)
        return matcher

"""Compiles rules into spaCy matchers and turns matches into raw hits.

All enabled rules' phrases share one ``PhraseMatcher`` per match attribute and
(when the pipeline parses) one ``DependencyMatcher``. Token patterns are
compiled once into a ``Matcher`` per rule, behind an anchor index (see
anchors.py): a document's tokens are read once, the index names the few rules
whose fixed words all occur in it, and only their Matchers verify. Whatever the
number of rules, a document costs one pass plus the candidates' checks, not a
loop over all rules. ``unless`` vetoes are compiled the same way under their
own keys and checked only for rules that fired.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.attrs import LEMMA, LOWER, NORM
from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher
from spacy.tokens import Doc

from tonecheck.anchors import Gate
from tonecheck.frequencies import word_probabilities
from tonecheck.nlp import LEMMA_COMPONENT
from tonecheck.packs import LoadedRule
from tonecheck.schema import Severity

_ATTRS = {"lower": LOWER, "norm": NORM, "lemma": LEMMA}


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule matched tokens ``start:end`` of a document."""

    rule: LoadedRule
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Veto:
    rule_index: int
    within: str | int


class CompiledRules:
    """The rules of one linter, compiled for one pipeline."""

    def __init__(self, nlp: Language, rules: Sequence[LoadedRule], features: frozenset[str]):
        self.nlp = nlp
        # Rules whose needs the pipeline cannot meet are kept aside, not matched.
        self.rules = [r for r in rules if r.rule.needs <= features]
        self.skipped = [r for r in rules if not r.rule.needs <= features]
        vocab = nlp.vocab
        # Token patterns are grouped per rule (its triggers, and apart from them
        # its vetoes), one Matcher per group; the gate picks the groups a
        # document could match, and only those run. Matchers are built on first
        # use: a one-reply CLI run needs one or two of them.
        self.groups: list[Matcher | None] = []
        self.group_patterns: list[list[tuple[str, list[list[dict]]]]] = []
        self.veto_group: dict[int, int] = {}  # rule index -> group of its token vetoes
        self.gate = Gate(vocab.strings)
        # Frequencies are English; other languages pick anchors by pattern order.
        probability = word_probabilities() if nlp.lang == "en" else {}
        self.phrase_matchers = {attr: PhraseMatcher(vocab, attr=attr_id) for attr, attr_id in _ATTRS.items()}
        self.dep_matcher = DependencyMatcher(vocab) if "parser" in features else None
        self.trigger_of: dict[int, int] = {}  # match key -> rule index
        self.veto_of: dict[int, _Veto] = {}
        self.trigger_groups: set[int] = set()
        phrase_jobs: list[tuple[str, str, str]] = []  # (attr, phrase, key)
        strings = vocab.strings

        def new_group(entries: list[tuple[str, Sequence[list[dict]]]]) -> int:
            self.groups.append(None)
            self.group_patterns.append([(key, _expand_first_tokens(patterns)) for key, patterns in entries])
            return len(self.groups) - 1

        for i, loaded in enumerate(self.rules):
            rule = loaded.rule
            key = rule.id
            self.trigger_of[strings.add(key)] = i
            for phrase in rule.phrases:
                phrase_jobs.append((rule.match, phrase, key))
            if rule.tokens:
                group = new_group([(key, rule.tokens)])
                self.trigger_groups.add(group)
                for pattern in rule.tokens:
                    self.gate.add(group, pattern, probability)
            if rule.dependency and self.dep_matcher is not None:
                self.dep_matcher.add(key, rule.dependency)
            token_vetoes = []
            for j, entry in enumerate(rule.unless):
                vkey = f"{rule.id}#unless{j}"
                self.veto_of[strings.add(vkey)] = _Veto(i, entry.within)
                for phrase in entry.phrases:
                    phrase_jobs.append((entry.match, phrase, vkey))
                if entry.tokens:
                    token_vetoes.append((vkey, entry.tokens))
            # Vetoes wait outside the gate: they run only where their rule fired.
            if token_vetoes:
                self.veto_group[i] = new_group(token_vetoes)
        self._add_phrases(phrase_jobs)

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
        lemmas = self.nlp.get_pipe(LEMMA_COMPONENT)
        return [lemmas(self.nlp.make_doc(t)) for t in texts]

    def candidates(self, doc: Doc) -> list[str]:
        """Ids of the rules whose token patterns ``doc`` could match (the rest are not run)."""
        scan = self.gate.scan(doc)
        groups = (scan.anchored | scan.unanchored) & self.trigger_groups
        return sorted(self.group_patterns[g][0][0] for g in groups)

    def _run(self, groups: set[int], doc: Doc, window: tuple[int, int] | None = None) -> list[tuple[int, int, int]]:
        """Matches of the given groups' patterns, in ``window`` (token offsets) or the whole document."""
        if window is None or window == (0, len(doc)):
            target, offset = doc, 0
        else:
            target, offset = doc[window[0] : window[1]], window[0]
        found = []
        for matcher in map(self._group, groups):
            # Lemmas come from our own component; spaCy's check for them would
            # iterate the whole document on every call.
            for key, start, end in matcher(target, allow_missing=True):
                found.append((key, start + offset, end + offset))
        return found

    def _group(self, group: int) -> Matcher:
        matcher = self.groups[group]
        if matcher is None:
            matcher = self.groups[group] = Matcher(self.nlp.vocab, validate=False)  # validated at load
            for key, expanded in self.group_patterns[group]:
                matcher.add(key, expanded)
        return matcher

    def match(self, doc: Doc) -> list[Hit]:
        """Every rule hit in ``doc`` that survives its vetoes, one per rule and span."""
        scan = self.gate.scan(doc)
        raw: list[tuple[int, int, int]] = []
        if scan.anchored:
            raw.extend(self._run(scan.anchored, doc, scan.window))
        if scan.unanchored:
            raw.extend(self._run(scan.unanchored, doc))
        for matcher in self.phrase_matchers.values():
            raw.extend(matcher(doc))
        if self.dep_matcher is not None and len(self.dep_matcher):
            for key, token_ids in self.dep_matcher(doc):
                raw.append((key, min(token_ids), max(token_ids) + 1))
        if not raw:
            return []
        # Token vetoes matter only for rules that fired.
        fired = {self.trigger_of[key] for key, _, _ in raw if key in self.trigger_of}
        # Vetoes run on the whole document: they may sit outside the window.
        veto_groups = {self.veto_group[i] for i in fired if i in self.veto_group}
        if veto_groups:
            raw.extend(self._run(veto_groups, doc))
        triggers: dict[int, list[tuple[int, int]]] = defaultdict(list)
        vetoes: dict[int, list[tuple[int, int, str | int]]] = defaultdict(list)
        for key, start, end in raw:
            index = self.trigger_of.get(key)
            if index is not None:
                triggers[index].append((start, end))
            else:
                veto = self.veto_of[key]
                vetoes[veto.rule_index].append((start, end, veto.within))
        if not triggers:
            return []
        sent_starts = _sentence_starts(doc) if vetoes else []
        hits: list[Hit] = []
        for index, spans in triggers.items():
            rule_vetoes = vetoes.get(index, ())
            for start, end in _longest_first(spans):
                if rule_vetoes and _vetoed(start, end, rule_vetoes, sent_starts, len(doc)):
                    continue
                hits.append(Hit(self.rules[index], start, end))
        return _one_per_category(hits)


# Each expanded value is one more pattern tried at every token; past about a
# dozen values one Python set lookup is cheaper (measured on the real replies).
_EXPAND_AT_MOST = 12


def _expand_first_tokens(patterns: Sequence[list[dict]]) -> list[list[dict]]:
    """Rewrite `{NORM: {IN: [a, b]}}` in a pattern's first token as one pattern per value.

    spaCy checks every pattern's first token at every token of the document. An
    exact attribute value is compared in C; an `IN` set is a Python predicate
    called per token, which made set-led patterns cost ~10x the whole pipeline.
    Only the first token matters (later ones run only once a match has started),
    and only a mandatory one: an optional first token would also start matches
    at the second. Large sets stay predicates (see _EXPAND_AT_MOST).
    """
    expanded: list[list[dict]] = []
    for pattern in patterns:
        first = pattern[0]
        sets = [k for k, v in first.items() if isinstance(v, dict) and set(v) == {"IN"}]
        if (
            first.get("OP", "1") != "1"
            or len(sets) != 1
            or len(first[sets[0]]["IN"]) > _EXPAND_AT_MOST
            or not all(isinstance(x, str) for x in first[sets[0]]["IN"])
        ):
            expanded.append(pattern)
            continue
        attr = sets[0]
        for value in dict.fromkeys(first[attr]["IN"]):
            expanded.append([{**first, attr: value}, *pattern[1:]])
    return expanded


def _sentence_starts(doc: Doc) -> list[int]:
    return [sent.start for sent in doc.sents]


def _sentence_bounds(i: int, starts: list[int], length: int) -> tuple[int, int]:
    k = bisect_right(starts, i) - 1
    begin = starts[k] if k >= 0 else 0
    end = starts[k + 1] if k + 1 < len(starts) else length
    return begin, end


def _vetoed(
    start: int, end: int, vetoes: Sequence[tuple[int, int, str | int]], starts: list[int], length: int
) -> bool:
    sent_begin, sent_end = _sentence_bounds(start, starts, length)
    for v_start, _v_end, within in vetoes:
        # A veto counts by where it begins: anywhere in the sentence, or from
        # `within` tokens before the match up to its last token. It may run on
        # past the match ("if that's the case" vetoing "if that's the").
        if within == "sentence":
            lo, hi = sent_begin, sent_end
        else:
            lo, hi = max(sent_begin, start - int(within)), end
        if lo <= v_start < hi:
            return True
    return False


def _longest_first(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop spans of one rule that overlap a longer (or earlier) one.

    Tracks taken token indices in a set (as spacy.util.filter_spans does) so
    the cost stays linear in the matched length even for huge inputs.
    """
    taken: list[tuple[int, int]] = []
    seen: set[int] = set()
    for start, end in sorted(set(spans), key=lambda s: (s[0] - s[1], s[0])):
        if seen.isdisjoint(range(start, end)):
            taken.append((start, end))
            seen.update(range(start, end))
    return sorted(taken)


def _one_per_category(hits: list[Hit]) -> list[Hit]:
    """Where rules of one category overlap, report the most severe, then the longest.

    Two rules of the same category on the same words say the same thing twice;
    different categories on the same words are different problems and both stay.
    """
    if len(hits) < 2:
        return hits
    ranked = sorted(
        hits,
        key=lambda h: (-Severity(h.rule.rule.severity).rank, h.start - h.end, h.start, h.rule.id),
    )
    kept: list[Hit] = []
    seen: dict[str, set[int]] = defaultdict(set)
    for hit in ranked:
        tokens = seen[hit.rule.rule.category]
        if tokens.isdisjoint(range(hit.start, hit.end)):
            kept.append(hit)
            tokens.update(range(hit.start, hit.end))
    kept.sort(key=lambda h: (h.start, h.end, h.rule.id))
    return kept

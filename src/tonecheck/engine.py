"""Runs the spaCy matchers of compiled rules (matchers.py builds them) and turns matches into raw hits.

A rule finds its words in one of these ways (a rule may combine them):

- ``phrases``: literal phrases, all rules' in one ``PhraseMatcher`` per match attribute;
- ``patterns`` (readable pattern strings, compiled by compile.py) and ``tokens``
  (spaCy token patterns): one ``Matcher`` per rule;
- ``all``: parts that must occur together in a clause, sentence or N tokens,
  each part a pattern with a ``Matcher`` of its own, combined by cooccur.py;
- ``dependency``: a ``DependencyMatcher``, when the pipeline parses.

Token Matchers sit behind an anchor index (anchors.py): a document's tokens
are read once, the index names the few pattern groups whose fixed words all
occur in it, and only those Matchers run, each only on the sentences that
hold its anchors. A co-occurrence rule runs only when every part is a
candidate, and only on the sentences all its parts share. Whatever the
number of rules, a document costs one pass plus the candidates' checks, and
a long document costs time in proportion to its length. ``unless`` vetoes are
compiled the same way under their own keys and run only for rules that fired,
on the sentences of their hits.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from tonecheck.anchors import Scan
from tonecheck.clauses import Clauses
from tonecheck.cooccur import Span, combine
from tonecheck.matchers import Key, Matchers
from tonecheck.packs import LoadedRule
from tonecheck.schema import Severity


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule matched tokens ``start:end`` of a document."""

    rule: LoadedRule
    start: int
    end: int



@dataclass
class RuleTrace:
    """What one rule found in a document, step by step (for `tonecheck try`)."""

    rule: LoadedRule
    triggers: list[Span] = field(default_factory=list)  # phrases, patterns, tokens, dependency
    parts: list[list[Span]] = field(default_factory=list)  # per part of `all`
    combined: list[Span] = field(default_factory=list)  # where all parts occur together
    vetoes: list[tuple[int, Span]] = field(default_factory=list)  # (unless index, where it matched)
    vetoed: list[tuple[Span, int, Span]] = field(default_factory=list)  # (candidate, unless index, veto)
    hits: list[Span] = field(default_factory=list)  # after vetoes, before one-per-category
    reported: list[Span] = field(default_factory=list)  # what the linter reports


class CompiledRules(Matchers):
    """The rules of one linter, compiled for one pipeline: matchers.py builds the matchers, this class runs them."""

    # -- which groups run where ------------------------------------------------

    def _plan(self, doc: Doc, scan: Scan) -> dict[int, list[Span]]:
        """The groups to run on ``doc`` and the token ranges to run each on."""
        whole = [(0, len(doc))]
        plan: dict[int, list[Span]] = {}
        for group in scan.anchored & self.trigger_groups:
            plan[group] = scan.sentences(group)
        for group in scan.unanchored & self.trigger_groups:
            plan[group] = whole
        candidates = scan.anchored | scan.unanchored
        for index, groups in self.part_groups.items():
            if not candidates.issuperset(groups):
                continue
            anchored = [g for g in groups if g in scan.anchored]
            scope = self.rules[index].rule.scope
            if isinstance(scope, int) and anchored:
                # Parts within N tokens: only sentences that reach within N tokens of a
                # sentence of the rarest part can hold a combination (in a long draft,
                # a part like "@be" has anchors in nearly every sentence).
                held = {g: scan.sentences(g) for g in anchored}
                pivot = min(anchored, key=lambda g: len(held[g]))
                windows = [(begin - scope, end + scope) for begin, end in held[pivot]]
                for g in groups:
                    plan[g] = _near(held[g], windows) if g in held else whole
                continue
            if scope not in ("clause", "sentence") or not anchored:
                for g in groups:
                    plan[g] = scan.sentences(g) if g in scan.anchored else whole
                continue
            # All parts must sit in one sentence: only sentences every anchored part holds can match.
            shared = set(scan.sentences(anchored[0])).intersection(*(scan.sentences(g) for g in anchored[1:]))
            if shared:
                for g in groups:
                    plan[g] = sorted(shared)
        return plan

    def candidates(self, doc: Doc) -> list[str]:
        """Ids of the rules whose token patterns ``doc`` could match (the rest are not run)."""
        plan = self._plan(doc, self.gate.scan(doc))
        found = {self.keys[self.nlp.vocab.strings[k]].rule for g in plan for k, _ in self.group_patterns[g]}
        return sorted(self.rules[i].id for i in found)

    def _run(self, group: int, doc: Doc, spans: Iterable[Span]) -> list[tuple[int, int, int]]:
        """Matches of one group's patterns in the given token ranges of ``doc``."""
        matcher = self._group(group)
        found = []
        for begin, end in spans:
            target = doc if (begin, end) == (0, len(doc)) else doc[begin:end]
            # Lemmas come from our own component; spaCy's check for them would
            # iterate the whole document on every call.
            for key, start, stop in matcher(target, allow_missing=True):
                found.append((key, start + begin, stop + begin))
        return found

    # -- matching ---------------------------------------------------------------

    def match(self, doc: Doc) -> list[Hit]:
        """Every rule hit in ``doc`` that survives its vetoes, one per category and span."""
        return self._evaluate(doc, self._plan(doc, self.gate.scan(doc)))

    def trace(self, doc: Doc, rule_ids: Iterable[str] | None = None) -> list[RuleTrace]:
        """What each rule (or the named ones) found in ``doc``: parts, vetoes, hits.

        Runs every selected rule's Matchers on the whole document, bypassing the
        gate, through the same combination and veto steps as ``match``.
        """
        wanted = set(rule_ids) if rule_ids is not None else None
        indices = [i for i, r in enumerate(self.rules) if wanted is None or r.id in wanted]
        whole = [(0, len(doc))]
        plan: dict[int, list[Span]] = {}
        for group, entries in enumerate(self.group_patterns):
            owner = self.keys[self.nlp.vocab.strings[entries[0][0]]].rule
            if owner in indices and group not in self.veto_group.values():
                plan[group] = whole
        traces = {i: RuleTrace(self.rules[i], parts=[[] for _ in self.rules[i].rule.all_]) for i in indices}
        reported = self._evaluate(doc, plan, traces)
        for hit in reported:
            for i, trace in traces.items():
                if trace.rule is hit.rule:
                    trace.reported.append((hit.start, hit.end))
        return [traces[i] for i in indices]

    def _evaluate(self, doc: Doc, plan: dict[int, list[Span]], traces: dict[int, RuleTrace] | None = None) -> list[Hit]:
        raw: list[tuple[int, int, int]] = []
        for group, spans in plan.items():
            raw.extend(self._run(group, doc, spans))
        for matcher in self.phrase_matchers.values():
            raw.extend(matcher(doc))
        if self.dep_matcher is not None and len(self.dep_matcher):
            for key, token_ids in self.dep_matcher(doc):
                raw.append((key, min(token_ids), max(token_ids) + 1))
        if not raw:
            return []
        triggers: dict[int, list[Span]] = defaultdict(list)
        parts: dict[int, dict[int, list[Span]]] = defaultdict(lambda: defaultdict(list))
        phrase_vetoes: list[tuple[Key, int, int]] = []
        for key, start, end in raw:
            meaning = self.keys[key]
            if meaning.role == "trigger":
                triggers[meaning.rule].append((start, end))
            elif meaning.role == "part":
                parts[meaning.rule][meaning.index].append((start, end))
            else:
                phrase_vetoes.append((meaning, start, end))
        clauses = _Lazy(lambda: Clauses(doc))
        for index, found in parts.items():
            rule = self.rules[index].rule
            needed = [found.get(k, []) for k in range(len(rule.all_))]
            scope = rule.scope
            together = combine(needed, scope, rule.order == "given", None if isinstance(scope, int) else clauses())
            triggers[index].extend(together)
            if traces is not None and index in traces:
                traces[index].parts = [sorted(set(p)) for p in needed]
                traces[index].combined = together
        if traces is not None:
            for index, spans in triggers.items():
                if index in traces:
                    traces[index].triggers = sorted(set(spans) - set(traces[index].combined))
        if not triggers:
            return []
        vetoes = self._vetoes(doc, triggers, phrase_vetoes, clauses)
        hits: list[Hit] = []
        for index, spans in triggers.items():
            rule_vetoes = _VetoIndex(vetoes.get(index, ()))
            trace = traces.get(index) if traces is not None else None
            if trace is not None:
                trace.vetoes = sorted({(j, (s, e)) for s, e, j in vetoes.get(index, ())})
            for start, end in _longest_first(spans):
                veto = self._vetoed(index, start, end, rule_vetoes, clauses) if rule_vetoes else None
                if veto is not None:
                    if trace is not None:
                        trace.vetoed.append(((start, end), veto[2], (veto[0], veto[1])))
                    continue
                if trace is not None:
                    trace.hits.append((start, end))
                hits.append(Hit(self.rules[index], start, end))
        return _one_per_category(hits)

    def _vetoes(
        self,
        doc: Doc,
        triggers: dict[int, list[Span]],
        phrase_vetoes: list[tuple[Key, int, int]],
        clauses: _Lazy,
    ) -> dict[int, list[tuple[int, int, int]]]:
        """Veto matches of the rules that fired: (start, end, unless index) per rule."""
        vetoes: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for meaning, start, end in phrase_vetoes:
            if meaning.rule in triggers:
                vetoes[meaning.rule].append((start, end, meaning.index))
        for index, spans in triggers.items():
            group = self.veto_group.get(index)
            if group is None:
                continue
            # A veto counts within the hit's sentences, so those are all it needs to read.
            ranges = sorted({clauses().bounds("sentence", start, end) for start, end in spans})
            for key, start, end in self._run(group, doc, ranges):
                vetoes[index].append((start, end, self.keys[key].index))
        return vetoes

    def _vetoed(self, index: int, start: int, end: int, vetoes: _VetoIndex, clauses: _Lazy) -> tuple[int, int, int] | None:
        """The veto that cancels the hit ``start:end`` of rule ``index``, if any."""
        found: tuple[int, tuple[int, int, int]] | None = None
        for j in vetoes.kinds():
            within = self.veto_scope[(index, j)]
            # A veto counts by where it begins: anywhere in the sentence or
            # clause, or from `within` tokens before the match up to its last
            # token. It may run on past the match ("if that's the case"
            # vetoing "if that's the").
            if within in ("sentence", "clause"):
                lo, hi = clauses().bounds(str(within), start, end)
            elif isinstance(within, tuple) and within[0] == "after":  # from the finding to N tokens past it
                _, sentence_end = clauses().bounds("sentence", start, end)
                lo, hi = start, min(sentence_end, end + within[1])
            elif isinstance(within, tuple):  # ("before", N): the N tokens in front of the finding only
                sentence_begin, _ = clauses().bounds("sentence", start, end)
                lo, hi = max(sentence_begin, start - within[1]), start
            else:
                sentence_begin, _ = clauses().bounds("sentence", start, end)
                lo, hi = max(sentence_begin, start - int(within)), end
            candidate = vetoes.first_starting_in(j, lo, hi)
            if candidate is not None and (found is None or candidate[0] < found[0]):
                found = candidate
        return found[1] if found is not None else None


class _VetoIndex:
    """One rule's veto matches, by ``unless`` entry and sorted by start.

    A hit asks only for the vetoes that begin in its window, found by bisection:
    testing every hit against every veto match grew with the square of a long
    draft's length (a 5 MB draft spent a fifth of its check there).
    """

    def __init__(self, vetoes: Iterable[tuple[int, int, int]]):
        self.by_kind: dict[int, tuple[list[int], list[tuple[int, tuple[int, int, int]]]]] = {}
        grouped: dict[int, list[tuple[int, int, tuple[int, int, int]]]] = defaultdict(list)
        for order, veto in enumerate(vetoes):
            grouped[veto[2]].append((veto[0], order, veto))
        for j, entries in grouped.items():
            entries.sort()
            self.by_kind[j] = ([e[0] for e in entries], [(e[1], e[2]) for e in entries])

    def __bool__(self) -> bool:
        return bool(self.by_kind)

    def kinds(self) -> Iterable[int]:
        return self.by_kind.keys()

    def first_starting_in(self, j: int, lo: int, hi: int) -> tuple[int, tuple[int, int, int]] | None:
        """Of the vetoes of entry ``j`` that begin in ``lo:hi``, the one listed first, with its place."""
        starts, entries = self.by_kind[j]
        k = bisect_left(starts, lo)
        best = None
        while k < len(starts) and starts[k] < hi:
            if best is None or entries[k][0] < best[0]:
                best = entries[k]
            k += 1
        return best


class _Lazy:
    """A value computed on first call: a document's clauses are needed only when a rule fired."""

    def __init__(self, make: Callable[[], Clauses]):
        self.make = make
        self.value: Clauses | None = None

    def __call__(self) -> Clauses:
        if self.value is None:
            self.value = self.make()
        return self.value



def _near(sentences: list[Span], windows: list[Span]) -> list[Span]:
    """The ``sentences`` that overlap one of ``windows`` (both sorted, the windows' ends too)."""
    ends = [end for _, end in windows]
    near = []
    for begin, end in sentences:
        k = bisect_right(ends, begin)  # the first window ending past this sentence's start
        if k < len(windows) and windows[k][0] < end:
            near.append((begin, end))
    return near


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

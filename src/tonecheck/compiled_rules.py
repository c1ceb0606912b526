"""Each rule's compiled token patterns and their gate analysis, built once and kept on disk.

Compiling the pattern strings of the built-in packs (compile.py) and analysing
every resulting pattern for the anchor gate (pattern_needs.py) took ~1.7 s of
every CLI start even after both were made faster (measured); the result is a
few MB of lists and dicts that unpickle in a few tens of milliseconds.

Two cache entries (cache.py) hold the rules of one pack file: their patterns
("compiled") and their gate analyses ("needs"), read only when the gate must
be built (RuleNeeds). Their key names
everything the result depends on: the pack file, the files of every lexicon
its rules use (includes too, so a lexicon edit invalidates it), the pipeline
(language, name, version, components; spaCy's and spacy-lookups-data's
versions) and the code and data files that shape the result. Each rule in it
also keeps its pattern sources, compared on load, so a pack given as text
under a file's name never gets that file's patterns. Entries grow as rules
of its pack are needed: a selection compiles only the rules it runs.

Like the parsed-pack cache this is an optimisation only: a missing, stale or
unreadable entry means compiling, and ``TONECHECK_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language

from tonecheck import cache
from tonecheck.compile import PatternCompiler, compile_patterns
from tonecheck.lexicons import Lexicons, rule_lexicons
from tonecheck.packs import LoadedLexicon, LoadedRule
from tonecheck.pattern_needs import Analysis, analyse

Patterns = list[list[dict[str, Any]]]

# The code and data files of the package that shape a compiled rule.
_SHAPERS = (
    "compile.py", "compiled_rules.py", "lexicons.py", "nlp.py", "pattern_needs.py", "patterns.py",
    "packs.py", "schema.py", "data/normalization.yaml", "data/word_frequencies.tsv",
)


@dataclass
class CompiledRule:
    """What matchers.py builds a rule's groups from (Matcher patterns have their first tokens expanded)."""

    triggers: Patterns  # the rule's `tokens` and compiled `patterns`
    parts: list[Patterns]  # per part of `all`: its patterns
    vetoes: list[Patterns | None]  # per `unless` entry: its token patterns (None: phrases only)


@dataclass
class RuleNeeds:
    """The gate's analysis of each of a rule's gated patterns, before expansion.

    Kept apart from the patterns (a cache entry of its own, under the same
    key): once the built gate is cached too (matchers.py), a start never
    reads them, and they were two thirds of the compiled entries' unpickling
    (55 of 80 ms for the built-in packs, measured).
    """

    triggers: list[Analysis]
    parts: list[list[Analysis]]  # per part of `all`


def compile_rule(
    compiler: PatternCompiler, loaded: LoadedRule, probability: Mapping[str, float], shared: dict | None = None
) -> tuple[CompiledRule, RuleNeeds]:
    """Compile one rule's token patterns and analyse the gated ones (raises PackError for a bad pattern).

    ``shared``: see pattern_needs.analyse (one per cache entry keeps the entry small).
    """
    rule = loaded.rule
    shared = {} if shared is None else shared
    triggers = [*rule.tokens, *compile_patterns(compiler, loaded, rule.patterns, lambda j: ("patterns", j))]
    parts, part_needs = [], []
    for k, text in enumerate(rule.all_):
        patterns = compiler.token_patterns(text, loaded, ("all", k))
        parts.append(expand_first_tokens(patterns))
        part_needs.append([analyse(p, probability, shared) for p in patterns])
    vetoes = []
    for j, entry in enumerate(rule.unless):
        located = lambda m, j=j: ("unless", j, "patterns", m)  # noqa: E731
        patterns = [*entry.tokens, *compile_patterns(compiler, loaded, entry.patterns, located)]
        vetoes.append(expand_first_tokens(patterns) if patterns else None)
    needs = RuleNeeds([analyse(p, probability, shared) for p in triggers], part_needs)
    return CompiledRule(expand_first_tokens(triggers), parts, vetoes), needs


class Compiled:
    """``rules`` compiled, in order, from the cache where an entry is current, else compiled (and stored).

    ``selection`` is the cache key of the whole selection (every pack's key and
    the rules' ids, in order), or None when some pack cannot be cached: what
    is built from all the compiled rules together (the gate) can be kept
    under it. ``needs()`` gives the rules' gate analyses, read (or compiled)
    only when asked.
    """

    def __init__(
        self, rules: Sequence[LoadedRule], lexicons: Lexicons, nlp: Language, compiler: Callable[[], PatternCompiler],
        probability: Mapping[str, float],
    ):
        self._made: list[PatternCompiler] = []
        self._make, self._probability = compiler, probability
        self._shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._rules = list(rules)
        by_pack: dict[object, list[LoadedRule]] = {}
        for loaded in rules:
            by_pack.setdefault(loaded.path, []).append(loaded)
        # Per pack: its rules and its cache key (None: not cacheable).
        self._packs: list[tuple[list[LoadedRule], list[str] | None]] = []
        selection: list[str] | None = [] if cache.cache_dir() is not None else None
        for group in by_pack.values():
            parts = _key(group, lexicons, nlp) if selection is not None else None
            if parts is None:
                selection = None
            else:
                selection.extend(parts)
            self._packs.append((group, parts))
        if selection is not None:
            selection.append("\0".join(r.id for r in rules))
        self.selection = selection
        self._needs: dict[int, RuleNeeds] = {}  # by id(rule), for rules compiled in this process
        found: dict[int, CompiledRule] = {}
        for group, parts in self._packs:
            found.update(self._read(group, parts, "compiled", 0))
        self.rules = [found[id(r)] for r in self._rules]

    def needs(self) -> list[RuleNeeds]:
        """The gate analyses of the rules, in order."""
        found: dict[int, RuleNeeds] = {}
        for group, parts in self._packs:
            found.update(self._read(group, parts, "needs", 1))
        return [found[id(r)] for r in self._rules]

    def _read(self, group: list[LoadedRule], parts: list[str] | None, kind: str, half: int) -> dict[int, Any]:
        """One half of the compiled rules of one pack (0: patterns, 1: needs), by id(rule)."""
        if parts is None:
            return {id(r): self._needs[id(r)] if half else self._compile(r)[0] for r in group}
        entry = cache.load(kind, parts)
        if not isinstance(entry, dict):
            entry = {}
        missing = [r for r in group if not _current(entry.get(r.id), r, (CompiledRule, RuleNeeds)[half])]
        for loaded in missing:
            made = self._needs.get(id(loaded)) if half else None  # compiled for its patterns already
            entry[loaded.id] = (_sources(loaded), made if made is not None else self._compile(loaded)[half])
        if missing:
            cache.store(kind, parts, entry)
        return {id(r): entry[r.id][1] for r in group}

    def _compile(self, loaded: LoadedRule) -> tuple[CompiledRule, RuleNeeds]:
        if not self._made:
            self._made.append(self._make())
        compiled = compile_rule(self._made[0], loaded, self._probability, self._shared)
        self._needs[id(loaded)] = compiled[1]
        return compiled


def _sources(loaded: LoadedRule) -> tuple:
    """Everything of the rule itself that its compiled patterns come from."""
    rule = loaded.rule
    return (rule.tokens, rule.patterns, rule.all_, [(e.tokens, e.patterns) for e in rule.unless], loaded.language)


def _current(stored: Any, loaded: LoadedRule, kind: type) -> bool:
    return isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[1], kind) and stored[0] == _sources(loaded)


def _key(rules: Sequence[LoadedRule], lexicons: Lexicons, nlp: Language) -> list[str] | None:
    """The cache key of one pack's rules, or None when a file it depends on cannot be read (no caching)."""
    try:
        files = [cache.file_stamp(rules[0].path)]
        files += sorted(f"{lexicon.name}\0{cache.file_stamp(lexicon.path)}" for lexicon in _used_lexicons(rules, lexicons))
    except OSError:
        return None  # a pack given as text, or a file gone since it was read
    return [cache.code_stamp(_SHAPERS), _pipeline(nlp), *files]


def _used_lexicons(rules: Sequence[LoadedRule], lexicons: Lexicons) -> list[LoadedLexicon]:
    """Every lexicon the rules refer to, and every lexicon those include, once each."""
    found: dict[int, LoadedLexicon] = {}
    pending = [lexicons.for_rule(name, rule) for rule in rules for name in rule_lexicons(rule)]
    own = rules[0].lexicons  # one pack: the same own lexicons for every rule
    while pending:
        lexicon = pending.pop()
        if lexicon is None or id(lexicon) in found:  # None: a built-in class (@number)
            continue
        found[id(lexicon)] = lexicon
        visible = own if lexicon.pack is not None else {}  # as Lexicons.entries resolves includes
        pending.extend(lexicons.lookup(name, language=lexicon.language, own=visible) for name in lexicon.lexicon.include)
    return list(found.values())


def _pipeline(nlp: Language) -> str:
    """What of the pipeline shapes compiled patterns: its tokenizer and norms, its lemma tables."""
    try:
        import spacy_lookups_data

        lookups = str(getattr(spacy_lookups_data, "__version__", "?"))
    except ImportError:
        lookups = "-"
    meta = nlp.meta
    return "\0".join([nlp.lang, str(meta.get("name")), str(meta.get("version")), ",".join(nlp.pipe_names), spacy.__version__, lookups])


def expand_first_tokens(patterns: Sequence[list[dict]]) -> list[list[dict]]:
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


# Each expanded value is one more pattern tried at every token; past about a
# dozen values one Python set lookup is cheaper (measured on the real replies).
_EXPAND_AT_MOST = 12

"""Each rule's compiled token patterns and their gate analysis, built once and kept on disk.

Compiling the pattern strings of the built-in packs (compile.py) and analysing
every resulting pattern for the anchor gate (pattern_needs.py) took ~1.7 s of
every CLI start even after both were made faster (measured); the result is a
few MB of lists and dicts that unpickle in a few tens of milliseconds.

One cache entry (cache.py) holds the rules of one pack file. Its key names
everything the result depends on: the pack file, the files of every lexicon
its rules use (includes too, so a lexicon edit invalidates it), the pipeline
(language, name, version, components; spaCy's and spacy-lookups-data's
versions) and the code and data files that shape the result. Each rule in it
also keeps its pattern sources, compared on load, so a pack given as text
under a file's name never gets that file's patterns. An entry grows as rules
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
    trigger_needs: list[Analysis]  # the gate's analysis of each trigger pattern, before expansion
    parts: list[tuple[Patterns, list[Analysis]]]  # per part of `all`: its patterns and their analyses
    vetoes: list[Patterns | None]  # per `unless` entry: its token patterns (None: phrases only)


def compile_rule(
    compiler: PatternCompiler, loaded: LoadedRule, probability: Mapping[str, float], shared: dict | None = None
) -> CompiledRule:
    """Compile one rule's token patterns and analyse the gated ones (raises PackError for a bad pattern).

    ``shared``: see pattern_needs.analyse (one per cache entry keeps the entry small).
    """
    rule = loaded.rule
    shared = {} if shared is None else shared
    triggers = [*rule.tokens, *compile_patterns(compiler, loaded, rule.patterns, lambda j: ("patterns", j))]
    parts = []
    for k, text in enumerate(rule.all_):
        patterns = compiler.token_patterns(text, loaded, ("all", k))
        parts.append((expand_first_tokens(patterns), [analyse(p, probability, shared) for p in patterns]))
    vetoes = []
    for j, entry in enumerate(rule.unless):
        located = lambda m, j=j: ("unless", j, "patterns", m)  # noqa: E731
        patterns = [*entry.tokens, *compile_patterns(compiler, loaded, entry.patterns, located)]
        vetoes.append(expand_first_tokens(patterns) if patterns else None)
    return CompiledRule(expand_first_tokens(triggers), [analyse(p, probability, shared) for p in triggers], parts, vetoes)


def compiled_rules(
    rules: Sequence[LoadedRule], lexicons: Lexicons, nlp: Language, compiler: Callable[[], PatternCompiler],
    probability: Mapping[str, float],
) -> tuple[list[CompiledRule], list[str] | None]:
    """``rules`` compiled, in order: from the cache where an entry is current, else compiled (and stored).

    Also the cache key of the whole selection (every pack's key and the rules'
    ids, in order), or None when some pack cannot be cached: what is built from
    all the compiled rules together (the gate) can be kept under it.
    """
    made: list[PatternCompiler] = []
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}

    def compile_one(loaded: LoadedRule) -> CompiledRule:
        if not made:
            made.append(compiler())
        return compile_rule(made[0], loaded, probability, shared)

    by_pack: dict[object, list[LoadedRule]] = {}
    for loaded in rules:
        by_pack.setdefault(loaded.path, []).append(loaded)
    found: dict[int, CompiledRule] = {}
    selection: list[str] | None = [] if cache.cache_dir() is not None else None
    for group in by_pack.values():
        parts = _key(group, lexicons, nlp) if selection is not None else None
        if parts is None:
            selection = None
            found.update((id(r), compile_one(r)) for r in group)
            continue
        selection.extend(parts)
        entry = cache.load("compiled", parts)
        if not isinstance(entry, dict):
            entry = {}
        missing = [r for r in group if not _current(entry.get(r.id), r)]
        for loaded in missing:
            entry[loaded.id] = (_sources(loaded), compile_one(loaded))
        if missing:
            cache.store("compiled", parts, entry)
        found.update((id(r), entry[r.id][1]) for r in group)
    if selection is not None:
        selection.append("\0".join(r.id for r in rules))
    return [found[id(r)] for r in rules], selection


def _sources(loaded: LoadedRule) -> tuple:
    """Everything of the rule itself that its compiled patterns come from."""
    rule = loaded.rule
    return (rule.tokens, rule.patterns, rule.all_, [(e.tokens, e.patterns) for e in rule.unless], loaded.language)


def _current(stored: Any, loaded: LoadedRule) -> bool:
    return (
        isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[1], CompiledRule)
        and stored[0] == _sources(loaded)
    )


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

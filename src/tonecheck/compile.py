"""Pattern strings and word classes compiled into spaCy Matcher token patterns.

Everything becomes a ``NORM`` comparison, so the anchor gate can index it and
one attribute decides every token:

- a word is run through the pipeline's tokenizer, so "don't" is two tokens and
  "colour", "you're" and common typos compare by their normalised forms;
- ``~word`` and a lexicon's ``lemmas`` become the set of norms whose lemma is
  that word's lemma (the default pipeline's lemmas are a lookup on the norm,
  so this is exactly "any inflection");
- one-word alternatives collapse into one ``{"NORM": {"IN": [...]}}`` token;
  multi-word alternatives are separate token sequences, factored where they
  differ in one position ("no limit" | "no cap" -> "no (limit|cap)").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from spacy.language import Language

from tonecheck.errors import PackError
from tonecheck.lexicons import Lexicons
from tonecheck.nlp import LEMMA_COMPONENT
from tonecheck.packs import LoadedRule
from tonecheck.patterns import AnyWord, Choice, Item, Ref, Word, parse

# A pattern whose multi-word alternatives multiply past this many token
# sequences is refused: each sequence is one more Matcher pattern.
MAX_SEQUENCES = 256


# Word classes the engine provides, not a lexicon file: a token attribute each.
BUILTIN_CLASSES = {"number": "LIKE_NUM"}


@dataclass(frozen=True)
class Spec:
    """One pattern token: a set of norms (None: any token), repeated ``least``..``most`` times.

    ``flag`` instead tests a token attribute (``@number``: spaCy's LIKE_NUM).
    """

    norms: frozenset[str] | None
    least: int = 1
    most: int = 1
    flag: str | None = None
    # Worked out once: _factor hashes every spec of every sequence at every
    # position (5.4M generated __hash__ calls, 1.6 s of a cold start, measured).
    _hash: int = field(init=False, repr=False, compare=False)
    plain: bool = field(init=False, repr=False, compare=False)
    gap: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.norms, self.least, self.most, self.flag)))
        object.__setattr__(self, "plain", self.least == self.most == 1 and self.flag is None)
        object.__setattr__(self, "gap", self.norms is None and self.flag is None)

    def __hash__(self) -> int:
        return self._hash

    def to_matcher(self) -> dict[str, Any]:
        token: dict[str, Any] = {}
        if self.flag is not None:
            token[self.flag] = True
        if self.norms is not None:
            values = sorted(self.norms)
            token["NORM"] = values[0] if len(values) == 1 else {"IN": values}
        if (self.least, self.most) == (0, 1):
            token["OP"] = "?"
        elif not self.plain:
            token["OP"] = f"{{{self.least},{self.most}}}"
        return token



Sequence_ = tuple[Spec, ...]


def _first_required(sequence: Sequence_) -> int:
    """Keep a match inside one sentence: no token after the first required one may start a sentence.

    A rule states an idea of one sentence, and the engine runs a rule only on the
    sentences around its anchor words, so a gap (`_{0,6}`) that ran on into the next
    sentence would match on the whole document and not on those sentences.
    """
    return next((i for i, spec in enumerate(sequence) if spec.least > 0), 0)


class CompileError(ValueError):
    """A pattern that parses but cannot become Matcher patterns (said in the pack's terms)."""


class PatternCompiler:
    """Compiles pattern strings for one pipeline and one set of word classes."""

    def __init__(self, nlp: Language, lexicons: Lexicons, lemmas: Any = None):
        self.nlp = nlp
        self.lexicons = lexicons
        self.lemmas = lemmas if lemmas is not None else nlp.get_pipe(LEMMA_COMPONENT)
        self._words: dict[tuple[str, bool], Sequence_] = {}
        self._refs: dict[tuple[int, int], list[Sequence_]] = {}
        self._tokens: dict[tuple[Spec, bool], dict[str, Any]] = {}  # (spec, after the first required token)

    # -- the public entry points ---------------------------------------------

    def token_patterns(self, text: str, rule: LoadedRule, loc: tuple[str | int, ...]) -> list[list[dict[str, Any]]]:
        """Matcher patterns for one pattern string of ``rule`` (``loc`` locates it for errors)."""
        try:
            sequences = self._choice(parse(text), rule)
            sequences = _factor([s for s in sequences])
            for sequence in sequences:
                _check_sequence(sequence)
        except CompileError as exc:
            raise PackError(
                rule.path, rule.line_of(*loc), f"in pattern `{text}`: {exc}",
                rule=rule.id, field=".".join(str(p) for p in loc),
            ) from None
        return [self._matcher_pattern(sequence) for sequence in sequences]

    def _matcher_pattern(self, sequence: Sequence_) -> list[dict[str, Any]]:
        """The spaCy pattern of one sequence, its token dicts shared with every other pattern holding the same spec.

        A lexicon's spec recurs in thousands of patterns, and one sorted list of
        its norms per occurrence held most of the compiled patterns' memory.
        Nothing downstream mutates a pattern (matchers.py copies what it rewrites).
        """
        first = _first_required(sequence)
        return [self._token(spec, i > first) for i, spec in enumerate(sequence)]

    def _token(self, spec: Spec, inside: bool) -> dict[str, Any]:
        key = (spec, inside)
        token = self._tokens.get(key)
        if token is None:
            token = spec.to_matcher()
            if inside:
                token["IS_SENT_START"] = False
            self._tokens[key] = token
        return token

    def word_sequence(self, text: str, lemma: bool = False) -> Sequence_:
        """The normalised token sequence of a word or phrase (``lemma``: any inflection of each word)."""
        key = (text, lemma)
        found = self._words.get(key)
        if found is None:
            doc = self.nlp.make_doc(text)
            if lemma:
                found = tuple(Spec(self.lemmas.forms(token.norm_)) for token in doc)
            else:
                found = tuple(Spec(frozenset([token.norm_])) for token in doc)
            self._words[key] = found
        return found

    # -- the tree ---------------------------------------------------------------

    def _choice(self, node: Choice, rule: LoadedRule) -> list[Sequence_]:
        out: list[Sequence_] = []
        for option in node.options:
            out.extend(self._sequence(option, rule))
        return _merge_words(out)

    def _sequence(self, items: tuple[Item, ...], rule: LoadedRule) -> list[Sequence_]:
        parts = [self._item(item, rule) for item in items]
        total = 1
        for alternatives in parts:
            total *= len(alternatives)
        if total > MAX_SEQUENCES:
            counts = ", ".join(
                f"`{item.source}` has {len(alts)}" for item, alts in zip(items, parts) if len(alts) > 1
            )
            raise CompileError(
                f"it expands to {total} token sequences because its multi-word alternatives multiply "
                f"({counts}); split it into several patterns, or make it a co-occurrence rule (`all:`)"
            )
        return [tuple(spec for chunk in combination for spec in chunk) for combination in product(*parts)]

    def _item(self, item: Item, rule: LoadedRule) -> list[Sequence_]:
        atom = item.atom
        if isinstance(atom, AnyWord):
            alternatives: list[Sequence_] = [(Spec(None),)]
        elif isinstance(atom, Word):
            alternatives = [self.word_sequence(atom.text, atom.lemma)]
        elif isinstance(atom, Ref):
            alternatives = self._lexicon(atom, rule)
        else:
            alternatives = self._choice(atom, rule)
        if (item.least, item.most) == (1, 1):
            return alternatives
        single = [a for a in alternatives if len(a) == 1 and a[0].plain]
        if len(single) == len(alternatives):
            norms = _union(spec.norms for (spec,) in single)
            return [(Spec(norms, item.least, item.most),)]
        if len(alternatives) == 1 and len(alternatives[0]) == 1 and alternatives[0][0].flag is not None:
            spec = alternatives[0][0]  # `@number{1,2}`
            return [(Spec(None, item.least, item.most, spec.flag),)]
        if (item.least, item.most) == (0, 1):
            return [*alternatives, ()]
        raise CompileError(
            f"`{item.source}` repeats one word at a time, but {self._several(atom, rule)}; "
            "repeat a one-word item, or write the words out"
        )

    def _several(self, atom: Word | Ref | AnyWord | Choice, rule: LoadedRule) -> str:
        """Which entries of a repeated item are more than one word, said in the pack's terms."""
        if isinstance(atom, Ref):
            lexicon = self.lexicons.for_rule(atom.name, rule)
            if lexicon is not None:
                entries = self.lexicons.entries(lexicon, rule.lexicons)
                long = [w for w in (*entries.words, *entries.lemmas) if len(self.word_sequence(w)) > 1]
                shown = ", ".join(f"`{w}`" for w in long[:3])
                return f"lexicon `{atom.name}` has entries of several words ({shown})"
        return "it can match several words"

    def _lexicon(self, ref: Ref, rule: LoadedRule) -> list[Sequence_]:
        if ref.name in BUILTIN_CLASSES:
            return [(Spec(None, flag=BUILTIN_CLASSES[ref.name]),)]
        lexicon = self.lexicons.for_rule(ref.name, rule)
        if lexicon is None:  # load_rules checks references first; this is a safety net
            raise CompileError(f"no lexicon `{ref.name}`")
        key = (id(lexicon), id(rule.lexicons))
        found = self._refs.get(key)
        if found is None:
            entries = self.lexicons.entries(lexicon, rule.lexicons)
            sequences = [self.word_sequence(w) for w in entries.words]
            sequences += [self.word_sequence(w, lemma=True) for w in entries.lemmas]
            found = self._refs[key] = _factor(_merge_words(sequences))
        return found


def _union(sets: Any) -> frozenset[str] | None:
    out: set[str] = set()
    for norms in sets:
        if norms is None:
            return None
        out |= norms
    return frozenset(out)


def _merge_words(sequences: list[Sequence_]) -> list[Sequence_]:
    """One-word alternatives become one token with the union of their norms."""
    single = [s for s in sequences if len(s) == 1 and s[0].plain]
    rest = [s for s in sequences if not (len(s) == 1 and s[0].plain)]
    merged: list[Sequence_] = []
    if single:
        merged.append((Spec(_union(spec.norms for (spec,) in single)),))
    seen: set[Sequence_] = set()
    for sequence in rest:
        if sequence not in seen:
            seen.add(sequence)
            merged.append(sequence)
    return merged


def _factor(sequences: list[Sequence_]) -> list[Sequence_]:
    """Merge sequences that differ in one plain position: exact, and fewer Matcher patterns.

    Sequences are grouped on everything but one position, at every position, until
    nothing merges. The grouping keys are tuples of small ints standing for the
    specs (equal specs, equal ints): hashing slices of specs took a second of a
    cold start (measured).
    """
    codes: dict[Spec, int] = {}
    entries = [_coded(sequence, codes) for sequence in sequences]
    changed = True
    while changed:
        changed = False
        for position in range(max((len(s) for s in sequences), default=0)):
            groups: dict[tuple, list[int]] = {}  # in order of first occurrence
            for k, (sequence, coded, mergeable) in enumerate(entries):
                if len(coded) > position and mergeable[position]:
                    key: tuple = (len(coded), coded[:position], coded[position + 1 :])
                else:
                    key = ("as is", coded)
                groups.setdefault(key, []).append(k)
            if len(groups) == len(entries):
                continue
            out = []
            for key, group in groups.items():
                if len(group) == 1 or key[0] == "as is":
                    out.append(entries[group[0]])
                    continue
                norms = _union(entries[k][0][position].norms for k in group)
                first = entries[group[0]][0]
                out.append(_coded(first[:position] + (Spec(norms),) + first[position + 1 :], codes))
            entries, changed = out, True
            sequences = [sequence for sequence, _, _ in entries]
    return sequences


def _coded(sequence: Sequence_, codes: dict[Spec, int]) -> tuple[Sequence_, tuple[int, ...], tuple[bool, ...]]:
    """A sequence, its specs as ints (see _factor), and which positions may merge (plain words)."""
    coded = tuple(codes.setdefault(spec, len(codes)) for spec in sequence)
    return sequence, coded, tuple(spec.plain and not spec.gap for spec in sequence)


def _check_sequence(sequence: Sequence_) -> None:
    if not any(spec.least > 0 for spec in sequence):
        raise CompileError("it can match no word at all; make at least one word required (drop a `?`)")
    fixed = [i for i, spec in enumerate(sequence) if not spec.gap and spec.least > 0]
    for i, spec in enumerate(sequence):
        if spec.gap and not (fixed and fixed[0] < i < fixed[-1]):
            raise CompileError(
                "a pattern may not begin or end with `_` (nor with `_` followed only by optional words): "
                "the gap would only widen the match; start and end with a required word or lexicon"
            )


def compile_patterns(
    compiler: PatternCompiler, rule: LoadedRule, texts: Sequence[str], loc: Callable[[int], tuple[str | int, ...]]
) -> list[list[dict[str, Any]]]:
    """Matcher patterns for several pattern strings of one rule (``loc(j)`` locates the j-th)."""
    out: list[list[dict[str, Any]]] = []
    for j, text in enumerate(texts):
        out.extend(compiler.token_patterns(text, rule, loc(j)))
    return out

"""Word classes (lexicons) visible to a set of rules, and the check that every reference resolves.

A rule's ``@name`` means, first, a lexicon its own pack declares under
``lexicons:``, then one from a shared lexicon file of the pack's language
(``rules/en/lexicons/*.yaml`` and lexicon files among the configured packs).
A pack may not redeclare a shared name: one word class has one home. Lexicons
may include other lexicons; a cycle is an error that names it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from tonecheck.errors import PackError
from tonecheck.packs import LoadedLexicon, LoadedRule
from tonecheck.patterns import Ref, parse, references

# Word classes the engine provides (compile.BUILTIN_CLASSES): always there, never declared.
BUILTIN = {"number": "any number, in digits or words: 4.9, 10,000, 3rd, twelve"}


@dataclass(frozen=True)
class Entries:
    """A lexicon's members, includes flattened: exact words and lemmas (every inflection)."""

    words: tuple[str, ...]
    lemmas: tuple[str, ...]


def pattern_sources(rule: LoadedRule) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every pattern string of a rule, with its path inside the rule (for its line)."""
    for j, text in enumerate(rule.rule.patterns):
        yield ("patterns", j), text
    for j, text in enumerate(rule.rule.all_):
        yield ("all", j), text
    for k, entry in enumerate(rule.rule.unless):
        for j, text in enumerate(entry.patterns):
            yield ("unless", k, "patterns", j), text


class Lexicons:
    """The shared word classes of the loaded files, and lookups on behalf of a rule."""

    def __init__(self, shared: Iterable[LoadedLexicon] = ()):
        self.shared: dict[tuple[str, str], LoadedLexicon] = {}
        for lexicon in shared:
            _not_builtin(lexicon)
            key = (lexicon.language, lexicon.name)
            first = self.shared.get(key)
            if first is not None and first is not lexicon:
                raise PackError(
                    lexicon.path, lexicon.line,
                    f"lexicon `{lexicon.name}` is already declared in {first.path}:{first.line}; "
                    "shared lexicon names are common to all packs, so rename one or merge them",
                    field=f"lexicons.{lexicon.name}",
                )
            self.shared[key] = lexicon

    def __iter__(self) -> Iterator[LoadedLexicon]:
        return iter(self.shared.values())

    def key(self) -> tuple[LoadedLexicon, ...]:
        return tuple(self.shared[k] for k in sorted(self.shared))

    # Equal when they hold the same loaded lexicons (files are cached per
    # mtime), so rules compiled for one Linter are reused by the next.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lexicons) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def lookup(
        self, name: str, *, language: str, own: Mapping[str, LoadedLexicon] | None = None
    ) -> LoadedLexicon | None:
        if own and name in own:
            return own[name]
        return self.shared.get((language, name))

    def for_rule(self, name: str, rule: LoadedRule) -> LoadedLexicon | None:
        return self.lookup(name, language=rule.language, own=rule.lexicons)

    def names(self, language: str, own: Iterable[str] = ()) -> list[str]:
        return sorted({n for lang, n in self.shared if lang == language} | set(own) | set(BUILTIN))

    def entries(self, lexicon: LoadedLexicon, own: Mapping[str, LoadedLexicon] | None = None) -> Entries:
        """Members of ``lexicon`` and of everything it includes, in declaration order.

        ``own`` is the declaring pack's lexicons, which a pack lexicon may include
        besides the shared ones.
        """
        words: dict[str, None] = {}
        lemmas: dict[str, None] = {}
        self._collect(lexicon, own or {}, words, lemmas, [])
        return Entries(tuple(words), tuple(lemmas))

    def _collect(
        self, lexicon: LoadedLexicon, own: Mapping[str, LoadedLexicon], words: dict, lemmas: dict, chain: list[str]
    ) -> None:
        if lexicon.name in chain:
            cycle = " -> ".join([*chain[chain.index(lexicon.name):], lexicon.name])
            raise PackError(
                lexicon.path, lexicon.line,
                f"lexicons include each other in a circle ({cycle}); remove one `include`",
                field=f"lexicons.{lexicon.name}.include",
            )
        words.update(dict.fromkeys(lexicon.lexicon.words))
        lemmas.update(dict.fromkeys(lexicon.lexicon.lemmas))
        visible = own if lexicon.pack is not None else {}  # shared lexicons see only shared ones
        for name in lexicon.lexicon.include:
            found = self.lookup(name, language=lexicon.language, own=visible)
            if found is None:
                raise PackError(
                    lexicon.path, lexicon.line,
                    f"lexicon `{lexicon.name}` includes `{name}`, which is not declared"
                    f"{self._close(name, lexicon.language, visible)}",
                    field=f"lexicons.{lexicon.name}.include",
                )
            self._collect(found, visible, words, lemmas, [*chain, lexicon.name])

    def check_rules(self, rules: Sequence[LoadedRule]) -> None:
        """Every ``@name`` resolves, no pack shadows a shared name, and includes resolve without cycles."""
        for lexicon in self.shared.values():
            self.entries(lexicon)
        packs: dict[int, Mapping[str, LoadedLexicon]] = {id(r.lexicons): r.lexicons for r in rules}
        for own in packs.values():
            for lexicon in own.values():
                _not_builtin(lexicon)
                shared = self.shared.get((lexicon.language, lexicon.name))
                if shared is not None:
                    raise PackError(
                        lexicon.path, lexicon.line,
                        f"lexicon `{lexicon.name}` is already a shared lexicon ({shared.path}:{shared.line}); "
                        f"give yours another name, and `include: [{lexicon.name}]` to extend it",
                        field=f"lexicons.{lexicon.name}",
                    )
                self.entries(lexicon, own)
        for rule in rules:
            for loc, text in pattern_sources(rule):
                for ref in pattern_references(rule, text):
                    if ref.name not in BUILTIN and self.for_rule(ref.name, rule) is None:
                        raise PackError(
                            rule.path, rule.line_of(*loc),
                            f"in pattern `{text}` at `@{ref.name}` (character {ref.position + 1}): "
                            f"no lexicon `{ref.name}`{self._close(ref.name, rule.language, rule.lexicons)}; "
                            "declare it under the pack's `lexicons:` or in a shared lexicon file",
                            rule=rule.id, field=".".join(str(p) for p in loc),
                        )

    def _close(self, name: str, language: str, own: Mapping[str, LoadedLexicon] | None = None) -> str:
        close = difflib.get_close_matches(name, self.names(language, own or ()), n=3, cutoff=0.6)
        return f" (did you mean {', '.join(f'`@{c}`' for c in close)}?)" if close else ""


def _not_builtin(lexicon: LoadedLexicon) -> None:
    if lexicon.name in BUILTIN:
        raise PackError(
            lexicon.path, lexicon.line,
            f"`{lexicon.name}` is a built-in word class ({BUILTIN[lexicon.name]}); give yours another name",
            field=f"lexicons.{lexicon.name}",
        )


def rule_lexicons(rule: LoadedRule) -> list[str]:
    """The word classes a rule refers to, in order of first use."""
    names: dict[str, None] = {}
    for _, text in pattern_sources(rule):
        names.update(dict.fromkeys(ref.name for ref in pattern_references(rule, text)))
    return list(names)


def pattern_references(rule: LoadedRule, text: str) -> tuple[Ref, ...]:
    """The ``@name`` references of one of the rule's pattern strings (from the load, else parsed)."""
    found = rule.references.get(text)
    return found if found is not None else tuple(references(parse(text)))

"""Finding, loading and validating rule packs.

A pack error always names the file, the line, the rule id and the field, and says
what was expected, because the person reading it is editing YAML, not Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from spacy.matcher import DependencyMatcher
from spacy.schemas import validate_token_pattern
from spacy.vocab import Vocab

from tonecheck.cache import cached
from tonecheck.errors import Coded, Errors, PackError, SourceError, first_problem
from tonecheck.pattern_errors import dependency_problem, token_problems
from tonecheck.patterns import Ref, parse, references
from tonecheck.regex_safety import regex_problems
from tonecheck.schema import CORE_CATEGORIES, Lexicon, LexiconFile, Pack, Rule
from tonecheck.yamlsource import LocatedData, load_located

PACK_SUFFIXES = (".yaml", ".yml")
# Shared word classes live in files of their own, in a `lexicons/` folder of a language.
LEXICON_FOLDER = "lexicons"


@dataclass(frozen=True, eq=False)
class LoadedLexicon:
    """A word class with the file and line that declare it.

    ``pack`` is the pack that declares it for its own rules, or None for a
    shared lexicon file, whose word classes every pack of its language can use.
    """

    name: str
    lexicon: Lexicon
    path: Path
    line: int
    language: str
    pack: str | None = None


@dataclass(frozen=True, eq=False)
class LoadedRule:
    """A validated rule with the pack and file it came from.

    Compared by identity: packs are cached per file, so equal rules are the same object.
    ``lines`` holds the line of each part of the rule (keyed by its path inside
    the rule, e.g. ``("all", 1)``), so errors found later point at the right line.
    """

    rule: Rule
    pack: str
    path: Path
    line: int
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict)
    lexicons: Mapping[str, LoadedLexicon] = field(default_factory=dict)  # the pack's own
    language: str = "en"
    # Per pattern string, its `@name` references: worked out at load and cached with
    # the pack, so a warm start does not parse every pattern again to check them
    # (lexicons.py; 0.3 s of a cold start, measured). Missing: parsed when asked.
    references: Mapping[str, tuple[Ref, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.rule.id

    def line_of(self, *loc: str | int) -> int:
        """The line of the rule's part at ``loc`` (or of the nearest enclosing part)."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.line


@dataclass(frozen=True, eq=False)
class PackFile:
    """What one YAML file holds: a pack (rules and its own lexicons) or shared lexicons."""

    model: Pack | LexiconFile
    rules: tuple[LoadedRule, ...]
    lexicons: tuple[LoadedLexicon, ...]

    @property
    def shared(self) -> bool:
        return isinstance(self.model, LexiconFile)


def builtin_rules_dir() -> Path:
    """Where the shipped packs are: inside the wheel, or the repository's `rules/`."""
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def builtin_pack_paths() -> list[Path]:
    """Every shipped YAML file: the packs and the shared lexicon files."""
    return pack_files([builtin_rules_dir()])


def builtin_lexicon_paths() -> list[Path]:
    """The shipped shared lexicon files, usable by any pack even without the built-in rules."""
    return [p for p in builtin_pack_paths() if p.parent.name == LEXICON_FOLDER]


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into the pack files below them, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in PACK_SUFFIXES))
        elif path.exists():
            found.append(path)
        else:
            raise PackError(path, None, Errors.T201)
    return found


@lru_cache(maxsize=256)
def _load_cached(path: Path, mtime_ns: int) -> PackFile:
    return cached(path, lambda: _load(path))


def load_pack_file(path: Path) -> PackFile:
    """Load one pack or lexicon file; cached per process until the file changes on disk."""
    path = Path(path).resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise PackError(path, None, Errors.T202.format(detail=exc.strerror)) from exc
    return _load_cached(path, mtime)


def load_pack(path: Path) -> tuple[Pack | LexiconFile, tuple[LoadedRule, ...]]:
    """Load one pack: its model and its rules (a shared lexicon file has none)."""
    loaded = load_pack_file(path)
    return loaded.model, loaded.rules


def load_pack_text(text: str, path: Path | str = "<pack>") -> tuple[Pack | LexiconFile, tuple[LoadedRule, ...]]:
    """Load a pack from YAML text (tests and integrations that keep packs in a database)."""
    loaded = _load(Path(path), text)
    return loaded.model, loaded.rules


def load_pack_file_text(text: str, path: Path | str = "<pack>") -> PackFile:
    return _load(Path(path), text)


def _load(path: Path, text: str | None = None) -> PackFile:
    try:
        doc = load_located(path, text)
    except SourceError as exc:
        raise PackError(exc.path, exc.line, exc.detail, code=exc.code) from None
    if not isinstance(doc.data, dict):
        raise PackError(
            path, doc.line_of(()),
            "a rule pack is a mapping with `pack`, `version`, `language` and `rules` "
            "(a shared lexicon file: `language` and `lexicons`)",
        )
    shared = "lexicons" in doc.data and not {"pack", "rules"} & set(doc.data)
    # Top-level `x-...` keys are extension fields (as in Docker Compose): a place
    # for YAML anchors that rules merge in with `<<: *name`.
    data = {k: v for k, v in doc.data.items() if not (isinstance(k, str) and k.startswith("x-"))}
    try:
        model: Pack | LexiconFile = (LexiconFile if shared else Pack).model_validate(data)
    except ValidationError as exc:
        raise _located(exc, doc) from None
    lexicons = tuple(
        LoadedLexicon(name, lexicon, path, doc.key_lines.get(("lexicons", name), doc.line_of(("lexicons",))), model.language,
                      None if shared else model.pack)  # type: ignore[union-attr]
        for name, lexicon in model.lexicons.items()
    )
    if isinstance(model, LexiconFile):
        return PackFile(model, (), lexicons)
    _check_rules(model, doc)
    own = {lexicon.name: lexicon for lexicon in lexicons}
    loaded = tuple(
        LoadedRule(
            rule, model.pack, path, doc.line_of(("rules", i)),
            lines={key[2:]: line for key, line in doc.lines.items() if key[:2] == ("rules", i) and len(key) > 2},
            lexicons=own, language=model.language, references=_references(rule),
        )
        for i, rule in enumerate(model.rules)
    )
    return PackFile(model, loaded, lexicons)


def _references(rule: Rule) -> dict[str, tuple[Ref, ...]]:
    texts = [*rule.patterns, *rule.all_, *(text for entry in rule.unless for text in entry.patterns)]
    return {text: tuple(references(parse(text))) for text in texts}


def _located(exc: ValidationError, doc: LocatedData) -> PackError:
    """Turn pydantic's first error into one located, readable message (plus a count)."""
    first = first_problem(exc)
    loc = [part for part in first.loc if not (isinstance(part, str) and part.startswith(("function-", "literal[", "int", "str")))]
    # pydantic names the alias `pass`, matching the YAML.
    rule_id = _rule_id_at(doc.data, loc)
    field = _field_name(loc)
    message = Errors.T200.format(message=first.message)
    bare = doc.bare_word(list(first.loc))
    if bare is not None and isinstance(first.input, bool):
        message = Errors.T205.format(word=bare, value=str(first.input).lower())
    elif first.type == "extra_forbidden":
        message = Errors.T203.format(key=loc[-1])
    elif first.type == "missing":
        message = Errors.T204.format(key=loc[-1])
    elif first.has_input and first.type != "value_error":
        message = Errors.T200.format(message=first.message + first.got())
    more = first.more
    if more:
        message = Coded(message + f" [and {more} more problem{'s' if more > 1 else ''} in this pack]", message.code)
    return PackError(doc.path, doc.line_of(loc), message, rule=rule_id, field=field)


def _rule_id_at(data: Any, loc: list[Any]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rule = data["rules"][loc[1]]
        except (KeyError, IndexError, TypeError):
            return None
        if isinstance(rule, dict):
            rule_id = rule.get("id")
            return str(rule_id) if rule_id is not None else f"#{loc[1] + 1} (no id)"
    return None


def _field_name(loc: list[Any]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rest = loc[2:]
    else:
        rest = loc
    return ".".join(str(p) for p in rest) or None


def _check_rules(pack: Pack, doc: LocatedData) -> None:
    """Checks that need the whole pack or spaCy: ids, categories, patterns."""
    categories = set(CORE_CATEGORIES) | set(pack.categories)
    seen: dict[str, int] = {}
    for i, rule in enumerate(pack.rules):
        at = ("rules", i)

        def fail(field: str, message: str, *sub: str | int) -> PackError:
            return PackError(doc.path, doc.line_of(at + (field, *sub)), message, rule=rule.id, field=field)

        if rule.id in seen:
            raise fail("id", Errors.T206.format(line=seen[rule.id]))
        seen[rule.id] = doc.line_of(at)
        if rule.category not in categories:
            raise fail("category", Errors.T207.format(category=rule.category, known=", ".join(sorted(categories))))
        for j, pattern in enumerate(rule.tokens):
            _check_token_pattern(pattern, lambda m, j=j: fail("tokens", m, j), doc, at + ("tokens", j))
        for k, entry in enumerate(rule.unless):
            for j, pattern in enumerate(entry.tokens):
                _check_token_pattern(
                    pattern, lambda m, k=k, j=j: fail("unless", m, k, "tokens", j), doc, at + ("unless", k, "tokens", j)
                )
        for j, pattern in enumerate(rule.dependency):
            try:
                DependencyMatcher(_VOCAB, validate=True).add("check", [pattern])
            except Exception as exc:  # spaCy raises ValueError or MatchPatternError
                raise fail("dependency", Errors.T210.format(detail=dependency_problem(exc, pattern)), j) from None
        # Whatever the rule format, no REGEX in it may backtrack catastrophically.
        for where, problem in regex_problems(doc.data["rules"][i]):
            raise fail(str(where[0]), problem, *where[1:])


_VOCAB = Vocab()


def _check_token_pattern(pattern: list[dict[str, Any]], fail: Any, doc: LocatedData, at: tuple) -> None:
    if not pattern:
        raise fail(Errors.T208)
    for key, word in doc.bare.items():
        # `{NORM: no}` is `{NORM: false}` to YAML; spaCy's complaint about it would not say why.
        if key[: len(at)] == at and not any(str(part).startswith(("IS_", "LIKE_")) for part in key[len(at):]):
            raise fail(Errors.T205.format(word=word, value="a boolean"))
    problems = validate_token_pattern(pattern)
    if problems:
        raise fail(Errors.T209.format(detail=token_problems(problems)))

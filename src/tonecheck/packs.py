"""Finding, loading and validating rule packs.

A pack error always names the file, the line, the rule id and the field, and says
what was expected, because the person reading it is editing YAML, not Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from spacy.matcher import DependencyMatcher
from spacy.schemas import validate_token_pattern
from spacy.vocab import Vocab

from tonecheck.cache import cached
from tonecheck.errors import PackError, SourceError
from tonecheck.schema import CORE_CATEGORIES, Pack, Rule
from tonecheck.yamlsource import LocatedData, load_located

PACK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, eq=False)
class LoadedRule:
    """A validated rule with the pack and file it came from.

    Compared by identity: packs are cached per file, so equal rules are the same object.
    """

    rule: Rule
    pack: str
    path: Path
    line: int

    @property
    def id(self) -> str:
        return self.rule.id


def builtin_rules_dir() -> Path:
    """Where the shipped packs are: inside the wheel, or the repository's `rules/`."""
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def builtin_pack_paths() -> list[Path]:
    return pack_files([builtin_rules_dir()])


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into the pack files below them, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in PACK_SUFFIXES))
        elif path.exists():
            found.append(path)
        else:
            raise PackError(path, None, "no such rule pack file or directory")
    return found


@lru_cache(maxsize=256)
def _load_cached(path: Path, mtime_ns: int) -> tuple[Pack, tuple[LoadedRule, ...]]:
    return cached(path, lambda: _load(path))


def load_pack(path: Path) -> tuple[Pack, tuple[LoadedRule, ...]]:
    """Load one pack; cached per process until the file changes on disk."""
    path = Path(path).resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise PackError(path, None, f"cannot read rule pack: {exc.strerror}") from exc
    return _load_cached(path, mtime)


def load_pack_text(text: str, path: Path | str = "<pack>") -> tuple[Pack, tuple[LoadedRule, ...]]:
    """Load a pack from YAML text (tests and integrations that keep packs in a database)."""
    return _load(Path(path), text)


def _load(path: Path, text: str | None = None) -> tuple[Pack, tuple[LoadedRule, ...]]:
    try:
        doc = load_located(path, text)
    except SourceError as exc:
        raise PackError(exc.path, exc.line, exc.detail) from None
    if not isinstance(doc.data, dict):
        raise PackError(path, doc.line_of(()), "a rule pack is a mapping with `pack`, `version`, `language` and `rules`")
    try:
        pack = Pack.model_validate(doc.data)
    except ValidationError as exc:
        raise _located(exc, doc) from None
    _check_rules(pack, doc)
    loaded = tuple(
        LoadedRule(rule, pack.pack, path, doc.line_of(("rules", i))) for i, rule in enumerate(pack.rules)
    )
    return pack, loaded


def _located(exc: ValidationError, doc: LocatedData) -> PackError:
    """Turn pydantic's first error into one located, readable message (plus a count)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = [part for part in first["loc"] if not (isinstance(part, str) and part.startswith(("function-", "literal[", "int", "str")))]
    # pydantic names the alias `pass`, matching the YAML.
    rule_id = _rule_id_at(doc.data, loc)
    field = _field_name(loc)
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = f"unknown key `{loc[-1]}`; check the spelling against the rule format in the README"
    elif first["type"] == "missing":
        message = f"required key `{loc[-1]}` is missing"
    elif "input" in first and first["type"] not in ("missing",) and not isinstance(first["input"], (dict, list)):
        message += f" (got {first['input']!r})"
    more = len(errors) - 1
    if more:
        message += f" [and {more} more problem{'s' if more > 1 else ''} in this pack]"
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
            raise fail("id", f"duplicate rule id; it is already used on line {seen[rule.id]}")
        seen[rule.id] = doc.line_of(at)
        if rule.category not in categories:
            raise fail(
                "category",
                f"unknown category `{rule.category}`; use one of "
                + ", ".join(sorted(categories))
                + " or declare it under the pack's `categories:`",
            )
        for j, pattern in enumerate(rule.tokens):
            _check_token_pattern(pattern, lambda m, j=j: fail("tokens", m, j))
        for k, entry in enumerate(rule.unless):
            for j, pattern in enumerate(entry.tokens):
                _check_token_pattern(
                    pattern, lambda m, k=k, j=j: fail("unless", m, k, "tokens", j)
                )
        for j, pattern in enumerate(rule.dependency):
            try:
                DependencyMatcher(_VOCAB, validate=True).add("check", [pattern])
            except Exception as exc:  # spaCy raises ValueError or MatchPatternError
                raise fail("dependency", f"invalid dependency pattern: {_one_line(exc)}", j) from None


_VOCAB = Vocab()


def _check_token_pattern(pattern: list[dict[str, Any]], fail: Any) -> None:
    if not pattern:
        raise fail("empty token pattern; give a list of token specs such as `- {LOWER: only}`")
    problems = validate_token_pattern(pattern)
    if problems:
        raise fail("invalid token pattern: " + "; ".join(p.replace("[pattern -> ", "[token ") for p in problems))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())

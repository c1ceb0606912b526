"""The rule-pack format: pydantic models that a YAML pack must satisfy.

Every model forbids unknown keys, so a typo such as ``severty:`` is an error that
names the field instead of a rule that silently keeps its default.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from tonecheck.patterns import NAME, PatternSyntaxError, parse

CORE_CATEGORIES: tuple[str, ...] = ("denigrating", "isolating", "liability", "inflammatory")

RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$")
CATEGORY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    hint = "hint"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.error: 3, Severity.warning: 2, Severity.info: 1, Severity.hint: 0}

MatchAttr = Literal["lower", "norm", "lemma"]
TokenPattern = list[dict[str, Any]]
# Where parts of a co-occurrence, or a veto, must sit: a clause, a sentence, or N tokens.
Scope = Literal["clause", "sentence"] | Annotated[int, Field(ge=1, le=50)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_pattern(text: str) -> str:
    try:
        parse(text)
    except PatternSyntaxError as exc:
        raise ValueError(exc.render()) from None
    return text


def _check_entry(word: str) -> str:
    if not word.strip():
        raise ValueError("an empty entry matches nothing; remove it")
    return word


# Validated one by one, so an error points at the line of the offending string.
PatternText = Annotated[str, AfterValidator(_check_pattern)]
Entry = Annotated[str, AfterValidator(_check_entry)]


class Lexicon(_Strict):
    """A word class: words (exact forms), lemmas (every inflection) and other word classes.

    Entries may be phrases of several words ("pick up the tab"). Matching is on
    the normalised form, as for phrases, so contractions, spelling variants and
    common typos match alike.
    """

    description: str | None = None
    words: list[Entry] = []
    lemmas: list[Entry] = []
    include: list[str] = []

    @field_validator("include")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not NAME.fullmatch(name.removeprefix("@")):
                raise ValueError(f"`{name}` is not a lexicon name (lower-case words joined by `-`)")
        return [name.removeprefix("@") for name in value]

    @model_validator(mode="after")
    def _not_empty(self) -> Lexicon:
        if not (self.words or self.lemmas or self.include):
            raise ValueError("a lexicon needs `words`, `lemmas` or `include`")
        return self


def _check_lexicon_names(value: dict[str, Lexicon]) -> dict[str, Lexicon]:
    for name in value:
        if not NAME.fullmatch(str(name)):
            raise ValueError(f"lexicon name `{name}` must be lower-case words joined by '-', e.g. `company-self`")
    return value


class Unless(_Strict):
    """A veto: when one of these patterns is found near a match, the match is dropped.

    ``within: sentence`` looks anywhere in the sentence of the match; a number N
    accepts a veto that begins from N tokens before the match up to the match's
    last token (it may extend past the match), never before the sentence start.
    ``before: N`` accepts one that begins in the N tokens before the match only, so
    a negation that is part of the matched idea ("hardly worth it") does not
    cancel it while one in front of it ("not only a minor issue") does.
    """

    phrases: list[str] = []
    tokens: list[TokenPattern] = []
    patterns: list[PatternText] = []
    match: MatchAttr = "norm"
    within: Literal["clause", "sentence"] | Annotated[int, Field(ge=0, le=50)] = "sentence"
    after: Annotated[int, Field(ge=1, le=50)] | None = None
    before: Annotated[int, Field(ge=1, le=50)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # `unless: ["@negation"]` is a pattern with the default scope.
        return {"patterns": [value]} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _has_a_pattern(self) -> Unless:
        if not (self.phrases or self.tokens or self.patterns):
            raise ValueError("an `unless` entry needs `patterns`, `phrases` or `tokens`")
        given = [key for key in ("within", "after", "before") if key in self.model_fields_set]
        if len(given) > 1:
            raise ValueError(
                "give one of `within` (where before or around the finding the veto may begin), "
                "`after` (within N tokens after it) or `before` (within N tokens before it), "
                f"not {' and '.join(f'`{key}`' for key in given)}"
            )
        return self

    @property
    def scope(self) -> str | int | tuple[str, int]:
        """Where the veto may begin: a clause, a sentence, N tokens around, ("after", N) or ("before", N)."""
        if self.after is not None:
            return ("after", self.after)
        if self.before is not None:
            return ("before", self.before)
        return self.within


class Suggestions(_Strict):
    replace: list[str] = []
    advice: str | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Suggestions:
        if not self.replace and not self.advice:
            raise ValueError("give at least one `replace` text or an `advice` sentence")
        return self


class FlagExample(_Strict):
    """A flagged example with the sentence it becomes when the first `replace` suggestion is applied."""

    text: str
    fixed: str


class Examples(_Strict):
    flag: Annotated[list[str | FlagExample], Field(min_length=2)]
    pass_: Annotated[list[str], Field(min_length=2, alias="pass")]

    @property
    def flag_texts(self) -> list[str]:
        return [e.text if isinstance(e, FlagExample) else e for e in self.flag]

    @property
    def fixes(self) -> dict[str, str]:
        """Flag example -> the sentence it should become with the first replacement."""
        return {e.text: e.fixed for e in self.flag if isinstance(e, FlagExample)}


class Rule(_Strict):
    id: str
    category: str
    severity: Severity
    message: str
    explanation: str
    phrases: list[str] = []
    patterns: list[PatternText] = []
    all_: list[PatternText] = Field(default=[], alias="all")
    within: Scope | None = None
    order: Literal["any", "given"] = "any"
    tokens: list[TokenPattern] = []
    dependency: list[list[dict[str, Any]]] = []
    match: MatchAttr = "norm"
    requires: list[Literal["parser", "tagger", "morphologizer", "ner"]] = []
    unless: list[Unless] = []
    suggestions: Suggestions
    examples: Examples
    aliases: list[str] = []

    @field_validator("id")
    @classmethod
    def _dotted_id(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(
                "a rule id is lower-case, dotted and has at least two parts, "
                "for example `isolating.only-one`"
            )
        return value

    @field_validator("message")
    @classmethod
    def _message_placeholders(cls, value: str) -> str:
        unknown = set(re.findall(r"\{([^{}]*)\}", value)) - {"match"}
        if unknown:
            raise ValueError(
                f"the message may only use the placeholder {{match}}, not "
                + ", ".join(f"{{{name}}}" for name in sorted(unknown))
            )
        return value

    @model_validator(mode="after")
    def _has_a_pattern(self) -> Rule:
        if not (self.phrases or self.patterns or self.all_ or self.tokens or self.dependency):
            raise ValueError("a rule needs at least one of `patterns`, `all`, `phrases`, `tokens` or `dependency`")
        if len(self.all_) == 1:
            raise ValueError("`all` lists the parts that must occur together, at least two; for one, use `patterns`")
        if not self.all_ and (self.within is not None or self.order != "any"):
            raise ValueError("`within` and `order` say where the parts of `all` must sit; this rule has no `all`")
        return self

    @property
    def fix_tested(self) -> bool:
        """Every flag example says what the first replacement makes of it (`fixed:`), so the
        replacement is tested to give that sentence (test-rules) and editors may prefer it."""
        return bool(self.suggestions.replace) and len(self.examples.fixes) == len(self.examples.flag)

    @property
    def scope(self) -> str | int:
        """Where the parts of ``all`` must sit (default: one clause)."""
        return "clause" if self.within is None else self.within

    @property
    def needs(self) -> frozenset[str]:
        """Pipeline features this rule cannot run without."""
        extra = {"parser"} if self.dependency else set()
        return frozenset(self.requires) | extra


class Pack(_Strict):
    pack: str
    version: str
    language: str
    description: str | None = None
    categories: dict[str, str] = {}
    lexicons: dict[str, Lexicon] = {}
    rules: list[Rule]

    check_lexicon_names = field_validator("lexicons")(_check_lexicon_names)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # `version: 1.0` is a float to YAML; packs mean the text.
        return str(value) if isinstance(value, (int, float)) else value

    @field_validator("categories")
    @classmethod
    def _category_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not CATEGORY_ID.match(name):
                raise ValueError(f"category id `{name}` must be lower-case words joined by '-'")
            if name in CORE_CATEGORIES:
                raise ValueError(f"`{name}` is a core category; only declare extra ones here")
        return value


class LexiconFile(_Strict):
    """A file of shared word classes (no rules), usable by every pack of its language."""

    language: str
    description: str | None = None
    lexicons: dict[str, Lexicon]

    check_lexicon_names = field_validator("lexicons")(_check_lexicon_names)

"""The rule-pack format: pydantic models that a YAML pack must satisfy.

Every model forbids unknown keys, so a typo such as ``severty:`` is an error that
names the field instead of a rule that silently keeps its default.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CORE_CATEGORIES: tuple[str, ...] = ("denigrating", "isolating", "liability", "inflammatory")

RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$")
CATEGORY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Pipeline components a rule may declare it needs; the default blank pipeline has
# none of them, so such rules only run under a trained `model:`.
PIPELINE_FEATURES = ("parser", "tagger", "morphologizer", "ner")


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unless(_Strict):
    """A veto: when one of these patterns is found near a match, the match is dropped.

    ``within: sentence`` looks anywhere in the sentence of the match; a number N
    accepts a veto that begins from N tokens before the match up to the match's
    last token (it may extend past the match), never before the sentence start.
    """

    phrases: list[str] = []
    tokens: list[TokenPattern] = []
    match: MatchAttr = "norm"
    within: Literal["sentence"] | Annotated[int, Field(ge=0, le=50)] = "sentence"

    @model_validator(mode="after")
    def _has_a_pattern(self) -> Unless:
        if not self.phrases and not self.tokens:
            raise ValueError("an `unless` entry needs `phrases` or `tokens`")
        return self


class Suggestions(_Strict):
    replace: list[str] = []
    advice: str | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Suggestions:
        if not self.replace and not self.advice:
            raise ValueError("give at least one `replace` text or an `advice` sentence")
        return self


class Examples(_Strict):
    flag: Annotated[list[str], Field(min_length=2)]
    pass_: Annotated[list[str], Field(min_length=2, alias="pass")]


class Rule(_Strict):
    id: str
    category: str
    severity: Severity
    message: str
    explanation: str
    phrases: list[str] = []
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
        if not (self.phrases or self.tokens or self.dependency):
            raise ValueError("a rule needs at least one of `phrases`, `tokens` or `dependency`")
        return self

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
    rules: list[Rule]

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

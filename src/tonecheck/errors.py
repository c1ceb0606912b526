"""Errors a user can act on: each names the file, the line and what to change.

Pack and configuration errors are coded, in the way of spaCy's ``errors.py``:
``Errors`` is the catalogue, one message per code saying what is wrong and what
to do. The error keeps its code in ``.code``, and the command line prints it
after the message (``... [T203]``, ``SourceError.with_code``) so a user can
look it up; ``str(error)`` stays the message alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


class Coded(str):
    """A catalogue message that knows its code (``Errors.T203``); ``format`` keeps it."""

    code: str

    def __new__(cls, text: str, code: str) -> Coded:
        message = super().__new__(cls, text)
        message.code = code
        return message

    def format(self, *args: Any, **kwargs: Any) -> Coded:
        return Coded(str.format(self, *args, **kwargs), self.code)


class _WithCodes(type):
    def __getattribute__(cls, name: str) -> Any:
        value = super().__getattribute__(name)
        if name[:1] == "T" and name[1:].isdigit():
            return Coded(value, name)
        return value


class Errors(metaclass=_WithCodes):
    """Pack and configuration errors: what is wrong, then what to do."""

    # -- configuration --------------------------------------------------------------
    T101 = "unknown setting `{name}`; known settings: {known}"
    T102 = "a configuration file is a mapping of settings (see the README)"
    T103 = "invalid TOML: {detail}"
    T104 = "cannot read configuration: {detail}"
    T105 = "configuration file not found"
    T106 = "`{entry}` names no rule, rule prefix or category; run `tonecheck rules` to list them"
    T107 = "unknown input format `{name}`; use one of {known}"
    T108 = "unknown value `{value}`; use `raise` or `report`"
    T109 = "{entry!r} is not a rule id, prefix or category; an empty entry would turn off every rule"
    T110 = "{message}{got}"  # a value of the wrong type or out of range: pydantic says which
    # -- packs ------------------------------------------------------------------------
    T200 = "{message}"  # a value the rule format does not allow: pydantic says which
    T201 = "no such rule pack file or directory"
    T202 = "cannot read rule pack: {detail}"
    T203 = "unknown key `{key}`; check the spelling against the rule format in the README"
    T204 = "required key `{key}` is missing"
    T205 = "YAML reads a bare `{word}` as {value}; quote it (`\"{word}\"`) where a word is meant"
    T206 = "duplicate rule id; it is already used on line {line}"
    T207 = "unknown category `{category}`; use one of {known} or declare it under the pack's `categories:`"
    T208 = "empty token pattern; give a list of token specs such as `- {{LOWER: only}}`"
    T209 = "invalid token pattern: {detail}"
    T210 = "invalid dependency pattern: {detail}"
    T211 = (
        "rule id `{rule}` is already defined in {where}; "
        "rule ids must be unique across all loaded packs"
    )


class TonecheckError(Exception):
    """Base class for every error tonecheck reports without a traceback."""


class SourceError(TonecheckError):
    """A problem in a user-supplied file (rule pack or configuration)."""

    def __init__(
        self,
        path: Path | str | None,
        line: int | None,
        message: str,
        *,
        rule: str | None = None,
        field: str | None = None,
        code: str | None = None,
    ):
        self.path = str(path) if path is not None else None
        self.line = line
        self.rule = rule
        self.field = field
        self.code = code or getattr(message, "code", None)
        self.detail = str(message)
        super().__init__(self.render())

    def render(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where += f":{self.line}"
        parts = []
        if self.rule:
            parts.append(f"rule `{self.rule}`")
        if self.field:
            parts.append(f"field `{self.field}`")
        context = (", ".join(parts) + ": ") if parts else ""
        # Without a file (keyword arguments, defaults) the field alone says where.
        return f"{where}: {context}{self.detail}" if where else f"{context}{self.detail}"

    def with_code(self) -> str:
        """The message with its code at the end (``... [T203]``), as the command line prints it."""
        return f"{self} [{self.code}]" if self.code else str(self)


class PackError(SourceError):
    """A rule pack that cannot be loaded."""


class ConfigError(SourceError):
    """A configuration file or option that cannot be used."""


class PipelineError(TonecheckError):
    """The requested spaCy pipeline cannot be loaded."""


class InputError(TonecheckError):
    """An input that cannot be linted: a file that is unreadable, binary, not UTF-8
    or not a regular file, or an API argument that is not text.

    ``path`` names it (a file, ``-``, ``text``, or ``texts[3]`` for item 3 of a
    ``check_many`` batch, whose position is also ``index``).
    """

    def __init__(self, path: str, message: str, *, index: int | None = None):
        self.path = path
        self.detail = message
        self.index = index
        super().__init__(f"{path}: {message}")



@dataclass(frozen=True)
class FieldProblem:
    """pydantic's first validation error, flattened: where it is, what is wrong, how many more.

    The one place a ``ValidationError`` becomes a located message; packs,
    configuration files, editor settings and labeled data all read it.
    """

    loc: tuple[Any, ...]
    type: str
    message: str  # pydantic's message, without its "Value error, " prefix
    input: Any
    has_input: bool
    more: int  # the other problems pydantic found

    @property
    def field(self) -> str:
        return ".".join(str(part) for part in self.loc)

    def got(self) -> str:
        """`` (got VALUE)`` for a value worth quoting (not a whole mapping or list), else empty."""
        return "" if isinstance(self.input, (dict, list)) else f" (got {self.input!r})"


def first_problem(exc: ValidationError) -> FieldProblem:
    errors = exc.errors(include_url=False)
    first = errors[0]
    return FieldProblem(
        loc=tuple(first["loc"]),
        type=first["type"],
        message=first["msg"].removeprefix("Value error, "),
        input=first.get("input"),
        has_input="input" in first,
        more=len(errors) - 1,
    )

"""Errors a user can act on: each names the file, the line and what to change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


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
    ):
        self.path = str(path) if path is not None else None
        self.line = line
        self.rule = rule
        self.field = field
        self.detail = message
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

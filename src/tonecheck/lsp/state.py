"""What the server knows about each open document, behind methods.

The version the client last sent, the latest lint result, the failure last
reported and the notes already told: the feature modules ask and tell through
these methods, never through the dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from tonecheck.lsp.convert import PositionMap
from tonecheck.models import Finding


@dataclass(frozen=True)
class Result:
    """The lint of one document version under one configuration generation."""

    version: int | None
    generation: int
    positions: PositionMap
    findings: list[Finding]
    diagnostics: list[types.Diagnostic]

    @property
    def result_id(self) -> str:
        return f"{self.generation}:{self.version}"


class OpenDocuments:
    def __init__(self) -> None:
        self._versions: dict[str, int | None] = {}
        self._results: dict[str, Result] = {}
        self._failures: dict[str, str] = {}
        self._told: dict[str, set[str]] = {}

    def open(self, uri: str, version: int | None) -> None:
        self._versions[uri] = version

    def change(self, uri: str, version: int | None) -> bool:
        """Record a new version of an open document; False when it is not open."""
        if uri not in self._versions:
            return False
        self._versions[uri] = version
        return True

    def close(self, uri: str) -> None:
        """Forget everything about ``uri`` (a lint still running sees it is closed)."""
        self._versions.pop(uri, None)
        self._results.pop(uri, None)
        self._failures.pop(uri, None)
        self._told.pop(uri, None)

    def is_open(self, uri: str) -> bool:
        return uri in self._versions

    def is_current(self, uri: str, version: int | None) -> bool:
        """Whether ``uri`` is open at ``version`` (a lint of an older one is stale)."""
        return uri in self._versions and self._versions[uri] == version

    def uris(self) -> list[str]:
        return list(self._versions)

    def result(self, uri: str, version: int | None, generation: int) -> Result | None:
        """The stored result, if it is of this version and configuration generation."""
        result = self._results.get(uri)
        if result is not None and result.version == version and result.generation == generation:
            return result
        return None

    def store(self, uri: str, result: Result) -> None:
        self._results[uri] = result
        self._failures.pop(uri, None)

    def succeeded(self, uri: str) -> None:
        self._failures.pop(uri, None)

    def failed(self, uri: str, summary: str) -> bool:
        """Record a failure; True when it is new (to be shown once, not on every keystroke)."""
        if self._failures.get(uri) == summary:
            return False
        self._failures[uri] = summary
        return True

    def first_telling(self, uri: str, text: str) -> bool:
        """True the first time ``text`` is said about ``uri`` while it stays open."""
        told = self._told.setdefault(uri, set())
        if text in told:
            return False
        told.add(text)
        return True


def overlaps(a: types.Range, b: types.Range) -> bool:
    start_a, end_a = (a.start.line, a.start.character), (a.end.line, a.end.character)
    start_b, end_b = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return start_a <= end_b and start_b <= end_a

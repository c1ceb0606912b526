"""The result model every front end shares: findings and reports.

These models are the public, versioned shape of tonecheck's output. Changing a
field name or meaning needs a new ``SCHEMA_VERSION`` (documented in the README, "JSON output").
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from tonecheck.schema import Severity

SCHEMA_VERSION = 1


class Finding(BaseModel):
    """One problem in a text. Offsets are 0-based characters (code points), end exclusive."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="Dotted rule id, e.g. `isolating.only-one`.")
    category: str = Field(description="`denigrating`, `isolating`, `liability`, `inflammatory` or a pack's own.")
    severity: Severity
    message: str
    start: int = Field(ge=0, description="Offset of the first character of the match.")
    end: int = Field(ge=0, description="Offset just past the match: text[start:end] == match.")
    line: int = Field(ge=1, description="1-based line of `start`.")
    column: int = Field(ge=1, description="1-based column of `start`, in characters.")
    end_line: int = Field(ge=1)
    end_column: int = Field(ge=1, description="1-based column just past the match.")
    match: str
    suggestions: list[str] = Field(default_factory=list, description="Replacement texts for the matched span.")
    advice: str | None = Field(default=None, description="How to rewrite, when a replacement alone is not enough.")
    explanation: str = Field(description="Why this phrasing hurts the exchange.")
    fix_tested: bool = Field(
        default=False,
        description="The first suggestion is tested on every example of the rule (`fixed:`), so an editor may apply it as the preferred fix.",
    )
    part: str | None = Field(
        default=None,
        description="E-mail only: the MIME part (`1.2`; `3/1.2` for message 3 of an mbox) whose decoded text "
        "the offsets point into, when it is not the file's own text. None: offsets point into the input.",
    )


class Report(BaseModel):
    """The findings for one text, sorted by position."""

    path: str | None = Field(default=None, description="File the text came from; `-` for stdin; None from the API.")
    findings: list[Finding] = Field(default_factory=list)
    error: str | None = Field(
        default=None,
        description='Why the text was not linted (check_many(on_error="report") on an item that is not text); None when it was.',
        # Only the API's carry-on mode sets it; the wire format shows it only then.
        exclude_if=lambda value: value is None,
    )

    def __bool__(self) -> bool:  # `if report:` reads as "has findings"
        return bool(self.findings)

    def at_or_above(self, level: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= level.rank]


class Tool(BaseModel):
    name: str = "tonecheck"
    version: str


class ReportDocument(BaseModel):
    """The versioned wire format: what `check --format json` prints and `POST /v1/check` returns.

    Documented in the README ("JSON output"); fields are only ever added within a
    ``schema_version``.
    """

    schema_version: int = SCHEMA_VERSION
    tool: Tool
    results: list[Report] = Field(description="One report per input, in input order.")

    @classmethod
    def of(cls, reports: Iterable[Report]) -> ReportDocument:
        from tonecheck import __version__  # the package imports this module first

        return cls(tool=Tool(version=__version__), results=list(reports))

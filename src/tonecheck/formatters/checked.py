"""What every formatter receives: the checked inputs, and the context saying how to print them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tonecheck.config import DOCS_URL
from tonecheck.models import Finding, Report
from tonecheck.packs import LoadedRule
from tonecheck.schema import Severity


@dataclass
class Checked:
    """One linted input: its report, the text it was linted from, and its fail level.

    ``parts`` holds the decoded text of each MIME part a finding names
    (e-mail), so its line can be shown.
    """

    report: Report
    text: str
    fail_on: str = "warning"
    parts: Mapping[str, str] = field(default_factory=dict)

    def failing(self, finding: Finding) -> bool:
        """Whether ``finding`` is at or above this input's fail level (it makes `check` exit 1)."""
        return self.fail_on != "never" and finding.severity.rank >= Severity(self.fail_on).rank


@dataclass
class Context:
    rules: dict[str, LoadedRule] = field(default_factory=dict)
    color: bool = False  # ANSI styles (the CLI decides: a terminal, NO_COLOR, FORCE_COLOR)
    quiet: bool = False  # only the findings: no source lines, suggestions or summary
    docs_url: str = DOCS_URL  # the `docs_url` setting: where each rule's documentation is


def display_path(item: Checked, finding: Finding | None = None) -> str:
    """The input's name, with the MIME part a finding is in (`mail.eml#1.2`)."""
    path = item.report.path or "-"
    return f"{path}#{finding.part}" if finding is not None and finding.part else path


def located_message(f: Finding) -> str:
    """The message, saying where it is when that is inside a decoded MIME part (formats located by file lines)."""
    if not f.part:
        return f.message
    return f"(MIME part {f.part}, line {f.line}, column {f.column}) {f.message}"


def file_name(item: Checked) -> str:
    """The input's name for the formats that need a file (stdin is `stdin`)."""
    return item.report.path if item.report.path not in (None, "-") else "stdin"

"""Output formats: pure functions from reports to text, chosen from ``FORMATTERS``.

Each formatter receives every checked input (so JSON and SARIF can list clean
files too) and returns the whole output; the CLI only prints it. ``Context``
says how (colour, quiet); a formatter never looks at the terminal itself.
One module per format; checked.py holds what they all receive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tonecheck.config import DOCS_URL
from tonecheck.formatters.checked import Checked, Context, display_path, file_name, located_message
from tonecheck.formatters.counts import format_statistics_json, format_statistics_text
from tonecheck.formatters.github import format_github
from tonecheck.formatters.gitlab import format_gitlab
from tonecheck.formatters.json_report import format_json
from tonecheck.formatters.sarif import format_sarif
from tonecheck.formatters.text import format_text
from tonecheck.formatters.xml_reports import format_checkstyle, format_junit

__all__ = [
    "DOCS_URL", "FORMATTERS", "STATISTICS", "Checked", "Context", "Formatter", "display_path", "file_name",
    "format_checkstyle", "format_github", "format_gitlab", "format_json", "format_junit", "format_sarif",
    "format_statistics_json", "format_statistics_text", "format_text", "located_message",
]

Formatter = Callable[[Sequence[Checked], Context], str]

FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
    "junit": format_junit,
    "checkstyle": format_checkstyle,
    "gitlab": format_gitlab,
}

# `--statistics` replaces the findings with counts, in the formats that suit a table.
STATISTICS: dict[str, Formatter] = {
    "text": format_statistics_text,
    "json": format_statistics_json,
}

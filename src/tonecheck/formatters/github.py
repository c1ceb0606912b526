"""GitHub Actions workflow commands: annotations on the pull request diff."""

from __future__ import annotations

from collections.abc import Sequence

from tonecheck.formatters.checked import Checked, Context, located_message
from tonecheck.schema import Severity


def _escape_property(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


_GITHUB_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "notice", Severity.hint: "notice"}


def format_github(checked: Sequence[Checked], context: Context) -> str:
    """GitHub Actions workflow commands: annotations on the pull request diff."""
    out = []
    for item in checked:
        for f in item.report.findings:
            props = [f"file={_escape_property(item.report.path or '-')}"]
            if not f.part:  # a decoded MIME part's lines are not the file's: annotate the file
                props += [f"line={f.line}", f"col={f.column}", f"endLine={f.end_line}", f"endColumn={f.end_column}"]
            props.append(f"title={_escape_property(f.rule)}")
            out.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape_data(located_message(f))}")
    return "".join(line + "\n" for line in out)

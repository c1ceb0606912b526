"""Output formats: pure functions from reports to text, chosen from ``FORMATTERS``.

Each formatter receives every checked input (so JSON and SARIF can list clean
files too) and returns the whole output; the CLI only prints it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tonecheck import __version__
from tonecheck.models import SCHEMA_VERSION, Report
from tonecheck.packs import LoadedRule
from tonecheck.schema import Severity

DOCS_URL = "https://github.com/tonecheck/tonecheck/blob/main/docs/rules.md"


@dataclass
class Checked:
    """One linted input: its report and the text it was linted from."""

    report: Report
    text: str


@dataclass
class Context:
    rules: dict[str, LoadedRule] = field(default_factory=dict)


def rule_url(rule_id: str) -> str:
    return f"{DOCS_URL}#{rule_id.replace('.', '')}"


def format_text(checked: Sequence[Checked], context: Context) -> str:
    """`path:line:col: severity rule message`, the line, a caret, the suggestions."""
    out: list[str] = []
    total = 0
    for item in checked:
        lines = item.text.splitlines()
        for f in item.report.findings:
            total += 1
            out.append(f"{item.report.path}:{f.line}:{f.column}: {f.severity.value} {f.rule} {f.message}")
            source = lines[f.line - 1] if f.line - 1 < len(lines) else ""
            gutter = str(f.line)
            width = (f.end_column - f.column) if f.end_line == f.line else len(source) - f.column + 1
            out.append(f"  {gutter} | {source}")
            out.append(f"  {' ' * len(gutter)} | {' ' * (f.column - 1)}{'^' * max(1, width)}")
            for suggestion in f.suggestions:
                # An empty replacement deletes the span (an unused suppression).
                out.append(f"  {' ' * len(gutter)} = try: {suggestion or 'delete it'}")
            if f.advice:
                out.append(f"  {' ' * len(gutter)} = help: {f.advice}")
            out.append("")
    if total:
        files = sum(1 for item in checked if item.report.findings)
        out.append(f"Found {total} problem{'s' if total != 1 else ''} in {files} input{'s' if files != 1 else ''}.")
        return "\n".join(out) + "\n"
    return ""


def format_json(checked: Sequence[Checked], context: Context) -> str:
    payload = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "tonecheck", "version": __version__},
        "results": [
            {"path": item.report.path, "findings": [f.model_dump(mode="json") for f in item.report.findings]}
            for item in checked
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


_SARIF_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note", Severity.hint: "note"}


def format_sarif(checked: Sequence[Checked], context: Context) -> str:
    """SARIF 2.1.0; columns are Unicode code points, declared via `columnKind`."""
    used = sorted({f.rule for item in checked for f in item.report.findings} | set(context.rules))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    rules = []
    for rule_id in used:
        loaded = context.rules.get(rule_id)
        entry: dict = {"id": rule_id, "helpUri": rule_url(rule_id)}
        if loaded is not None:
            rule = loaded.rule
            entry.update(
                shortDescription={"text": rule.message.replace("{match}", "…")},
                fullDescription={"text": rule.explanation.strip()},
                defaultConfiguration={"level": _SARIF_LEVEL[rule.severity]},
                properties={"category": rule.category, "pack": loaded.pack},
            )
        rules.append(entry)
    results = []
    for item in checked:
        uri = item.report.path if item.report.path not in (None, "-") else "stdin"
        for f in item.report.findings:
            result: dict = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri},
                            "region": {
                                "startLine": f.line,
                                "startColumn": f.column,
                                "endLine": f.end_line,
                                "endColumn": f.end_column,
                                "charOffset": f.start,
                                "charLength": f.end - f.start,
                                "snippet": {"text": f.match},
                            },
                        }
                    }
                ],
                "properties": {"category": f.category},
            }
            if f.suggestions:
                result["fixes"] = [
                    {
                        "description": {"text": f"Replace with “{s}”"},
                        "artifactChanges": [
                            {
                                "artifactLocation": {"uri": uri},
                                "replacements": [
                                    {
                                        "deletedRegion": {"charOffset": f.start, "charLength": f.end - f.start},
                                        "insertedContent": {"text": s},
                                    }
                                ],
                            }
                        ],
                    }
                    for s in f.suggestions
                ]
            results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tonecheck",
                        "version": __version__,
                        "informationUri": "https://github.com/tonecheck/tonecheck",
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


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
            props = [
                f"file={_escape_property(item.report.path or '-')}",
                f"line={f.line}",
                f"col={f.column}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_column}",
                f"title={_escape_property(f.rule)}",
            ]
            out.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape_data(f.message)}")
    return "".join(line + "\n" for line in out)


Formatter = Callable[[Sequence[Checked], Context], str]

FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
}

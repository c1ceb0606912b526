"""Output formats: pure functions from reports to text, chosen from ``FORMATTERS``.

Each formatter receives every checked input (so JSON and SARIF can list clean
files too) and returns the whole output; the CLI only prints it. ``Context``
says how (colour, quiet); a formatter never looks at the terminal itself.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tonecheck import __version__
from tonecheck.config import DOCS_URL
from tonecheck.models import Finding, Report, ReportDocument
from tonecheck.packs import LoadedRule
from tonecheck.ruledoc import rule_url, short_description
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


# -- text -----------------------------------------------------------------------

_SEVERITY_STYLE = {Severity.error: "bold red", Severity.warning: "bold yellow", Severity.info: "bold blue", Severity.hint: "bold cyan"}

Line = list[tuple[str, str]]  # (text, rich style) segments of one output line


def _render(lines: list[Line], color: bool) -> str:
    if not color:
        return "".join("".join(text for text, _ in line) + "\n" for line in lines)
    from rich.console import Console  # only when colour is on: rich costs import time
    from rich.text import Text

    console = Console(file=io.StringIO(), force_terminal=True, color_system="standard",
                      width=1 << 20, highlight=False, emoji=False, markup=False)
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(part, style=style or None)
        console.print(text, soft_wrap=True)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def format_text(checked: Sequence[Checked], context: Context) -> str:
    """`path:line:col: severity rule message`, the line, a caret, the suggestions."""
    out: list[Line] = []
    total = 0
    for item in checked:
        lines = item.text.splitlines()
        for f in item.report.findings:
            total += 1
            out.append([
                (display_path(item, f), "bold"), (f":{f.line}:{f.column}: ", ""),
                (f.severity.value, _SEVERITY_STYLE[f.severity]), (" ", ""), (f.rule, "magenta"), (f" {f.message}", ""),
            ])
            if context.quiet:
                continue
            source_lines = item.parts[f.part].splitlines() if f.part and f.part in item.parts else lines
            source = source_lines[f.line - 1] if f.line - 1 < len(source_lines) else ""
            gutter = str(f.line)
            pad = " " * len(gutter)
            width = (f.end_column - f.column) if f.end_line == f.line else len(source) - f.column + 1
            out.append([(f"  {gutter} | ", "dim"), (source, "")])
            out.append([(f"  {pad} | ", "dim"), (" " * (f.column - 1), ""), ("^" * max(1, width), "bold red")])
            for suggestion in f.suggestions:
                # An empty replacement deletes the span (an unused suppression).
                out.append([(f"  {pad} = ", "dim"), ("try: ", "bold green"), (suggestion or "delete it", "green")])
            if f.advice:
                out.append([(f"  {pad} = ", "dim"), ("help: ", "bold"), (f.advice, "")])
            out.append([])
    if total and not context.quiet:
        files = sum(1 for item in checked if item.report.findings)
        out.append([(f"Found {total} problem{'s' if total != 1 else ''} in {files} input{'s' if files != 1 else ''}.", "bold")])
    return _render(out, context.color) if out else ""


def format_json(checked: Sequence[Checked], context: Context) -> str:
    payload = ReportDocument.of(item.report for item in checked).model_dump(mode="json")
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


_SARIF_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note", Severity.hint: "note"}


def located_message(f: Finding) -> str:
    """The message, saying where it is when that is inside a decoded MIME part (formats located by file lines)."""
    if not f.part:
        return f.message
    return f"(MIME part {f.part}, line {f.line}, column {f.column}) {f.message}"


def format_sarif(checked: Sequence[Checked], context: Context) -> str:
    """SARIF 2.1.0; columns are Unicode code points, declared via `columnKind`."""
    used = sorted({f.rule for item in checked for f in item.report.findings} | set(context.rules))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    rules = []
    for rule_id in used:
        loaded = context.rules.get(rule_id)
        entry: dict = {"id": rule_id, "helpUri": rule_url(rule_id, context.docs_url)}
        if loaded is not None:
            rule = loaded.rule
            entry.update(
                shortDescription={"text": short_description(loaded)},
                fullDescription={"text": rule.explanation.strip()},
                defaultConfiguration={"level": _SARIF_LEVEL[rule.severity]},
                properties={"category": rule.category, "pack": loaded.pack},
            )
        rules.append(entry)
    results = []
    for item in checked:
        uri = item.report.path if item.report.path not in (None, "-") else "stdin"
        for f in item.report.findings:
            if f.part:
                # Lines of a decoded MIME part are not lines of the file: the result is on the file.
                results.append({
                    "ruleId": f.rule, "ruleIndex": index[f.rule], "level": _SARIF_LEVEL[f.severity],
                    "message": {"text": located_message(f)},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
                    "properties": {"category": f.category, "part": f.part, "match": f.match},
                })
                continue
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
            props = [f"file={_escape_property(item.report.path or '-')}"]
            if not f.part:  # a decoded MIME part's lines are not the file's: annotate the file
                props += [f"line={f.line}", f"col={f.column}", f"endLine={f.end_line}", f"endColumn={f.end_column}"]
            props.append(f"title={_escape_property(f.rule)}")
            out.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape_data(located_message(f))}")
    return "".join(line + "\n" for line in out)


# -- XML reports: JUnit and Checkstyle ---------------------------------------

# XML 1.0 cannot carry most control characters, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _XML_INVALID.sub("\ufffd", value)


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _file_name(item: Checked) -> str:
    return item.report.path if item.report.path not in (None, "-") else "stdin"


def format_junit(checked: Sequence[Checked], context: Context) -> str:
    """JUnit XML for CI test-report views (GitLab, Jenkins, Azure): one test suite per input.

    Each finding is a test case, failed when it is at or above the input's fail
    level (what makes `check` exit 1), passed with its message otherwise; a clean
    input is one passed test case, so it shows up as checked.
    """
    suites = ET.Element("testsuites", name="tonecheck")
    totals = Counter[str]()
    for item in checked:
        name = _file_name(item)
        suite = ET.SubElement(suites, "testsuite", name=name)
        failures = 0
        cases = 0
        for f in item.report.findings:
            cases += 1
            where = f"{display_path(item, f)}:{f.line}:{f.column}"
            case = ET.SubElement(suite, "testcase", classname=name, name=f"{f.rule} at {where}", time="0")
            detail = _xml_text(f"{where}: {f.severity.value} {f.rule} {f.message}\nmatch: {f.match}")
            if item.failing(f):
                failures += 1
                failure = ET.SubElement(case, "failure", message=_xml_text(f.message), type=f.severity.value)
                failure.text = detail
            else:
                ET.SubElement(case, "system-out").text = detail
        if not cases:
            cases = 1
            ET.SubElement(suite, "testcase", classname=name, name="tonecheck", time="0")
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0")
        totals["tests"] += cases
        totals["failures"] += failures
    for key in ("tests", "failures"):
        suites.set(key, str(totals[key]))
    suites.set("errors", "0")
    suites.set("time", "0")
    return _xml(suites)


_CHECKSTYLE_SEVERITY = {Severity.error: "error", Severity.warning: "warning", Severity.info: "info", Severity.hint: "info"}


def format_checkstyle(checked: Sequence[Checked], context: Context) -> str:
    """Checkstyle XML (Jenkins Warnings, reviewdog, SonarQube, Bitbucket): one `<file>` per input."""
    root = ET.Element("checkstyle", version="4.3")
    for item in checked:
        element = ET.SubElement(root, "file", name=_file_name(item))
        for f in item.report.findings:
            attributes = {"line": str(f.line), "column": str(f.column)} if not f.part else {"line": "1"}
            ET.SubElement(
                element, "error", **attributes, severity=_CHECKSTYLE_SEVERITY[f.severity],
                message=_xml_text(located_message(f)), source=f"tonecheck.{f.rule}",
            )
    return _xml(root)


# -- GitLab Code Quality -------------------------------------------------------------

_GITLAB_SEVERITY = {Severity.error: "critical", Severity.warning: "major", Severity.info: "minor", Severity.hint: "info"}


def format_gitlab(checked: Sequence[Checked], context: Context) -> str:
    """GitLab Code Quality (a Code Climate subset): a JSON array of issues shown on merge requests.

    The fingerprint hashes the path, the rule, the matched words and which
    occurrence of them it is, not the line: a finding keeps its identity when
    lines are added above it, so GitLab shows only findings a change introduced.
    """
    issues = []
    for item in checked:
        seen = Counter[tuple[str, str, str]]()
        path = _file_name(item)
        for f in item.report.findings:
            key = (f.part or "", f.rule, " ".join(f.match.split()).lower())
            seen[key] += 1
            fingerprint = hashlib.sha256("\0".join([path, *key, str(seen[key])]).encode()).hexdigest()
            if f.part:
                location = {"path": path, "lines": {"begin": 1}}
            else:
                location = {"path": path, "positions": {"begin": {"line": f.line, "column": f.column},
                                                        "end": {"line": f.end_line, "column": f.end_column}}}
            issues.append({
                "type": "issue",
                "check_name": f.rule,
                "description": located_message(f),
                "content": {"body": f.explanation},
                "categories": ["Style"],
                "fingerprint": fingerprint,
                "severity": _GITLAB_SEVERITY[f.severity],
                "location": location,
            })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


# -- statistics --------------------------------------------------------------


def _counts(checked: Sequence[Checked]) -> list[tuple[str, int, str]]:
    """(rule, count, severity) by descending count, then rule id."""
    counts = Counter(f.rule for item in checked for f in item.report.findings)
    severity = {f.rule: f.severity.value for item in checked for f in item.report.findings}
    return sorted(((rule, n, severity[rule]) for rule, n in counts.items()), key=lambda row: (-row[1], row[0]))


def format_statistics_text(checked: Sequence[Checked], context: Context) -> str:
    """`--statistics`: one line per rule that fired, most frequent first (as ruff prints them)."""
    rows = _counts(checked)
    if not rows:
        return ""
    count_width = max(len(str(n)) for _, n, _ in rows)
    rule_width = max(len(rule) for rule, _, _ in rows)
    lines: list[Line] = [
        [(f"{n:>{count_width}}", "bold"), ("  ", ""), (f"{rule:<{rule_width}}", "magenta"), ("  ", ""),
         (sev, _SEVERITY_STYLE[Severity(sev)])]
        for rule, n, sev in rows
    ]
    return _render(lines, context.color)


def format_statistics_json(checked: Sequence[Checked], context: Context) -> str:
    rows = [{"rule": rule, "count": n, "severity": sev} for rule, n, sev in _counts(checked)]
    return json.dumps(rows, indent=2) + "\n"


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

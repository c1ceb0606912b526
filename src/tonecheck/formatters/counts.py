"""`--statistics`: the number of findings per rule instead of the findings, as text or JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from tonecheck.formatters.checked import Checked, Context
from tonecheck.formatters.text import SEVERITY_STYLE, Line, render
from tonecheck.schema import Severity


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
         (sev, SEVERITY_STYLE[Severity(sev)])]
        for rule, n, sev in rows
    ]
    return render(lines, context.color)


def format_statistics_json(checked: Sequence[Checked], context: Context) -> str:
    rows = [{"rule": rule, "count": n, "severity": sev} for rule, n, sev in _counts(checked)]
    return json.dumps(rows, indent=2) + "\n"

"""Counts an audit keeps as it goes: bounded, mergeable, and the same however the rows were split.

Memory grows with the number of rules, group values and days, never with the
number of rows: the example replies kept for the report are the first
``EXAMPLES_PER_RULE`` per rule (by row), clipped to ``EXAMPLE_CHARS``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tonecheck.audit.records import Row

EXAMPLES_PER_RULE = 2
EXAMPLE_CHARS = 1200
SKIPPED_ROWS_KEPT = 5
NONE_GROUP = "(none)"


@dataclass
class Example:
    """A flagged reply kept for the report: its text (clipped) and the flagged spans in it."""

    row: int
    id: str | None
    text: str
    spans: list[tuple[int, int, str, str]]  # start, end, rule, category (offsets into `text`)
    clipped_before: bool = False
    clipped_after: bool = False
    groups: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Row, findings: list[Any]) -> Example:
        text = row.body or ""
        spans = [(f.start, f.end, f.rule, f.category) for f in findings]
        lo, hi = 0, len(text)
        if len(text) > EXAMPLE_CHARS:
            lo = max(0, spans[0][0] - EXAMPLE_CHARS // 4)
            hi = min(len(text), lo + EXAMPLE_CHARS)
        kept = [(s - lo, e - lo, r, c) for s, e, r, c in spans if s >= lo and e <= hi]
        return cls(row.row, row.id, text[lo:hi], kept, lo > 0, hi < len(text), dict(row.groups))

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row, "id": self.id, "text": self.text, "spans": [list(s) for s in self.spans],
            "clipped_before": self.clipped_before, "clipped_after": self.clipped_after, "groups": self.groups,
        }


@dataclass
class AuditSummary:
    rows: int = 0                   # rows read
    linted: int = 0                 # rows with a reply text
    flagged: int = 0                # linted rows with at least one finding
    findings: int = 0
    skipped: Counter = field(default_factory=Counter)                    # reason -> rows
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)     # reason -> first rows
    by_category: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    rule_category: dict[str, str] = field(default_factory=dict)
    # group column -> value -> linted replies / findings per category
    group_replies: dict[str, Counter] = field(default_factory=dict)
    group_findings: dict[str, dict[str, Counter]] = field(default_factory=dict)
    # day (YYYY-MM-DD, UTC) -> linted replies / findings per category
    day_replies: Counter = field(default_factory=Counter)
    day_findings: dict[str, Counter] = field(default_factory=dict)
    time_unreadable: int = 0        # linted rows whose time cell could not be read
    examples: dict[str, list[Example]] = field(default_factory=dict)   # rule -> first examples

    # -- adding -------------------------------------------------------------------

    def add(self, row: Row, findings: list[Any]) -> None:
        self.rows += 1
        if row.skipped:
            self.skipped[row.skipped] += 1
            kept = self.skipped_rows.setdefault(row.skipped, [])
            if len(kept) < SKIPPED_ROWS_KEPT:
                kept.append(row.row)
            return
        self.linted += 1
        day = row.time.strftime("%Y-%m-%d") if row.time else None
        if row.time_given and day is None:
            self.time_unreadable += 1
        if day:
            self.day_replies[day] += 1
        for column, value in row.groups.items():
            self.group_replies.setdefault(column, Counter())[value or NONE_GROUP] += 1
        if not findings:
            return
        self.flagged += 1
        self.findings += len(findings)
        example: Example | None = None
        for f in findings:
            self.by_category[f.category] += 1
            self.by_severity[f.severity.value] += 1
            self.by_rule[f.rule] += 1
            self.rule_category[f.rule] = f.category
            if day:
                self.day_findings.setdefault(day, Counter())[f.category] += 1
            for column, value in row.groups.items():
                self.group_findings.setdefault(column, {}).setdefault(value or NONE_GROUP, Counter())[f.category] += 1
            kept = self.examples.setdefault(f.rule, [])
            if len(kept) < EXAMPLES_PER_RULE and not any(e.row == row.row for e in kept):
                example = example or Example.of(row, findings)
                kept.append(example)

    def merge(self, other: AuditSummary) -> AuditSummary:
        """Add ``other`` (the counts of later rows) into this summary."""
        self.rows += other.rows
        self.linted += other.linted
        self.flagged += other.flagged
        self.findings += other.findings
        self.skipped.update(other.skipped)
        for reason, rows in other.skipped_rows.items():
            self.skipped_rows[reason] = sorted(self.skipped_rows.get(reason, []) + rows)[:SKIPPED_ROWS_KEPT]
        self.by_category.update(other.by_category)
        self.by_severity.update(other.by_severity)
        self.by_rule.update(other.by_rule)
        self.rule_category.update(other.rule_category)
        for column, counts in other.group_replies.items():
            self.group_replies.setdefault(column, Counter()).update(counts)
        for column, values in other.group_findings.items():
            mine = self.group_findings.setdefault(column, {})
            for value, counts in values.items():
                mine.setdefault(value, Counter()).update(counts)
        self.day_replies.update(other.day_replies)
        for day, counts in other.day_findings.items():
            self.day_findings.setdefault(day, Counter()).update(counts)
        self.time_unreadable += other.time_unreadable
        for rule, examples in other.examples.items():
            both = sorted(self.examples.get(rule, []) + examples, key=lambda e: e.row)
            self.examples[rule] = both[:EXAMPLES_PER_RULE]
        return self

    def shift_rows(self, offset: int) -> AuditSummary:
        """Renumber rows counted from 0 in a partition to their place in the archive."""
        if offset:
            self.skipped_rows = {k: [r + offset for r in v] for k, v in self.skipped_rows.items()}
            # One reply may be the example of several rules: shift each object once.
            unique = {id(e): e for examples in self.examples.values() for e in examples}
            for e in unique.values():
                e.row += offset
        return self

    # -- reading ------------------------------------------------------------------

    def per_thousand(self, count: int, replies: int | None = None) -> float:
        replies = self.linted if replies is None else replies
        return 1000.0 * count / replies if replies else 0.0

    def top_rules(self, n: int = 15) -> list[tuple[str, int]]:
        return sorted(self.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def top_groups(self, column: str, n: int = 15) -> list[tuple[str, int, Counter]]:
        """The ``n`` values of a group column with the most replies: (value, replies, findings per category)."""
        replies = self.group_replies.get(column, Counter())
        findings = self.group_findings.get(column, {})
        ranked = sorted(replies.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [(value, count, findings.get(value, Counter())) for value, count in ranked]

    def to_dict(self) -> dict[str, Any]:
        """Every count, in a JSON-ready form with sorted keys (two equal audits give equal dicts)."""

        def plain(counter: Counter) -> dict[str, int]:
            return dict(sorted(counter.items()))

        return {
            "rows": self.rows,
            "linted": self.linted,
            "flagged": self.flagged,
            "findings": self.findings,
            "findings_per_1000_replies": round(self.per_thousand(self.findings), 3),
            "skipped": plain(self.skipped),
            "skipped_rows": dict(sorted(self.skipped_rows.items())),
            "by_category": plain(self.by_category),
            "by_severity": plain(self.by_severity),
            "by_rule": plain(self.by_rule),
            "group_replies": {c: plain(v) for c, v in sorted(self.group_replies.items())},
            "group_findings": {
                c: {value: plain(counts) for value, counts in sorted(values.items())}
                for c, values in sorted(self.group_findings.items())
            },
            "day_replies": plain(self.day_replies),
            "day_findings": {d: plain(c) for d, c in sorted(self.day_findings.items())},
            "time_unreadable": self.time_unreadable,
            "examples": {r: [e.to_dict() for e in ex] for r, ex in sorted(self.examples.items())},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def render_text(summary: AuditSummary, *, source: str, outputs: dict[str, str] | None = None) -> str:
    """The summary printed at the end of `tonecheck audit`."""
    s = summary
    out = [f"tonecheck audit: {source}"]
    skipped = sum(s.skipped.values())
    why = ", ".join(f"{n:,} {reason}" for reason, n in sorted(s.skipped.items()))
    out.append(f"  rows       {s.rows:,} read, {s.linted:,} linted, {skipped:,} skipped" + (f" ({why})" if why else ""))
    for reason, rows in sorted(s.skipped_rows.items()):
        out.append(f"             {reason} rows (0-based) include {', '.join(map(str, rows))}")
    out.append(
        f"  findings   {s.findings:,} in {s.flagged:,} replies "
        f"({s.per_thousand(s.findings):.1f} per 1,000 replies)"
    )
    if s.by_category:
        out.append("  by category                count  per 1,000 replies")
        for category, n in sorted(s.by_category.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"    {category:<24} {n:>6,}  {s.per_thousand(n):>8.1f}")
    if s.by_rule:
        out.append("  top rules")
        for rule, n in s.top_rules(10):
            out.append(f"    {rule:<44} {n:>6,}")
    for column in s.group_replies:
        out.append(f"  by {column} (most replies first)          replies  findings  per 1,000")
        for value, replies, counts in s.top_groups(column, 10):
            n = sum(counts.values())
            out.append(f"    {value[:34]:<34} {replies:>8,}  {n:>8,}  {s.per_thousand(n, replies):>9.1f}")
    if s.day_replies:
        first, last = min(s.day_replies), max(s.day_replies)
        out.append(f"  time       {first} to {last}" + (f"; {s.time_unreadable:,} unreadable times" if s.time_unreadable else ""))
    elif s.time_unreadable:
        out.append(f"  time       no readable times ({s.time_unreadable:,} unreadable)")
    for label, path in (outputs or {}).items():
        out.append(f"  {label:<10} {path}")
    return "\n".join(out) + "\n"

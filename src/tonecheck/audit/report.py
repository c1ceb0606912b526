"""The audit report: one self-contained HTML file (inline CSS and SVG, no script, no network).

Everything that came from the archive (replies, group values, ids) is escaped
with ``html.escape`` before it reaches the page.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template

from tonecheck.audit import charts
from tonecheck.audit.records import AuditSpec
from tonecheck.audit.summary import AuditSummary, Example

TOP_RULES = 15
TOP_GROUPS = 15
EXAMPLE_RULES = 10
MAX_PERIODS = 62


def write_report(summary: AuditSummary, path: str | Path, *, spec: AuditSpec, source: str) -> Path:
    path = Path(path)
    path.write_text(render_report(summary, spec=spec, source=source), encoding="utf-8")
    return path


def render_report(summary: AuditSummary, *, spec: AuditSpec, source: str) -> str:
    from tonecheck import __version__

    template = Template(files("tonecheck.audit").joinpath("report.html").read_text(encoding="utf-8"))
    categories = charts.ordered_categories(list(summary.by_category))
    colors = {c: charts.category_color(c, categories) for c in categories}
    return template.substitute(
        version=escape(__version__),
        title=escape(Path(source).name),
        totals=_totals(summary),
        category_chart=_category_chart(summary, categories, colors),
        group_charts=_group_charts(summary, spec, categories, colors),
        time_chart=_time_chart(summary, spec, categories, colors),
        rules_chart=_rules_chart(summary, categories),
        examples=_examples(summary, categories),
        skipped=_skipped(summary),
    )


def _totals(s: AuditSummary) -> str:
    cells = [
        ("replies linted", f"{s.linted:,}"),
        ("findings", f"{s.findings:,}"),
        ("per 1,000 replies", f"{s.per_thousand(s.findings):,.1f}"),
        ("replies flagged", f"{s.flagged:,} ({100 * s.flagged / s.linted if s.linted else 0:.1f}%)"),
    ]
    return '<dl class="totals">' + "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in cells) + "</dl>"


def _category_chart(s: AuditSummary, categories: list[str], colors: dict[str, str]) -> str:
    items = [
        (c, s.per_thousand(s.by_category[c]), colors[c], f"{s.per_thousand(s.by_category[c]):.1f}  ({s.by_category[c]:,})")
        for c in categories
    ]
    return charts.hbar("category", "Findings per 1,000 replies by category", items, label_width=160)


def _group_charts(s: AuditSummary, spec: AuditSpec, categories: list[str], colors: dict[str, str]) -> str:
    if not spec.group_by:
        return '<p class="note">No group column was given (<code>--group-by COLUMN</code>).</p>'
    out = []
    for column in spec.group_by:
        groups = s.top_groups(column, TOP_GROUPS)
        rows = []
        for value, replies, counts in groups:
            segments = [(c, s.per_thousand(counts[c], replies)) for c in categories]
            total = s.per_thousand(sum(counts.values()), replies)
            rows.append((value, segments, f"{total:.1f}  ({replies:,} replies)"))
        shown = len(groups)
        of = len(s.group_replies.get(column, {}))
        more = f" (the {shown} with the most replies, of {of:,})" if of > shown else ""
        out.append(f"<h3>By {escape(column)}{more}</h3>")
        out.append(charts.stacked_hbar(f"group-{column}", f"Findings per 1,000 replies by {column}", rows, colors))
    return "\n".join(out)


def _periods(days: list[str]) -> tuple[str, callable]:
    """Choose day, week or month buckets so the chart has at most MAX_PERIODS points."""
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    span = (last - first).days + 1
    if span <= MAX_PERIODS:
        return "day", lambda d: d
    if span <= MAX_PERIODS * 7:
        return "week", lambda d: (date.fromisoformat(d) - timedelta(days=date.fromisoformat(d).weekday())).isoformat()
    if span <= MAX_PERIODS * 31:
        return "month", lambda d: d[:7]
    return "year", lambda d: d[:4]


def _time_chart(s: AuditSummary, spec: AuditSpec, categories: list[str], colors: dict[str, str]) -> str:
    if not spec.time_column:
        return '<p class="note">No time column was given (<code>--time-column COLUMN</code>).</p>'
    if not s.day_replies:
        return f'<p class="note">No readable times in <code>{escape(spec.time_column)}</code>.</p>'
    unit, bucket = _periods(sorted(s.day_replies))
    replies: Counter = Counter()
    found: dict[str, Counter] = {}
    for day, n in s.day_replies.items():
        replies[bucket(day)] += n
    for day, counts in s.day_findings.items():
        found.setdefault(bucket(day), Counter()).update(counts)
    periods = sorted(replies)
    if unit == "day":  # show quiet days as zero, not as a gap
        first, last = date.fromisoformat(periods[0]), date.fromisoformat(periods[-1])
        periods = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    series = {"all findings": [s.per_thousand(sum(found.get(p, Counter()).values()), replies[p]) for p in periods]}
    present = [c for c in categories if s.by_category[c]]
    for c in present:
        series[c] = [s.per_thousand(found.get(p, Counter())[c], replies[p]) for p in periods]
    line_colors = {"all findings": charts.TOTAL_COLOR, **{c: colors[c] for c in present}}
    note = f'<p class="note">Per {unit}, by <code>{escape(spec.time_column)}</code> (UTC).'
    if s.time_unreadable:
        note += f" {s.time_unreadable:,} replies had a time that could not be read and are left out."
    chart = charts.line_chart(
        "time", "Findings per 1,000 replies over time", periods, series, line_colors,
        volumes=[replies[p] for p in periods],
    )
    return note + "</p>\n" + chart


def _rules_chart(s: AuditSummary, categories: list[str]) -> str:
    items = [
        (rule, float(n), charts.category_color(s.rule_category[rule], categories),
         f"{n:,}  ({s.per_thousand(n):.1f} per 1,000)")
        for rule, n in s.top_rules(TOP_RULES)
    ]
    return charts.hbar("rules", "Most frequent rules", items, label_width=290)


def highlight(example: Example, categories: list[str]) -> str:
    """The reply text, escaped, with each flagged span (overlaps merged) in a <mark>."""
    text = example.text
    merged: list[list] = []  # [start, end, [rules], category]
    for start, end, rule, category in sorted(example.spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(rule)
        else:
            merged.append([start, end, [rule], category])
    out, at = [], 0
    for start, end, rules, category in merged:
        color = charts.category_color(category, categories)
        out.append(escape(text[at:start]))
        out.append(
            f'<mark title="{escape(", ".join(rules))}" data-rule="{escape(rules[0])}" '
            f'style="background:{color}33;box-shadow:inset 0 -2px {color}">{escape(text[start:end])}</mark>'
        )
        at = end
    out.append(escape(text[at:]))
    return ("…" if example.clipped_before else "") + "".join(out) + ("…" if example.clipped_after else "")


def _examples(s: AuditSummary, categories: list[str]) -> str:
    if not s.examples:
        return '<p class="note">No findings, so no examples.</p>'
    out = []
    for rule, n in s.top_rules(EXAMPLE_RULES):
        out.append(f"<h3>{escape(rule)} <span class=\"muted\">({escape(s.rule_category[rule])}, {n:,} findings)</span></h3>")
        for e in s.examples.get(rule, []):
            where = [f"row {e.row}"] + ([f"id {e.id}"] if e.id else [])
            where += [f"{k}: {v}" for k, v in e.groups.items() if v]
            out.append(
                f'<div class="example"><div class="meta">{escape(" · ".join(where))}</div>'
                f'<div class="reply">{highlight(e, categories)}</div></div>'
            )
    return "\n".join(out)


def _skipped(s: AuditSummary) -> str:
    if not s.skipped:
        return '<p class="note">Every row had a reply to lint.</p>'
    rows = "".join(
        f'<tr><td>{escape(reason)}</td><td class="n">{n:,}</td>'
        f'<td class="muted">e.g. rows {escape(", ".join(map(str, s.skipped_rows.get(reason, []))))}</td></tr>'
        for reason, n in sorted(s.skipped.items())
    )
    return f"<table><tr><th>why</th><th>rows</th><th></th></tr>{rows}</table>"

"""Regression gate: the built-in packs keep their measured quality.

The dev set is ../shared/data/dev-set.jsonl (labeled replies); the real replies
are ../shared/data/agent-replies.jsonl (sent by real support agents, nearly all
polite). The targets are the ones the README reports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tonecheck import CORE_CATEGORIES
from tonecheck.evaluate import read_labeled, score

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# The dev set is small and free to copy, so its gate runs wherever the repo is cloned.
DEV_SET = DATA / "dev-set.jsonl" if (DATA / "dev-set.jsonl").exists() else Path(__file__).parent / "data" / "dev-set.jsonl"
REAL = DATA / "agent-replies.jsonl"

needs_data = pytest.mark.skipif(not REAL.exists(), reason=f"{REAL} not present (shared/ sits beside the repo)")


def test_dev_set_meets_precision_and_recall_targets(linter):
    replies = read_labeled(DEV_SET)
    result = score(replies, (r.findings for r in linter.check_many(x.text for x in replies)))
    below = {
        c: (round(s.precision, 3), round(s.recall, 3))
        for c, s in result.scores.items()
        if s.precision < 0.95 or s.recall < 0.90
    }
    assert not below, f"categories below precision 0.95 / recall 0.90: {below}"


@needs_data
def test_real_replies_raise_at_most_five_core_findings_per_thousand(linter):
    rows = [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    findings = [
        (row["id"], f.rule, f.match)
        for row, report in zip(rows, linter.check_many(r["text"] for r in rows))
        for f in report.findings
        if f.category in CORE_CATEGORIES
    ]
    rate = 1000 * len(findings) / len(rows)
    assert rate <= 5.0, f"{rate:.2f} core findings per 1,000 real replies: {findings}"



STOCK = Path(__file__).parent / "data" / "stock-phrases.txt"


def _stock_phrases() -> list[str]:
    lines = STOCK.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_friendly_stock_phrases_give_no_core_finding(linter):
    """A rule that fires on "not a problem" or "your kind words" teaches agents to ignore the tool."""
    phrases = _stock_phrases()
    assert len(phrases) >= 90
    flagged = {
        text: [(f.rule, f.match) for f in report.findings if f.category in CORE_CATEGORIES]
        for text, report in zip(phrases, linter.check_many(phrases))
    }
    flagged = {text: found for text, found in flagged.items() if found}
    assert not flagged, f"stock phrases flagged: {flagged}"

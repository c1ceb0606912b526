"""False alarms on real support replies: core-category findings per 1,000 replies.

    python bench/false_alarms.py [REPLIES.jsonl] [--max-rate 5]

The default corpus is ../shared/data/agent-replies.jsonl: 1,136 replies real
support agents sent. Nearly all are polite, so every core-category finding is
listed for a person to audit. Exits 1 when the rate is above --max-rate.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tonecheck import CORE_CATEGORIES, Linter

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "agent-replies.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("replies", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--max-rate", type=float, default=5.0, help="allowed findings per 1,000 replies")
    args = parser.parse_args(argv)

    rows = [json.loads(line) for line in args.replies.read_text(encoding="utf-8").splitlines() if line.strip()]
    linter = Linter()
    flagged = []
    for row, report in zip(rows, linter.check_many(r["text"] for r in rows)):
        core = [f for f in report.findings if f.category in CORE_CATEGORIES]
        if core:
            flagged.append((row, core))
    count = sum(len(core) for _, core in flagged)
    rate = 1000 * count / len(rows)
    for row, core in flagged:
        text = " ".join(row["text"].split())
        for f in core:
            print(f"{row['id']}  {row.get('brand', '')}  {f.rule}  “{f.match}”  in: {text}")
    print(f"{len(rows)} replies, {count} core-category findings in {len(flagged)} replies: "
          f"{rate:.2f} per 1,000 (limit {args.max_rate:g})")
    return 0 if rate <= args.max_rate else 1


if __name__ == "__main__":
    sys.exit(main())

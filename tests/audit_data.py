"""A small archive built from real data (tests/data, copied from ../shared/data), in CSV, JSON Lines and Parquet.

Real support replies (agent-replies.jsonl, grouped by brand) interleaved with the
labeled dev set (which has tone problems, so the audit has findings), plus the
awkward rows an export really contains: empty and whitespace bodies, a number
and a null where the reply should be, an HTML body and a hostile one. There is no
time column in the data, so a deterministic one is generated over 120 days.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import REPO

DATA = REPO.parent / "shared" / "data"
REPLIES = DATA / "agent-replies.jsonl"  # the full set, for the one test that audits all of it
# Copies in the repository, so the audit tests run wherever it is cloned (tests/data/README.md).
SAMPLE = Path(__file__).resolve().parent / "data" / "agent-replies-sample.jsonl"
DEV_SET = Path(__file__).resolve().parent / "data" / "dev-set.jsonl"
HOSTILE = '<script>alert("x")</script> Calm down!!! You are the only customer who has complained & <b>nobody</b> else.'
HTML_BODY = '<p title="you are the only customer">Thanks for waiting.</p><p>Please <b>calm down</b>, it is on its way.</p>'


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def archive_rows(n_replies: int = 240) -> list[dict]:
    """~370 rows: id, text, brand, channel, sent_at. Deterministic."""
    replies = read_jsonl(SAMPLE)[:n_replies]
    dev = read_jsonl(DEV_SET)
    rnd = random.Random(6)
    rows: list[dict] = []
    for i, r in enumerate(replies):
        rows.append({"id": r["id"], "text": r["text"], "brand": r["brand"]})
        if i % 2 == 0 and dev:
            d = dev.pop(0)
            rows.append({"id": d["id"], "text": d["text"], "brand": rnd.choice(["Acme", "Globex", "Initech"])})
    rows += [{"id": d["id"], "text": d["text"], "brand": "Acme"} for d in dev]
    # the hostile reply comes early, so it is among the first examples of its rules in the report
    rows.insert(1, {"id": "odd-hostile", "text": HOSTILE, "brand": "<i>Evil</i> & Co"})
    rows += [
        {"id": "odd-empty", "text": "", "brand": "Acme"},
        {"id": "odd-blank", "text": "   \n ", "brand": "Globex"},
        {"id": "odd-html", "text": HTML_BODY, "brand": "Initech"},
    ]
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for row in rows:
        row["channel"] = rnd.choice(["email", "chat", "social"])
        row["sent_at"] = (start + timedelta(minutes=rnd.randrange(120 * 24 * 60))).isoformat()
    return rows


def with_non_text(rows: list[dict]) -> list[dict]:
    """JSON Lines and Parquet can hold a number or a null where the reply should be; CSV cannot."""
    return rows + [
        {"id": "odd-number", "text": 42, "brand": "Acme", "channel": "chat", "sent_at": "2024-02-01T10:00:00+00:00"},
        {"id": "odd-null", "text": None, "brand": "Acme", "channel": "chat", "sent_at": "not a date"},
    ]


def write_jsonl(rows: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(rows: list[dict], path: Path) -> Path:
    import pandas as pd

    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def write_parquet(rows: list[dict], path: Path, row_group_size: int = 100) -> Path:
    """Parquet with the reply column typed as text; non-text rows go in as null (a typed column cannot mix)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    clean = [{**r, "text": r["text"] if isinstance(r["text"], str) else None} for r in rows]
    pq.write_table(pa.Table.from_pylist(clean), path, row_group_size=row_group_size)
    return path

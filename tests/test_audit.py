"""`tonecheck audit` and tonecheck.audit on real replies: records, summary, formats, errors, progress."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import datetime, timezone

import pytest

pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from audit_data import (  # noqa: E402
    HOSTILE,
    HTML_BODY,
    REPLIES,
    archive_rows,
    read_jsonl,
    with_non_text,
    write_csv,
    write_jsonl,
    write_parquet,
)
from conftest import REPO, run_cli  # noqa: E402

from tonecheck.audit import AuditSpec, audit_dataframe, audit_file, iter_records  # noqa: E402
from tonecheck.audit.records import parse_time  # noqa: E402
from tonecheck.errors import InputError  # noqa: E402

SPEC = AuditSpec("text", id_column="id", group_by=("brand", "channel"), time_column="sent_at")
ARGS = ("--text-column", "text", "--id-column", "id", "--group-by", "brand", "channel", "--time-column", "sent_at")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archive")
    rows = archive_rows()
    return {
        "rows": with_non_text(rows),
        "jsonl": write_jsonl(with_non_text(rows), folder / "replies.jsonl"),
        "csv": write_csv(rows, folder / "replies.csv"),
        "parquet": write_parquet(with_non_text(rows), folder / "replies.parquet"),
    }


@pytest.fixture(scope="module")
def local(archive, linter, tmp_path_factory):
    """The reference: one process, JSON Lines in, JSON Lines out."""
    out = tmp_path_factory.mktemp("local") / "findings.jsonl"
    result = audit_file(archive["jsonl"], SPEC, linter=linter, jobs=1, out=out, progress=False)
    return result, list(iter_records(out))


def test_one_record_per_finding_pointing_into_the_row(archive, local):
    result, records = local
    rows = archive["rows"]
    assert records and len(records) == result.summary.findings
    assert list(records[0]) == [
        "row", "id", "brand", "channel", "time", "rule", "category", "severity", "match", "start", "end", "line", "column",
        "part",
    ]
    for r in records:
        row = rows[r["row"]]
        assert r["id"] == row["id"] and r["brand"] == row["brand"] and r["channel"] == row["channel"]
        assert row["text"][r["start"]:r["end"]] == r["match"]
        assert datetime.fromisoformat(r["time"]) == datetime.fromisoformat(row["sent_at"])
    assert [(r["row"], r["start"]) for r in records] == sorted((r["row"], r["start"]) for r in records)
    # the dev set's labeled problems are found: every core category fires
    assert {"denigrating", "isolating", "liability", "inflammatory"} <= {r["category"] for r in records}


def test_empty_and_non_text_rows_are_counted_not_fatal(archive, local):
    summary = local[0].summary
    assert summary.rows == len(archive["rows"])
    assert summary.skipped == {"empty": 3, "non-text": 1}  # "", whitespace, null; the number 42
    ids = [r["id"] for r in archive["rows"]]
    assert [ids[i] for i in summary.skipped_rows["non-text"]] == ["odd-number"]
    assert summary.linted == summary.rows - 4
    assert summary.time_unreadable == 0  # the null row's "not a date" is not linted
    assert sum(summary.day_replies.values()) == summary.linted


def test_hostile_html_row_is_linted_as_text(archive, local):
    records = local[1]
    hostile = [r for r in records if r["id"] == "odd-hostile"]
    assert {r["rule"].split(".")[0] for r in hostile} >= {"inflammatory", "isolating"}
    assert all(HOSTILE[r["start"]:r["end"]] == r["match"] for r in hostile)


def test_formats_parallelism_and_chunking_give_the_same_findings(archive, local, linter, tmp_path):
    _, reference = local
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"{fmt}.jsonl"
        audit_file(archive[fmt], SPEC, linter=linter, jobs=1, out=out, progress=False)
        assert list(iter_records(out)) == reference, fmt
    # two processes through check_many, and chunks of 7 rows, change nothing
    out = tmp_path / "parallel.parquet"
    parallel = audit_file(archive["jsonl"], SPEC, linter=linter, jobs=2, chunk_rows=150, out=out, progress=False)
    assert list(iter_records(out)) == reference
    small = audit_file(archive["jsonl"], SPEC, linter=linter, jobs=1, chunk_rows=7, progress=False)
    assert small.summary.to_dict() == parallel.summary.to_dict() == local[0].summary.to_dict()


def test_parquet_findings_file(local, archive, linter, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "findings.parquet"
    audit_file(archive["jsonl"], SPEC, linter=linter, jobs=1, out=out, progress=False)
    table = pq.read_table(out)
    assert table.num_rows == len(local[1])
    assert str(table.schema.field("row").type) == "int64" and str(table.schema.field("match").type) == "string"
    assert table.to_pylist() == local[1]


def test_input_format_html_is_passed_through(tmp_path, linter):
    path = write_jsonl([{"text": HTML_BODY}], tmp_path / "html.jsonl")
    spec = AuditSpec("text", input_format="html")
    out = tmp_path / "f.jsonl"
    audit_file(path, spec, linter=linter, jobs=1, out=out, progress=False)
    records = list(iter_records(out))
    assert [r["rule"] for r in records] == ["inflammatory.command"]  # not the attribute's "only customer"
    assert HTML_BODY[records[0]["start"]:records[0]["end"]] == records[0]["match"] == "calm down"


def test_email_rows_name_the_mime_part_their_offsets_point_into(tmp_path, linter):
    from email.message import EmailMessage
    from email import policy

    message = EmailMessage()
    message["From"] = "sam@example.com"
    message["To"] = "pat@example.com"
    message["Subject"] = "Re: refund"
    message.set_content("Thanks for waiting.\nPlease calm down, the refund is on its way.\n", cte="base64")
    raw = message.as_string(policy=policy.default)
    plain = "From: sam@example.com\nTo: pat@example.com\nSubject: Re: hi\n\nYou're the only customer who has had this problem.\n"
    path = write_jsonl([{"text": raw}, {"text": plain}], tmp_path / "mail.jsonl")
    for out in (tmp_path / "f.jsonl", tmp_path / "f.parquet"):
        audit_file(path, AuditSpec("text", input_format="email"), linter=linter, jobs=1, out=out, progress=False)
        records = list(iter_records(out))
        assert [(r["row"], r["match"], r["part"]) for r in records] == [(0, "calm down", "1"), (1, "You're the only customer", None)]
        decoded = "Thanks for waiting.\nPlease calm down, the refund is on its way.\n"
        assert decoded[records[0]["start"]:records[0]["end"]] == "calm down"
        assert plain[records[1]["start"]:records[1]["end"]] == "You're the only customer"


def test_cli_audit_writes_findings_report_and_summary(archive, local, tmp_path):
    out, html = tmp_path / "findings.jsonl", tmp_path / "report.html"
    proc = run_cli("audit", str(archive["jsonl"]), *ARGS, "--out", str(out), "--html", str(html), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr  # findings are the audit's product, not a failure
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    assert list(iter_records(out)) == local[1]
    summary = local[0].summary
    assert f"{summary.rows:,} read, {summary.linted:,} linted, 4 skipped (3 empty, 1 non-text)" in proc.stdout
    assert f"findings   {summary.findings:,} in {summary.flagged:,} replies" in proc.stdout
    assert "by brand" in proc.stdout and "by channel" in proc.stdout and "2024-01-01 to 2024-04" in proc.stdout
    assert f"{out} ({summary.findings:,} records)" in proc.stdout
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_cli_errors_name_the_column_or_file(archive, tmp_path):
    proc = run_cli("audit", str(archive["csv"]), "--text-column", "body")
    assert proc.returncode == 2
    assert "no column `body` (the --text-column)" in proc.stderr and "id, text, brand" in proc.stderr
    proc = run_cli("audit", str(archive["parquet"]), "--text-column", "text", "--group-by", "team")
    assert proc.returncode == 2 and "no column `team` (the --group-by column)" in proc.stderr
    proc = run_cli("audit", str(tmp_path / "missing.csv"), "--text-column", "text")
    assert proc.returncode == 2 and "missing.csv: no such file" in proc.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": "broken\n', encoding="utf-8")
    proc = run_cli("audit", str(bad), "--text-column", "text")
    assert proc.returncode == 2 and "bad.jsonl: line 2 is not valid JSON" in proc.stderr
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet")
    proc = run_cli("audit", str(corrupt), "--text-column", "text")
    assert proc.returncode == 2 and "corrupt.parquet: not a readable Parquet file" in proc.stderr
    proc = run_cli("audit", str(archive["csv"]), "--text-column", "text", "--out", str(tmp_path / "f.csv"))
    assert proc.returncode == 2 and "name it .jsonl or .parquet" in proc.stderr
    assert not list(tmp_path.glob("f.*"))


def test_progress_bar_on_a_terminal(archive):
    """Under a pseudo-terminal the bar shows rows done, the total, rows/s and the ETA."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout and stderr are the terminal
        os.chdir(REPO)
        os.execv(sys.executable, [sys.executable, "-m", "tonecheck.cli", "audit", str(archive["jsonl"]),
                                  "--text-column", "text", "--jobs", "1", "--chunk-rows", "50"])
    output = b""
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        output += data
    _, status = os.waitpid(pid, 0)
    text = output.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    rows = len(read_jsonl(archive["jsonl"]))
    assert f"{rows}/{rows}" in text and "rows/s" in text
    assert "<" in text.split("rows/s")[0]  # tqdm's [elapsed<ETA, rate] block


def test_dataframe_function(archive, local, linter, tmp_path):
    import pandas as pd

    frame = pd.DataFrame(archive["rows"]).set_index("id", drop=False)
    result = audit_dataframe(frame, "text", id_column="id", group_by=["brand", "channel"], time_column="sent_at",
                             linter=linter, html=tmp_path / "r.html")
    assert result.findings.to_dict("records") == local[1]
    assert result.summary.to_dict() == local[0].summary.to_dict()
    first = result.findings.iloc[0]
    assert frame.iloc[first["row"]]["text"][first["start"]:first["end"]] == first["match"]
    assert (tmp_path / "r.html").is_file()
    with pytest.raises(InputError, match="no column `body`"):
        audit_dataframe(frame, "body", linter=linter)


@pytest.mark.parametrize("value, expected", [
    ("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
    ("2024-03-05 12:00:00+02:00", datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
    ("2024-03-05", datetime(2024, 3, 5, tzinfo=timezone.utc)),
    ("Mar 5 2024 10:00", datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
    (1709632800, datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
    ("1709632800", datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),  # Unix seconds as text (CSV)
    (" 1709632800.5 ", datetime(2024, 3, 5, 10, 0, 0, 500000, tzinfo=timezone.utc)),
    ("20240305", datetime(2024, 3, 5, tzinfo=timezone.utc)),  # eight digits are a date
    (datetime(2024, 3, 5, 10), datetime(2024, 3, 5, 10, tzinfo=timezone.utc)),
    ("not a date", None), ("", None), (None, None), (True, None),
])
def test_time_cells(value, expected):
    assert parse_time(value) == expected


@pytest.mark.skipif(not REPLIES.exists(), reason="../shared/data/agent-replies.jsonl is not here")
def test_real_replies_end_to_end(tmp_path):
    """The issue's done-when: the whole real archive, findings file, report and summary."""
    out, html = tmp_path / "findings.jsonl", tmp_path / "report.html"
    proc = run_cli("audit", str(REPLIES), "--text-column", "text", "--id-column", "id", "--group-by", "brand",
                   "--out", str(out), "--html", str(html))
    assert proc.returncode == 0, proc.stderr
    rows = read_jsonl(REPLIES)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert f"{len(rows):,} read, {len(rows):,} linted, 0 skipped" in proc.stdout
    assert f"({len(records):,} records)" in proc.stdout
    by_id = {r["id"]: r for r in rows}
    for r in records:
        assert by_id[r["id"]]["text"][r["start"]:r["end"]] == r["match"]
        assert by_id[r["id"]]["brand"] == r["brand"]
    assert "<svg" in html.read_text(encoding="utf-8")


def test_check_does_not_import_the_audit_stack():
    code = (
        "import sys, io; from tonecheck.cli import main; sys.stdin = io.TextIOWrapper(io.BytesIO(b'Thanks!'));"
        "main(['check', '-']); print(sorted(m for m in ('pandas', 'pyarrow', 'dask', 'tonecheck.audit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip().endswith("[]")


def test_reading_stays_a_bounded_window_ahead_of_linting(linter):
    """Even with a process pool (whose feeder would read everything), the reader runs only a window ahead."""
    from itertools import islice

    from tonecheck.audit.run import lint_rows

    read = []

    def endless():
        while True:  # an archive that never ends: only a bounded read-ahead lets this finish
            read.append(len(read))
            yield {"text": ["You are the only customer who has complained."] * 5 + [""] * 5}

    spec = AuditSpec("text")
    stream = lint_rows(linter, endless(), spec, n_process=2, batch_size=8)
    got = list(islice(stream, 100))
    stream.close()  # stopping early shuts the pool down instead of hanging
    assert [row.row for row, _ in got] == list(range(100))
    assert all(findings for row, findings in got if row.body) and not any(f for row, f in got if not row.body)
    window = max(4, 2 * 2) * 8
    assert len(read) <= (100 + 2 * window) // 5 + 2


def test_read_error_mid_archive_with_a_pool(tmp_path, linter):
    path = tmp_path / "half.jsonl"
    good = [json.dumps({"text": f"Reply {i}: thanks for waiting."}) for i in range(300)]
    path.write_text("\n".join(good) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 301 is not valid JSON"):
        audit_file(path, AuditSpec("text"), linter=linter, jobs=2, chunk_rows=50, progress=False)


def test_group_columns_that_clash_with_record_fields_are_prefixed(tmp_path, linter):
    path = write_jsonl([{"text": "Calm down.", "category": "billing", "team": "A"}], tmp_path / "t.jsonl")
    spec = AuditSpec("text", group_by=("category", "team"))
    assert spec.record_fields[:3] == ["row", "group_category", "team"]
    out = tmp_path / "f.jsonl"
    audit_file(path, spec, linter=linter, jobs=1, out=out, progress=False)
    [record] = list(iter_records(out))
    assert record["group_category"] == "billing" and record["category"] == "inflammatory" and record["team"] == "A"


def test_csv_time_column_of_unix_seconds_is_read(tmp_path):
    """CSV cells are text: Unix seconds in them are times, as the README says."""
    path = tmp_path / "replies.csv"
    path.write_text(
        "id,text,sent_at\n"
        "a,\"Calm down, it's only a refund.\",1709632800\n"
        "b,\"You're the only customer who has complained.\",1709719200\n",
        encoding="utf-8",
    )
    out = tmp_path / "findings.jsonl"
    proc = run_cli("audit", str(path), "--text-column", "text", "--id-column", "id", "--time-column", "sent_at",
                   "--out", str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    times = {json.loads(line)["id"]: json.loads(line)["time"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert times == {"a": "2024-03-05T10:00:00+00:00", "b": "2024-03-06T10:00:00+00:00"}
    assert "unreadable" not in proc.stdout

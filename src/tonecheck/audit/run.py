"""The audit on one machine: chunks of rows streamed through ``Linter.check_many``.

``lint_rows`` is the one place rows become findings; the local run, the
DataFrame function and every Dask partition (``lint_chunk``) go through it,
which is why their results are identical.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tonecheck.audit.records import AuditSpec, Row, finding_record, rows_of
from tonecheck.audit.sources import CHUNK_ROWS, Chunk, Source
from tonecheck.audit.summary import AuditSummary
from tonecheck.audit.writers import FindingsWriter, check_writable, out_format
from tonecheck.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from tonecheck.config import Config
    from tonecheck.linter import Linter
    from tonecheck.models import Finding

BATCH_SIZE = 64


@dataclass
class ChunkResult:
    """Finding records and counts of one chunk, rows numbered from ``first_row``."""

    records: list[dict[str, Any]]
    summary: AuditSummary

    def shifted(self, offset: int) -> ChunkResult:
        """Renumber rows counted from 0 in a partition to their place in the archive."""
        if offset:
            for record in self.records:
                record["row"] += offset
            self.summary.shift_rows(offset)
        return self


@dataclass
class AuditResult:
    summary: AuditSummary
    source: str
    findings_path: Path | None = None
    html_path: Path | None = None
    findings: pd.DataFrame | None = None   # audit_dataframe only
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.summary.rows / self.seconds if self.seconds else 0.0


def lint_rows(
    linter: Linter,
    chunks: Iterable[Chunk],
    spec: AuditSpec,
    *,
    n_process: int = 1,
    batch_size: int = BATCH_SIZE,
) -> Iterator[tuple[Row, list[Finding]]]:
    """Every row of ``chunks`` in order with its findings (none for a skipped row), through one ``check_many``.

    One call to ``check_many`` lints the whole stream, so its worker pool lives
    for the whole audit. Chunks are read lazily and at most ``window`` replies
    are between the reader and this generator's consumer (a semaphore taken per
    reply read and given back per report), so memory stays flat even though the
    process pool's feeder would otherwise read the whole archive ahead.
    """
    pending: deque[Row] = deque()  # rows read, in order, waiting for their report
    window = threading.Semaphore(max(4, 2 * n_process) * batch_size)
    state: dict[str, Any] = {"stop": False, "error": None}

    replies = _replies(chunks, spec, pending, window, state)
    reports = linter.check_many(replies, n_process=n_process, batch_size=batch_size, input_format=spec.input_format)
    try:
        for report in reports:
            while pending[0].body is None:
                yield pending.popleft(), []
            window.release()
            yield pending.popleft(), report.findings
        while pending:  # skipped rows after the last reply
            yield pending.popleft(), []
        if state["error"] is not None:
            raise state["error"]
    finally:
        state["stop"] = True
        window.release()  # unblock the reader (it then sees `stop`) so the pool can shut down
        close = getattr(reports, "close", None)
        if close:
            close()


def _replies(
    chunks: Iterable[Chunk], spec: AuditSpec, pending: deque[Row], window: threading.Semaphore, state: dict[str, Any]
) -> Iterator[str]:
    """The text of each row to lint, read only as ``window`` allows; every row read is appended to ``pending``.

    May run in the pool's feeder thread: it must never raise (the pool would
    hang), so a read error ends the stream and is raised by the consumer.
    """
    source = iter(chunks)
    first_row = 0
    while True:
        try:
            chunk = next(source)
        except StopIteration:
            return
        except Exception as exc:  # InputError, OSError...: re-raised by lint_rows
            state["error"] = exc
            return
        rows = rows_of(chunk, spec, first_row)
        first_row += len(rows)
        for row in rows:
            if row.body is None:
                pending.append(row)
                continue
            window.acquire()
            if state["stop"]:
                return
            pending.append(row)
            yield row.body


def lint_chunk(
    linter: Linter,
    chunk: Chunk,
    spec: AuditSpec,
    *,
    first_row: int = 0,
    n_process: int = 1,
    batch_size: int = BATCH_SIZE,
) -> ChunkResult:
    """Lint one chunk (a Dask partition): its finding records and counts, rows numbered from ``first_row``."""
    summary = AuditSummary()
    records: list[dict[str, Any]] = []
    for row, findings in lint_rows(linter, [chunk], spec, n_process=n_process, batch_size=batch_size):
        summary.add(row, findings)
        records.extend(finding_record(row, f, spec) for f in findings)
    return ChunkResult(records, summary).shifted(first_row)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def progress_bar(total: int | None, enabled: bool | None, desc: str = "audit") -> Any:
    """A tqdm bar (rows done, rows/s, ETA) on stderr; silent unless stderr is a terminal."""
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    tqdm.monitor_interval = 0  # no monitor thread: worker pools fork from this process
    try:
        sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
    except (OSError, ValueError):
        sized = False
    # A terminal that reports no width (some CI and `script` ptys) gets 80 columns, not an empty bar.
    return tqdm(total=total, unit=" rows", desc=desc, disable=not enabled, file=sys.stderr,
                dynamic_ncols=sized, ncols=None if sized else 80, nrows=None if sized else 24,
                smoothing=0.1, mininterval=0.5)


def _linter(linter: Linter | None, config: Config | None = None) -> Linter:
    if linter is not None:
        return linter
    from tonecheck.linter import Linter

    return Linter(config=config)


def audit_file(
    path: str | os.PathLike[str],
    spec: AuditSpec,
    *,
    linter: Linter | None = None,
    config: Config | None = None,
    jobs: int | None = None,
    out: str | os.PathLike[str] | None = None,
    html: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    chunk_rows: int = CHUNK_ROWS,
    batch_size: int = BATCH_SIZE,
) -> AuditResult:
    """Audit a CSV, JSON Lines or Parquet archive on this machine with ``jobs`` processes (default: all cores).

    ``linter`` (or a ``config`` to build one; default: found from the current
    directory) does the linting. Writes one record per finding to ``out`` (.jsonl or .parquet) and the HTML
    report to ``html`` when given; returns the summary. Raises ``InputError`` for
    an unreadable file or a missing column before any work starts.
    """
    source = Source(path, spec)
    out_path, html_path = check_outputs(out, html)
    linter = _linter(linter, config)
    jobs = jobs or default_jobs()
    started = time.perf_counter()
    summary = AuditSummary()
    writer = FindingsWriter(out_path, spec) if out_path else None
    total = source.estimate_rows() if progress is not False and (progress or sys.stderr.isatty()) else None
    bar = progress_bar(total, progress)
    records: list[dict[str, Any]] = []
    done = 0
    try:
        for row, findings in lint_rows(linter, source.chunks(chunk_rows), spec, n_process=jobs, batch_size=batch_size):
            summary.add(row, findings)
            if writer and findings:
                records.extend(finding_record(row, f, spec) for f in findings)
                if len(records) >= 1000:
                    writer.write(records)
                    records = []
            done += 1
            if done == 200:
                bar.update(done)
                done = 0
        bar.update(done)
        if writer:
            writer.write(records)
    finally:
        if bar.total is not None and bar.n != bar.total and bar.n:
            bar.total = bar.n  # the newline count was an estimate
            bar.refresh()
        bar.close()
        if writer:
            writer.close()
    seconds = time.perf_counter() - started
    if html_path:
        from tonecheck.audit.report import write_report

        write_report(summary, html_path, spec=spec, source=source.name)
    return AuditResult(summary, source.name, out_path, html_path, seconds=seconds, details={"jobs": jobs})


def check_outputs(out: Any, html: Any) -> tuple[Path | None, Path | None]:
    out_path = Path(out) if out else None
    html_path = Path(html) if html else None
    if out_path:
        out_format(out_path)
        check_writable(out_path)
    if html_path:
        check_writable(html_path)
    return out_path, html_path


def audit_dataframe(
    frame: pd.DataFrame,
    text_column: str,
    *,
    id_column: str | None = None,
    group_by: Sequence[str] | str = (),
    time_column: str | None = None,
    input_format: str | None = None,
    linter: Linter | None = None,
    jobs: int = 1,
    html: str | os.PathLike[str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> AuditResult:
    """Audit the replies in a pandas DataFrame; ``result.findings`` is a DataFrame of finding records.

    ``row`` in the findings is the row's position in ``frame`` (``frame.iloc[row]``).
    Rows with an empty or non-text reply are counted in ``result.summary.skipped``.
    """
    import pandas as pd

    spec = AuditSpec(
        text_column=text_column, id_column=id_column,
        group_by=(group_by,) if isinstance(group_by, str) else tuple(group_by),
        time_column=time_column, input_format=input_format,
    )
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise InputError("<DataFrame>", f"no column `{missing[0]}`; its columns are: {', '.join(map(str, frame.columns))}")
    _, html_path = check_outputs(None, html)
    linter = _linter(linter)
    started = time.perf_counter()
    summary = AuditSummary()
    records: list[dict[str, Any]] = []
    chunks = (
        {c: frame[c].iloc[start : start + chunk_rows].tolist() for c in spec.columns}
        for start in range(0, len(frame), chunk_rows)
    )
    for row, found in lint_rows(linter, chunks, spec, n_process=jobs):
        summary.add(row, found)
        records.extend(finding_record(row, f, spec) for f in found)
    findings = pd.DataFrame.from_records(records, columns=spec.record_fields)
    if html_path:
        from tonecheck.audit.report import write_report

        write_report(summary, html_path, spec=spec, source="DataFrame")
    return AuditResult(summary, "<DataFrame>", None, html_path, findings=findings,
                       seconds=time.perf_counter() - started)


def iter_records(path: str | os.PathLike[str]) -> Iterable[dict[str, Any]]:
    """Read a findings file back (JSON Lines or Parquet), record by record."""
    import json

    p = Path(path)
    if out_format(p) == "jsonl":
        with open(p, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(p).iter_batches():
            yield from batch.to_pylist()

"""The same audit on a Dask cluster (``pip install 'tonecheck[dask]'``).

The archive becomes a ``dask.dataframe`` whose partitions are read by the
workers themselves with the readers of ``sources`` (a JSON Lines byte block or
a Parquet row group each), so the path must be readable from every worker
(shared disk). CSV cannot be split safely where a reply spans lines, so a CSV
archive is read by the client in chunks and each chunk is sent to the cluster.
Each worker process builds its ``Linter`` once and lints its partitions with
``lint_chunk``, the function the local run uses; the client writes results in
partition order, so the findings are identical to a local run's.

At most a few partitions per worker are in flight at once, so the client's
memory stays flat however large the archive.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tonecheck.audit.records import AuditSpec
from tonecheck.audit.run import AuditResult, ChunkResult, check_outputs, default_jobs, lint_chunk, progress_bar
from tonecheck.audit.sources import Source, jsonl_block, parquet_row_group
from tonecheck.audit.summary import AuditSummary
from tonecheck.audit.writers import FindingsWriter
from tonecheck.errors import TonecheckError
from tonecheck.linter_cache import LinterCache

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

    from tonecheck.config import Config

# Rows per partition: small enough to spread over the workers, large enough that
# a task's overhead (milliseconds) is lost in its linting (about a second).
PARTITION_ROWS = 2000

# One linter per worker process and configuration, built on first use.
_LINTERS = LinterCache()


class DaskError(TonecheckError):
    """Dask is missing, or the scheduler cannot be reached."""


def _require_dask() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise DaskError("Dask is not installed; install it with: pip install 'tonecheck[dask]'") from None


def worker_linter(config: Config) -> Any:
    return _LINTERS.get(config)


def audit_partition(frame: pd.DataFrame | dict[str, list[Any]], spec: AuditSpec, config: Config) -> ChunkResult:
    """Runs on a worker: lint one partition, rows numbered from 0 (the client shifts them)."""
    chunk = frame if isinstance(frame, dict) else {c: frame[c].tolist() for c in spec.columns}
    return lint_chunk(worker_linter(config), chunk, spec, n_process=1)


def _object_frame(chunk: dict[str, list[Any]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(chunk[c], dtype=object) for c in columns})


def _jsonl_frame(block: bytes, columns: list[str], name: str) -> pd.DataFrame:
    return _object_frame(jsonl_block(block, columns, name), columns)


def _parquet_frame(path: str, index: int, columns: list[str]) -> pd.DataFrame:
    return _object_frame(parquet_row_group(path, index, columns), columns)


def archive_dataframe(source: Source, chunk_rows: int = PARTITION_ROWS) -> dd.DataFrame:
    """A JSON Lines or Parquet archive as a Dask DataFrame of object columns, read on the workers."""
    import dask
    import dask.dataframe as dd
    import pandas as pd
    from dask import delayed

    columns = source.spec.columns
    path = str(source.path.resolve())
    if source.format == "parquet":
        import pyarrow.parquet as pq

        groups = pq.ParquetFile(path).metadata.num_row_groups
        parts = [delayed(_parquet_frame)(path, i, columns) for i in range(groups)]
    elif source.format == "jsonl":
        from dask.bytes import read_bytes

        if source.compression:
            blocksize = None  # a compressed stream cannot be split
        else:
            rows = source.estimate_rows() or 1
            blocksize = max(1024, int(os.path.getsize(path) / rows * chunk_rows))
        compression = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz"}.get(source.compression or "")
        _, blocks = read_bytes(path, delimiter=b"\n", blocksize=blocksize, sample=False, compression=compression)
        # a malformed line is reported by its line number within the partition
        parts = [delayed(_jsonl_frame)(b, columns, f"{source.name} (Dask partition {i})") for i, b in enumerate(blocks[0])]
    else:
        raise ValueError(f"{source.format} archives are read by the client, not as a Dask DataFrame")
    meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    # Keep object columns as they are: converting them to strings would turn a
    # number in the reply column into text and differ from the local run.
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(parts, meta=meta, verify_meta=False)


def connect(scheduler: str, workers: int | None = None) -> tuple[Any, Any]:
    """(client, cluster or None): ``local`` starts a LocalCluster on loopback, anything else is an address."""
    _require_dask()
    from distributed import Client, LocalCluster

    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers or default_jobs(), threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None,
        )
        return Client(cluster), cluster
    _reachable(scheduler)
    try:
        return Client(scheduler, timeout="20s"), None
    except (OSError, TimeoutError) as exc:
        raise DaskError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None


def _reachable(address: str) -> None:
    """Fail at once on a refused or unresolvable TCP address, instead of after the client's retries."""
    import socket
    from urllib.parse import urlsplit

    if not address.startswith("tcp://"):
        return  # tls://, ucx://... : leave it to the client
    where = urlsplit(address)
    try:
        with socket.create_connection((where.hostname, where.port or 8786), timeout=10):
            pass
    except (OSError, ValueError) as exc:
        raise DaskError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def audit_dask(
    path: str | os.PathLike[str],
    spec: AuditSpec,
    *,
    scheduler: str = "local",
    config: Config | None = None,
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    html: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    chunk_rows: int = PARTITION_ROWS,
) -> AuditResult:
    """Audit an archive on a Dask cluster: ``scheduler`` is ``"local"`` or an address like ``tcp://host:8786``."""
    import sys

    source = Source(path, spec)
    out_path, html_path = check_outputs(out, html)
    if config is None:
        from tonecheck.config import resolve_config

        config = resolve_config()
    worker_linter(config)  # a bad configuration fails here, before any cluster starts
    client, cluster = connect(scheduler, workers)
    try:
        total = source.estimate_rows() if progress is not False and (progress or sys.stderr.isatty()) else None
        if source.format == "csv":
            scattered = (
                (lambda chunk=chunk: client.submit(audit_partition, chunk, spec, config, pure=False))
                for chunk in source.chunks(chunk_rows)
            )
            submitters: Iterator[Callable[[], Any]] = scattered
        else:
            submitters = _dataframe_submitters(client, archive_dataframe(source, chunk_rows), spec, config)
        window = 2 * max(1, len(client.scheduler_info().get("workers", {}))) + 2
        result = _gather_in_order(submitters, window, spec, out_path, total, progress)
        result.source = source.name
        result.details = {"scheduler": scheduler if cluster is None else cluster.scheduler_address,
                          "workers": len(client.scheduler_info().get("workers", {}))}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if html_path:
        from tonecheck.audit.report import write_report

        write_report(result.summary, html_path, spec=spec, source=source.name)
        result.html_path = html_path
    return result


def audit_dask_dataframe(
    ddf: dd.DataFrame,
    spec: AuditSpec,
    client: Any,
    *,
    config: Config | None = None,
    out: str | os.PathLike[str] | None = None,
    html: str | os.PathLike[str] | None = None,
    progress: bool | None = False,
) -> AuditResult:
    """Audit a Dask DataFrame you already have (from ``dd.read_parquet``, ``dd.read_sql_table``...) on ``client``.

    ``row`` in the findings counts rows across the partitions in order.
    """
    out_path, html_path = check_outputs(out, html)
    if config is None:
        from tonecheck.config import resolve_config

        config = resolve_config()
    missing = [c for c in spec.columns if c not in ddf.columns]
    if missing:
        from tonecheck.errors import InputError

        raise InputError("<Dask DataFrame>", f"no column `{missing[0]}`")
    window = 2 * max(1, len(client.scheduler_info().get("workers", {}))) + 2
    result = _gather_in_order(_dataframe_submitters(client, ddf, spec, config), window, spec, out_path, None, progress)
    result.source = "<Dask DataFrame>"
    if html_path:
        from tonecheck.audit.report import write_report

        write_report(result.summary, html_path, spec=spec, source="Dask DataFrame")
        result.html_path = html_path
    return result


def _dataframe_submitters(client: Any, ddf: dd.DataFrame, spec: AuditSpec, config: Config) -> Iterator[Callable[[], Any]]:
    from dask import delayed

    for part in ddf[spec.columns].to_delayed():
        task = delayed(audit_partition)(part, spec, config)
        yield lambda task=task: client.compute(task)


def _gather_in_order(
    submitters: Iterator[Callable[[], Any]],
    window: int,
    spec: AuditSpec,
    out_path: Path | None,
    total: int | None,
    progress: bool | None,
) -> AuditResult:
    """Keep ``window`` partitions in flight; write their results in partition order as they arrive."""
    from distributed import as_completed

    started = time.perf_counter()
    summary = AuditSummary()
    writer = FindingsWriter(out_path, spec) if out_path else None
    bar = progress_bar(total, progress, desc="audit (dask)")
    index_of: dict[Any, int] = {}
    ready: dict[int, ChunkResult] = {}
    pending = as_completed()
    submitted = written = 0

    def submit_more() -> None:
        nonlocal submitted
        while len(index_of) + len(ready) < window:
            submit = next(submitters, None)
            if submit is None:
                return
            future = submit()
            index_of[future] = submitted
            pending.add(future)
            submitted += 1

    try:
        submit_more()
        for future in pending:
            index = index_of.pop(future)
            ready[index] = future.result()
            future.release()
            bar.update(ready[index].summary.rows)
            while written in ready:
                part = ready.pop(written).shifted(summary.rows)
                summary.merge(part.summary)
                if writer:
                    writer.write(part.records)
                written += 1
            submit_more()
    finally:
        if bar.total is not None and bar.n and bar.n != bar.total:
            bar.total = bar.n
            bar.refresh()
        bar.close()
        if writer:
            writer.close()
    return AuditResult(summary, "", out_path, None, seconds=time.perf_counter() - started)

"""`tonecheck audit`: what the CLI runs once its arguments are parsed (imported only by that command)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from tonecheck.audit.records import AuditSpec
from tonecheck.audit.sources import CHUNK_ROWS
from tonecheck.audit.summary import render_text
from tonecheck.errors import TonecheckError

MISSING_EXTRA = "the audit needs pandas and pyarrow; install them with: pip install 'tonecheck[audit]'"


def _columns(values: list[list[str]] | None) -> tuple[str, ...]:
    """`--group-by a b --group-by c,d` -> (a, b, c, d)."""
    flat = [part.strip() for group in values or [] for value in group for part in value.split(",")]
    return tuple(p for p in flat if p)


def run(args: argparse.Namespace, config_for: Callable[[], Any]) -> int:
    """Run the audit; 0 when it completed (whatever it found)."""
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        raise TonecheckError(MISSING_EXTRA) from None
    config = config_for()
    spec = AuditSpec(
        text_column=args.text_column,
        id_column=args.id_column,
        group_by=_columns(args.group_by),
        time_column=args.time_column,
        input_format=args.input_format or config.input_format,
    )
    progress = {"auto": None, "always": True, "never": False}[args.progress]
    scheduler = args.scheduler or ("local" if args.dask else None)
    if scheduler:
        from tonecheck.audit.distributed import PARTITION_ROWS, audit_dask

        result = audit_dask(
            args.input, spec, scheduler=scheduler, config=config, workers=args.jobs,
            out=args.out, html=args.html, progress=progress, chunk_rows=args.chunk_rows or PARTITION_ROWS,
        )
        where = f"Dask at {result.details['scheduler']}, {result.details['workers']} workers"
    else:
        from tonecheck.audit.run import audit_file

        result = audit_file(
            args.input, spec, config=config, jobs=args.jobs,
            out=args.out, html=args.html, progress=progress, chunk_rows=args.chunk_rows or CHUNK_ROWS,
        )
        jobs = result.details["jobs"]
        where = f"{jobs} process{'es' if jobs > 1 else ''}"
    outputs = {}
    if result.findings_path:
        outputs["findings"] = f"{result.findings_path} ({result.summary.findings:,} records)"
    if result.html_path:
        outputs["report"] = str(result.html_path)
    outputs["speed"] = f"{result.rows_per_second:,.0f} rows/s over {result.seconds:.1f} s ({where})"
    sys.stdout.write(render_text(result.summary, source=result.source, outputs=outputs))
    return 0

"""The commands that hand over to another front end: `audit`, `lsp` and `serve`.

Each imports its front end inside the command, so that `tonecheck check`
never loads pandas, pygls or FastAPI.
"""

from __future__ import annotations

import argparse
import sys

from tonecheck.cli.exits import Exit
from tonecheck.cli.linters import Linters


def cmd_audit(args: argparse.Namespace) -> int:
    # Imported here so that `tonecheck check` never loads pandas, pyarrow or Dask.
    from tonecheck.audit.command import run

    if (args.jobs is not None and args.jobs < 1) or (args.chunk_rows is not None and args.chunk_rows < 1):
        print("tonecheck: error: --jobs and --chunk-rows need a number of at least 1", file=sys.stderr)
        return Exit.ERROR
    if args.scheduler and args.dask:
        print("tonecheck: error: give --scheduler ADDRESS or --dask local, not both", file=sys.stderr)
        return Exit.ERROR
    return run(args, lambda: Linters(args).config_for(None))


def cmd_lsp(args: argparse.Namespace) -> int:
    # Imported here so that `tonecheck check` never loads pygls.
    from tonecheck.lsp.server import start

    if args.tcp and not args.tcp.rpartition(":")[2].isdigit():
        print("tonecheck: error: --tcp needs HOST:PORT, e.g. 127.0.0.1:2087", file=sys.stderr)
        return Exit.ERROR
    start(tcp=args.tcp, log_level=args.log_level)
    return Exit.OK


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        # Imported here so that `tonecheck check` never loads FastAPI or uvicorn.
        from tonecheck.serve.command import run
    except ModuleNotFoundError as exc:
        if exc.name not in ("fastapi", "starlette", "uvicorn"):
            raise
        print(f"tonecheck: error: `tonecheck serve` needs {exc.name}: pip install 'tonecheck[serve]'", file=sys.stderr)
        return Exit.ERROR
    return run(args, lambda: Linters(args).config_for(None))

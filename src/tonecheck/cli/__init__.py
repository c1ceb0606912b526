"""The `tonecheck` command line.

Exit codes (``Exit``): 0 nothing at or above the fail level, 1 findings at or
above it, 2 a usage, configuration, pack or input error. Heavy modules (spaCy)
are imported inside the commands that need them, so `--help` stays instant.

parser.py declares the flags; check.py is `tonecheck check`, reading what
walk.py finds with read.py; rules.py holds the commands about the rules and
frontends.py the ones that start the audit, the language server or the
service; linters.py turns the flags into configurations and linters.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from tonecheck.cli.exits import Exit
from tonecheck.cli.parser import FORMATS, build_parser

__all__ = ["FORMATS", "Exit", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from tonecheck.errors import TonecheckError

    # Everything imported so far (spaCy, pydantic, numpy: ~1 million objects)
    # lives as long as the process; frozen, the collector stops re-scanning it,
    # which cost a one-reply run ~0.1 s of full collections (measured).
    gc.freeze()

    try:
        return int(args.run(args))
    except TonecheckError as exc:
        from tonecheck.errors import SourceError

        print(f"tonecheck: error: {exc.with_code() if isinstance(exc, SourceError) else exc}", file=sys.stderr)
        return Exit.ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tonecheck check ... | head`
        return Exit.OK

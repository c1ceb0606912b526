"""One check worker process: `python -m tonecheck.serve.worker`, started by pool.py.

It speaks a small framed protocol on its standard streams, one request at a time:

- in: the service's ``Config`` as one JSON line, then per request a line with
  its length in bytes and the request body as the client sent it (already
  validated): ``{"text": ...}`` or ``{"texts": [...]}``, with ``input_format``,
  ``select``, ``ignore``, ``suppressions``;
- out: a header line ``{"status": N, "length": L}`` followed by exactly L bytes
  of response body: the ``ReportDocument`` with one report per text, or an error
  body. After loading, a first header ``{"ready": true}`` (or ``{"ready": false,
  "error": "..."}`` and exit 2).

Anything else the process prints goes to stderr (the server's log): standard
output is moved there, and the protocol keeps the original descriptor.
Tracebacks are logged there too, never sent.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from collections import OrderedDict
from typing import IO, Any

from tonecheck.config import Config
from tonecheck.errors import ConfigError, TonecheckError
from tonecheck.linter import Linter, load_rules
from tonecheck.models import ReportDocument
from tonecheck.selection import unknown_entries
from tonecheck.serve.models import error_json
from tonecheck.suppressions import UNUSED_CATEGORY, UNUSED_RULE

log = logging.getLogger("tonecheck.serve.worker")

# Distinct select/ignore combinations a worker keeps compiled. Helpdesk apps
# send one or two; the compiled rules are also shared between them (linter.py).
_LINTERS_KEPT = 16


class _Linters:
    def __init__(self, config: Config):
        self.config = config
        self.default = Linter(config=config)
        self.all_rules = load_rules(config)  # what a suppression may name, selected or not
        self.by_selection: OrderedDict[tuple, Linter] = OrderedDict()

    def get(self, select: list[str] | None, ignore: list[str] | None) -> Linter:
        if select is None and ignore is None:
            return self.default
        key = (tuple(select) if select is not None else None, tuple(ignore) if ignore is not None else None)
        linter = self.by_selection.get(key)
        if linter is None:
            settings = {k: v for k, v in (("select", select), ("ignore", ignore)) if v is not None}
            linter = Linter(config=self.config, **settings)  # ConfigError names the field
            self.by_selection[key] = linter
            if len(self.by_selection) > _LINTERS_KEPT:
                self.by_selection.popitem(last=False)
        else:
            self.by_selection.move_to_end(key)
        return linter


def _answer(out: IO[bytes], status: int, body: bytes, **header: Any) -> None:
    out.write(json.dumps({"status": status, "length": len(body), **header}).encode() + b"\n" + body)
    out.flush()


def handle(linters: _Linters, request: dict[str, Any]) -> tuple[int, bytes]:
    suppressions = request.get("suppressions") or []
    # Suppressions are checked here too: the library takes any string there, and
    # a typo would silently suppress nothing.
    for name in ("select", "ignore", "suppressions"):
        entries = request.get(name) or []
        unknown = [e for e in unknown_entries(entries, linters.all_rules) if e not in (UNUSED_RULE, UNUSED_CATEGORY)]
        if unknown:
            message = f"`{unknown[0]}` names no rule, rule prefix or category; GET /v1/rules lists them"
            return 422, error_json(422, message, f"{name}[{entries.index(unknown[0])}]")
    try:
        linter = linters.get(request.get("select"), request.get("ignore"))
    except ConfigError as exc:
        return 422, error_json(422, exc.detail, exc.field)
    fmt = request.get("input_format")
    texts = request["texts"] if "texts" in request else [request["text"]]
    reports = [linter.check(text, input_format=fmt, suppressions=suppressions) for text in texts]
    return 200, ReportDocument.of(reports).model_dump_json().encode("utf-8")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format=f"%(levelname)s:     worker {os.getpid()}: %(message)s")
    # The protocol keeps the real standard output; stray prints go to the log.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    source = sys.stdin.buffer

    first = source.readline()
    if not first:  # the server went away before sending the configuration
        return 0
    try:
        linters = _Linters(Config.model_validate_json(first))
    except TonecheckError as exc:
        _answer(out, 500, b"", ready=False, error=str(exc))
        return 2
    except Exception as exc:
        log.exception("could not load the rules")
        _answer(out, 500, b"", ready=False, error=f"could not load the rules: {exc!r}")
        return 2
    # What is loaded now (spaCy, the packs: about a million objects) lives as long
    # as the worker; frozen, the collector stops re-scanning it every few
    # thousand requests, which showed as latency spikes (as for the CLI, cli.py).
    gc.freeze()
    _answer(out, 200, b"", ready=True)
    while True:
        length = source.readline()
        if not length:
            return 0
        request = source.read(int(length))
        try:
            status, body = handle(linters, json.loads(request))
        except Exception:
            log.exception("check failed")
            status, body = 500, error_json(500, "internal error while checking; the server log has the details")
        _answer(out, status, body)


if __name__ == "__main__":
    sys.exit(main())

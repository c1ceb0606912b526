"""One check worker process: `python -m tonecheck.serve.worker`, started by pool.py.

It speaks a small framed protocol on its standard streams:

- in: the service's ``Config`` as one JSON line; then messages of one or more
  requests (those that queued up while the worker was busy): a 4-byte count,
  and per request a 4-byte length and the request body as the client sent it
  (already validated): ``{"text": ...}`` or ``{"texts": [...]}``, with
  ``input_format``, ``select``, ``ignore``, ``suppressions``;
- out: after loading, a first line ``{"ready": true}`` (or ``{"ready": false,
  "error": "..."}`` and exit 2); then per request, in order and as soon as its
  check is done, a 2-byte HTTP status, a 4-byte length and exactly that many
  bytes of response body: the ``ReportDocument`` with one report per text, or
  an error body. Integers are big-endian and unsigned.

Each request of a message is checked on its own: one that fails gets its error
answer, and the others theirs.

Anything else the process prints goes to stderr (the server's log): standard
output is moved there, and the protocol keeps the original descriptor.
Tracebacks are logged there too, never sent.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import struct
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


# The framing after the first line, shared with pool.py.
COUNT = struct.Struct(">I")  # requests in one message
LENGTH = struct.Struct(">I")  # bytes of one request body
ANSWER = struct.Struct(">HI")  # an answer's HTTP status and the bytes of its body


def _loaded(out: IO[bytes], **header: Any) -> None:
    out.write(json.dumps(header).encode() + b"\n")
    out.flush()


def _answer(out: IO[bytes], status: int, body: bytes) -> None:
    out.write(ANSWER.pack(status, len(body)) + body)
    out.flush()


def _read(source: IO[bytes], size: int) -> bytes | None:
    """Exactly ``size`` bytes, or None at the end of the input (the server went away)."""
    data = source.read(size)
    return data if len(data) == size else None


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
        # Matchers and the anchor index are built on first use; a worker builds
        # them before it says it is ready, so a new worker's first check is not
        # the one to overrun --timeout.
        linters.default.warm_up()
    except TonecheckError as exc:
        _loaded(out, ready=False, error=str(exc))
        return 2
    except Exception as exc:
        log.exception("could not load the rules")
        _loaded(out, ready=False, error=f"could not load the rules: {exc!r}")
        return 2
    # What is loaded now (spaCy, the packs: about a million objects) lives as long
    # as the worker; frozen, the collector stops re-scanning it every few
    # thousand requests, which showed as latency spikes (as for the CLI: cli/__init__.py).
    gc.freeze()
    _loaded(out, ready=True)
    while True:
        count = _read(source, COUNT.size)
        if count is None:
            return 0
        for _ in range(COUNT.unpack(count)[0]):
            length = _read(source, LENGTH.size)
            request = _read(source, LENGTH.unpack(length)[0]) if length is not None else None
            if request is None:
                return 0
            try:
                status, body = handle(linters, json.loads(request))
            except Exception:
                log.exception("check failed")
                status, body = 500, error_json(500, "internal error while checking; the server log has the details")
            _answer(out, status, body)

if __name__ == "__main__":
    sys.exit(main())

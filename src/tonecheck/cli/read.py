"""Reading an input's text: a regular file, checked before a byte is read, or stdin."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from tonecheck.cli.walk import not_regular, os_reason


def read_input(path: Path | None, name: str | None = None, input_format: str = "auto") -> str:
    """The text of a regular file or stdin; raise InputError saying why it cannot be read.

    The file is opened without blocking and checked to be a regular file
    before a byte is read, so a FIFO put in its place never hangs the run.
    A saved e-mail message may carry 8-bit bodies in other charsets: its bytes
    are kept (undecodable ones as surrogates) for the MIME parser, which reads
    each part in its own charset.
    """
    from tonecheck.errors import InputError

    name = name or ("-" if path is None else str(path))
    if path is None:
        return _decoded(sys.stdin.buffer.read(), name, input_format)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(name, os_reason(path, exc)) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(name, "is a folder")
        if not stat.S_ISREG(mode):
            raise InputError(name, not_regular(mode))
        try:
            data = handle.read()
        except OSError as exc:
            raise InputError(name, f"cannot read: {exc.strerror}") from None
    return _decoded(data, name, input_format)


def _decoded(data: bytes, name: str, input_format: str) -> str:
    from tonecheck.errors import InputError
    from tonecheck.inputs.decoding import decode

    try:
        return decode(data, name)
    except InputError:
        if input_format in ("auto", "email") and b"\x00" not in data[:8192]:
            from tonecheck.inputs import is_message

            text = data.decode("utf-8", "surrogateescape")
            if is_message(text):
                return text
        raise

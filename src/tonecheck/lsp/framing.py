"""LSP message framing that survives a wrong ``Content-Length``.

pygls reads ``Content-Length: N``, then exactly N bytes. When N is wrong it
parses the wrong bytes, fails, and from then on reads the middle of every
message as a header: the server never answers again. ``Resyncing`` sits
between the byte stream and pygls's reader loop and hands pygls only frames
whose body is one JSON value:

- a length too long reads the message plus the start of the next one: the
  first JSON value is kept and the bytes after it are put back, so the next
  message is read whole;
- a length too short cuts the body: it is dropped (``on_bad_frame(detail,
  dropped=True)``; the server answers with a JSON-RPC parse error), and reading resumes at
  the next ``Content-Length`` header, also when the rest of the cut body sits
  in front of it on the same line.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

_HEADER = re.compile(rb"Content-Length:[ \t]*(\d+)[ \t]*\r?\n\Z", re.IGNORECASE)
_DECODER = json.JSONDecoder()


class Resyncing:
    """An async reader (``readline``/``readexactly``) over ``raw`` that yields only well-formed frames."""

    def __init__(self, raw: Any, on_bad_frame: Callable[[str, bool], None]):
        self.raw = raw
        self.on_bad_frame = on_bad_frame
        self.pending = b""  # raw bytes read but not yet framed (put back after a too-long body)
        self.ready = b""  # well-formed frames for pygls to read

    async def readline(self) -> bytes:
        while b"\n" not in self.ready:
            if not await self._frame():
                break
        end = self.ready.find(b"\n") + 1 or len(self.ready)
        line, self.ready = self.ready[:end], self.ready[end:]
        return line

    async def readexactly(self, n: int) -> bytes:
        while len(self.ready) < n:
            if not await self._frame():
                break
        data, self.ready = self.ready[:n], self.ready[n:]
        return data

    # -- the raw stream ------------------------------------------------------------

    async def _raw_line(self) -> bytes:
        if b"\n" in self.pending:
            end = self.pending.index(b"\n") + 1
            line, self.pending = self.pending[:end], self.pending[end:]
            return line
        line, self.pending = self.pending + await self.raw.readline(), b""
        return line

    async def _raw_exactly(self, n: int) -> bytes:
        data, self.pending = self.pending[:n], self.pending[n:]
        if len(data) < n:
            try:
                data += await self.raw.readexactly(n - len(data))
            except asyncio.IncompleteReadError as exc:  # end of stream (asyncio streams)
                data += exc.partial
        return data

    async def _frame(self) -> bool:
        """Append the next well-formed frame to ``ready``; False at the end of the stream."""
        length: int | None = None
        while True:
            line = await self._raw_line()
            if not line:
                return False
            header = _HEADER.search(line)  # anything before it is the tail of a cut body
            if header:
                length = int(header.group(1))
            elif not line.strip() and length is not None:
                break  # end of the headers
        body = await self._raw_exactly(length)
        if not body:
            return False
        body = self._one_value(body)
        if body is not None:
            self.ready += b"Content-Length: %d\r\n\r\n" % len(body) + body
        return True

    def _one_value(self, body: bytes) -> bytes | None:
        """``body`` cut to its one JSON value (putting back what follows), or None when it holds none."""
        stripped = body.rstrip()
        if stripped.startswith(b"{") and stripped.endswith((b"}", b"]")) and b"Content-Length:" not in body:
            return body  # the usual case: no need to parse it twice
        text = body.decode("utf-8", "surrogateescape")
        try:
            _, end = _DECODER.raw_decode(text)
        except ValueError:
            self.on_bad_frame(
                f"dropped a message whose body is not one JSON value ({len(body)} bytes after its "
                "Content-Length header); its Content-Length is probably wrong",
                True,
            )
            return None
        rest = text[end:].encode("utf-8", "surrogateescape")
        if rest.strip():
            self.pending = rest + self.pending
            self.on_bad_frame(
                f"a message's Content-Length was {len(rest)} bytes too long; "
                "read the message and kept the bytes after it",
                False,
            )
        return text[:end].encode("utf-8", "surrogateescape")

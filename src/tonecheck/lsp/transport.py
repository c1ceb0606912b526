"""The server's side of pygls: answered bad requests, and reading through ``Resyncing``.

The only module that touches pygls internals (its reader loop, its stop
event, the protocol's raw send), so an upgrade of pygls is checked here.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import TYPE_CHECKING, Any, BinaryIO

from pygls.exceptions import JsonRpcException
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.protocol import LanguageServerProtocol

from tonecheck.lsp.framing import Resyncing

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger("tonecheck.lsp.server")

_ANSWERED = object()


class ToneProtocol(LanguageServerProtocol):
    """pygls, plus an error response for a request whose params do not match the LSP types.

    pygls 2 logs such a request and shows "Error in server", but never answers
    it, so the client would wait forever. Here it gets ``InvalidParams`` (-32602).
    """

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if not (isinstance(data, dict) and "id" in data and isinstance(data.get("method"), str)):
                raise
            cause = f": {exc.__cause__}" if exc.__cause__ is not None else ""
            error = type(exc)(message=f"{exc.message} for {data['method']}{cause}")
            self._send_response(data["id"], error=error.to_response_error())
            return _ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is _ANSWERED:
            return
        super().handle_message(message)

    def bad_frame(self, detail: str, dropped: bool) -> None:
        """A frame ``Resyncing`` could not read: logged, and answered when it was dropped."""
        log.warning("%s", detail)
        if dropped:  # JSON-RPC: a message that cannot be parsed is answered with a parse error, id null
            self._send_data({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": f"tonecheck: {detail}"}})


def start_io(server: LanguageServer, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """pygls's ``start_io``, reading through ``Resyncing``."""
    protocol: Any = server.protocol
    server._stop_event = threading.Event()
    reader = Resyncing(StdinAsyncReader(stdin or sys.stdin.buffer, server.thread_pool), protocol.bad_frame)
    protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    try:
        asyncio.run(run_async(
            stop_event=server._stop_event, reader=reader, protocol=protocol, logger=log,
            error_handler=server.report_server_error,
        ))
    except BrokenPipeError:
        log.error("the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()


def start_tcp(server: LanguageServer, host: str, port: int) -> None:
    """pygls's ``start_tcp``, reading through ``Resyncing``."""
    protocol: Any = server.protocol
    server._stop_event = stop_event = threading.Event()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        protocol.set_writer(writer)
        await run_async(
            stop_event=stop_event, reader=Resyncing(reader, protocol.bad_frame), protocol=protocol,
            logger=log, error_handler=server.report_server_error,
        )
        server.shutdown()

    async def serve() -> None:
        server._server = await asyncio.start_server(connection, host, port)
        async with server._server:
            await server._server.serve_forever()

    try:
        asyncio.run(serve())
    except asyncio.CancelledError:
        pass

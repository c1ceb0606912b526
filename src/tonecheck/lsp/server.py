"""The language server: the state, and the wiring of one module per feature.

- ``diagnostics``: the document lifecycle, linting off the event loop, push and pull diagnostics;
- ``code_actions``: quick fixes and "ignore this rule in this workspace";
- ``hover``: why a flagged span hurts and what to write instead;
- ``configuration``: initialisation, settings, reloading on configuration and pack changes;
- ``transport``: pygls's reader loops through ``Resyncing`` (a wrong ``Content-Length``).

Feature modules read and change the state through ``ToneServer``'s methods and
its ``documents`` (``OpenDocuments``), never through private attributes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlparse

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from tonecheck import __version__
from tonecheck.lsp import code_actions, configuration, diagnostics, hover, transport
from tonecheck.lsp.configuration import SettingsLayers
from tonecheck.lsp.debounce import Debouncer
from tonecheck.lsp.linting import DocumentLinter
from tonecheck.lsp.settings import ServerSettings
from tonecheck.lsp.state import OpenDocuments, Result

log = logging.getLogger(__name__)

T = TypeVar("T")

FEATURES = (configuration, diagnostics, code_actions, hover)


class ToneServer(LanguageServer):
    """tonecheck's language server: the state every feature shares."""

    def __init__(self) -> None:
        super().__init__(
            "tonecheck", __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=transport.ToneProtocol,
        )
        self.settings = ServerSettings()
        self.setting_layers = SettingsLayers()
        self.root: Path | None = None
        self.pull = False
        self.generation = 0
        self.engine = DocumentLinter(self.settings, None)
        self.documents = OpenDocuments()
        self.debouncer = Debouncer()
        # spaCy work runs on one thread; preparing text (plain Python) beside it.
        self._lint_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tonecheck-lint")
        self._prepare_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tonecheck-prepare")

    # -- session and configuration generations -------------------------------------

    def start_session(self, root: Path | None, *, pull: bool) -> None:
        """The workspace root and whether the client pulls diagnostics (on ``initialize``)."""
        self.root, self.pull = root, pull
        self.engine = DocumentLinter(self.settings, root)

    def new_generation(self) -> None:
        """Forget every linter (configuration and packs are read again); older results go stale."""
        self.generation += 1
        self.engine = DocumentLinter(self.settings, self.root)

    def capability(self, name: str, default: Any) -> Any:
        """A client capability by dotted name (``workspace.configuration``)."""
        return get_capability(self.client_capabilities, name, default)

    # -- documents -------------------------------------------------------------------

    def open_document(self, uri: str) -> TextDocument | None:
        if not self.documents.is_open(uri):
            return None
        return self.workspace.get_text_document(uri)

    @staticmethod
    def document_path(document: TextDocument | str) -> Path | None:
        uri = document if isinstance(document, str) else document.uri
        if urlparse(uri).scheme != "file":
            return None
        path = to_fs_path(uri)
        return Path(path) if path else None

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def schedule(self, uri: str, delay: float, *, republish: bool = False) -> asyncio.Task[Result | None]:
        """Lint ``uri`` after ``delay`` seconds without another change to it (``diagnostics.lint``)."""
        return self.debouncer.schedule(uri, delay, lambda: diagnostics.lint(self, uri, republish=republish))

    # -- work off the event loop -----------------------------------------------------

    async def on_lint_thread(self, job: Callable[..., T], *args: Any) -> T:
        """Run ``job(*args)`` on the one lint thread (spaCy work), in order with every other lint."""
        return await asyncio.get_running_loop().run_in_executor(self._lint_pool, job, *args)

    async def on_prepare_thread(self, job: Callable[..., T], *args: Any) -> T:
        """Run plain-Python preparation beside the lint thread."""
        return await asyncio.get_running_loop().run_in_executor(self._prepare_pool, job, *args)

    def after_queued_lints(self, job: Callable[..., Any], *args: Any) -> None:
        """Run ``job`` on the lint thread after every job queued so far (not while shutting down)."""
        try:
            self._lint_pool.submit(job, *args)
        except RuntimeError:  # shutting down
            pass

    # -- messages ----------------------------------------------------------------------

    def message(self, text: str, kind: types.MessageType) -> None:
        log.warning("%s", text)
        self.window_show_message(types.ShowMessageParams(type=kind, message=text))

    def log(self, kind: types.MessageType, text: str) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=text))

    # -- lifecycle ---------------------------------------------------------------------

    def shutdown(self) -> None:
        self.debouncer.cancel_all()
        self._lint_pool.shutdown(wait=False, cancel_futures=True)
        self._prepare_pool.shutdown(wait=False, cancel_futures=True)
        super().shutdown()

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        transport.start_io(self, stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        transport.start_tcp(self, host, port)


def create_server() -> ToneServer:
    """A server with every feature registered."""
    server = ToneServer()
    for feature in FEATURES:
        feature.register(server)

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: ToneServer, params: None) -> None:
        ls.debouncer.cancel_all()

    return server


def start(tcp: str | None = None, log_level: str = "WARNING") -> None:
    """Run the server on stdio, or on ``HOST:PORT`` with ``tcp``."""
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.WARNING), format="tonecheck-lsp %(levelname)s %(name)s: %(message)s")
    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()

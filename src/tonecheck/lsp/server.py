"""The language server: LSP messages in, engine calls out, diagnostics back.

Lifecycle of a document:

- ``didOpen`` and ``didSave`` lint at once; ``didChange`` lints after
  ``debounceMs`` without another change to that document (``Debouncer``).
- Linting runs on one dedicated thread (``DocumentLinter``), never on the event
  loop, so the server keeps answering while spaCy works.
- A result is published only if the document is still open at the version that
  was linted; results for older versions are dropped.
- Clients that can pull diagnostics (``textDocument/diagnostic``) get them
  pulled; the others get ``textDocument/publishDiagnostics``.
- ``didClose`` cancels pending work and clears the document's diagnostics.

Settings, configuration files and packs reload on ``didChangeConfiguration``,
``didChangeWatchedFiles`` and on saving a configuration file; open documents
are then linted again.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from tonecheck import __version__
from tonecheck.config import CONFIG_NAMES, PYPROJECT
from tonecheck.inputs import prepare
from tonecheck.lsp import actions, config_edit
from tonecheck.lsp.convert import SOURCE, PositionMap, to_diagnostics
from tonecheck.lsp.debounce import Debouncer
from tonecheck.lsp.framing import Resyncing
from tonecheck.lsp.hover import at_offset, hover_markdown
from tonecheck.lsp.linting import DocumentLinter, pieces
from tonecheck.lsp.settings import SECTION, ServerSettings, parse_settings, section_of
from tonecheck.models import Finding

log = logging.getLogger(__name__)

WATCHED = ("**/.tonecheck.yaml", "**/.tonecheck.yml", "**/pyproject.toml", "**/*.yaml", "**/*.yml")


@dataclass(frozen=True)
class Result:
    """The lint of one document version under one configuration generation."""

    version: int | None
    generation: int
    positions: PositionMap
    findings: list[Finding]
    diagnostics: list[types.Diagnostic]

    @property
    def result_id(self) -> str:
        return f"{self.generation}:{self.version}"


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


class ToneServer(LanguageServer):
    """tonecheck's language server. All state lives here; features are wired in ``create_server``."""

    def __init__(self) -> None:
        super().__init__(
            "tonecheck", __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=ToneProtocol,
        )
        self.settings = ServerSettings()
        self.root: Path | None = None
        self.engine = DocumentLinter(self.settings, None)
        self.generation = 0
        self.pull = False
        self.debouncer = Debouncer()
        self.results: dict[str, Result] = {}
        self.versions: dict[str, int | None] = {}
        self._lint_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tonecheck-lint")
        self._prepare_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tonecheck-prepare")
        self._told: dict[str, set[str]] = {}
        self._init_settings: dict[str, Any] = {}
        self._client_settings: dict[str, Any] = {}
        self._failures: dict[str, str] = {}

    # -- documents -----------------------------------------------------------------

    def open_document(self, uri: str) -> TextDocument | None:
        if uri not in self.versions:
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

    def schedule(self, uri: str, delay: float, *, republish: bool = False) -> None:
        self.debouncer.schedule(uri, delay, lambda: self.lint(uri, republish=republish))

    async def lint(self, uri: str, *, republish: bool = False) -> Result | None:
        """Lint the document's current version; publish (push mode) and return the result, None if stale or failed.

        A version already linted under the current configuration is not linted
        again; ``republish`` sends its diagnostics once more (on save).
        """
        document = self.open_document(uri)
        if document is None:
            return None
        version, text = document.version, document.source
        engine, generation = self.engine, self.generation
        current = self.results.get(uri)
        if current is not None and current.version == version and current.generation == generation:
            if republish and not self.pull:
                self._publish(uri, current)
            return current
        fmt = self.settings.format_for(document.language_id)
        path = self.document_path(document)
        loop = asyncio.get_running_loop()
        try:
            if len(text) > self.settings.large_document_chars:
                outcome = await self._lint_large(engine, uri, version, text, path, fmt)
            else:
                outcome = await loop.run_in_executor(self._lint_pool, self._lint_job, engine, uri, version, text, path, fmt)
        except Exception as exc:  # one document's failure must never take the server down
            self._report_failure(uri, exc)
            return None
        if outcome is None:
            return None
        findings, problems = outcome
        for problem in problems:
            self.message(problem, types.MessageType.Warning)
        self._failures.pop(uri, None)
        latest = self.open_document(uri)
        if latest is None or latest.version != version or generation != self.generation:
            return None  # the document moved on (or closed, or settings changed): never publish old results
        positions = PositionMap(text, self.encoding)
        diagnostics = to_diagnostics(findings, positions, docs_url=self.settings.docs_url)
        result = Result(version, generation, positions, findings, diagnostics)
        self.results[uri] = result
        if not self.pull:
            self._publish(uri, result)
        return result

    def _publish(self, uri: str, result: Result) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=result.version, diagnostics=result.diagnostics)
        )

    def _lint_job(
        self, engine: DocumentLinter, uri: str, version: int | None, text: str, path: Path | None, fmt: str
    ) -> tuple[list[Finding], list[str]] | None:
        # Runs on the lint thread. Skip versions that were superseded while queued.
        if self.versions.get(uri, version) != version or uri not in self.versions:
            return None
        return engine.lint(text, path, fmt)

    async def _lint_large(
        self, engine: DocumentLinter, uri: str, version: int | None, text: str, path: Path | None, fmt: str
    ) -> tuple[list[Finding], list[str]] | None:
        """Lint a document over ``largeDocumentChars`` in steps of about ``LARGE_STEP_CHARS``.

        Each step is one job on the lint thread, so jobs for other documents
        queued meanwhile run before the next step; a newer version or a close
        cancels this coroutine (the debouncer does) and the work stops at the
        step in progress. Pieces linted before a cancellation are kept.
        """
        loop = asyncio.get_running_loop()
        name, limit = _name(uri), self.settings.large_document_chars
        linter, problems = await loop.run_in_executor(self._lint_pool, engine.linter_for, path)
        why = engine.why_not_in_pieces(linter, text, fmt)
        prepared = None
        if why is None:
            # Preparing is plain Python, not spaCy: it runs beside the lint thread.
            prepared = await loop.run_in_executor(self._prepare_pool, prepare, text, fmt)
            if prepared.starts is not None:
                why = "it is HTML, whose visible text is only known from the whole document"
        if why is not None or prepared is None:
            self._tell_once(uri, (
                f"tonecheck: {name} is not linted: it has {len(text):,} characters, more than the "
                f"largeDocumentChars setting ({limit:,}), and {why}, so it can only be linted whole, which "
                "would hold up every other document. Raise largeDocumentChars to lint it anyway."
            ), types.MessageType.Warning, show=True)
            return [], problems
        self._tell_once(uri, (
            f"tonecheck: {name} has {len(text):,} characters, more than largeDocumentChars ({limit:,}): "
            "it is linted paragraph by paragraph in the background, and after that only where it changes."
        ), types.MessageType.Info)
        ptext = prepared.text
        spans = pieces(ptext)
        try:
            missing = await loop.run_in_executor(self._lint_pool, engine.missing_pieces, uri, ptext, spans)
            for step in _steps([spans[i] for i in missing], LARGE_STEP_CHARS):
                if self.versions.get(uri) != version:
                    return None
                await loop.run_in_executor(self._lint_pool, engine.lint_pieces, uri, linter, [ptext[a:b] for a, b in step])
            findings = await loop.run_in_executor(self._lint_pool, engine.assemble, uri, text, ptext, spans)
        except asyncio.CancelledError:
            why_stopped = "it was closed" if uri not in self.versions else "it changed"
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Info, message=f"tonecheck: stopped linting {name} (version {version}): {why_stopped}",
            ))
            raise
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=(
            f"tonecheck: {name} (version {version}): linted {len(missing):,} of {len(spans):,} paragraphs; "
            f"{len(spans) - len(missing):,} unchanged"
        )))
        return findings, problems

    def _tell_once(self, uri: str, text: str, kind: types.MessageType, *, show: bool = False) -> None:
        """Say ``text`` about a document once while it stays open (not on every keystroke)."""
        told = self._told.setdefault(uri, set())
        if text in told:
            return
        told.add(text)
        log.info("%s", text)
        if show:
            self.window_show_message(types.ShowMessageParams(type=kind, message=text))
        self.window_log_message(types.LogMessageParams(type=kind, message=text))

    def _report_failure(self, uri: str, exc: BaseException) -> None:
        detail = "".join(traceback.format_exception(exc)).rstrip()
        log.error("linting %s failed:\n%s", uri, detail)
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=f"tonecheck: linting {uri} failed:\n{detail}"))
        summary = f"tonecheck could not lint {Path(urlparse(uri).path).name or uri}: {type(exc).__name__}: {exc}"
        if self._failures.get(uri) != summary:  # once per distinct failure, not on every keystroke
            self._failures[uri] = summary
            self.message(summary + " (details in the log)", types.MessageType.Error)

    async def current_result(self, uri: str) -> Result | None:
        """The result for the document's current version, waiting for (or starting) its lint."""
        while True:
            document = self.open_document(uri)
            if document is None:
                return None
            version = document.version
            result = self.results.get(uri)
            if result is not None and result.version == version and result.generation == self.generation:
                return result
            task = self.debouncer.pending(uri)
            if task is None:
                task = self.debouncer.schedule(uri, 0, lambda: self.lint(uri))
            try:
                result = await asyncio.shield(task)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # this request itself was cancelled
                continue  # superseded by a newer edit: wait for that one
            if result is not None:
                return result
            latest = self.open_document(uri)
            if latest is None or latest.version == version:
                return None  # linting failed for this version; it was reported

    def message(self, text: str, kind: types.MessageType) -> None:
        log.warning("%s", text)
        self.window_show_message(types.ShowMessageParams(type=kind, message=text))

    # -- settings and reloads --------------------------------------------------------

    def apply_settings(self) -> None:
        settings, problems = parse_settings({**self._init_settings, **self._client_settings})
        for problem in problems:
            self.message(f"tonecheck: {problem}", types.MessageType.Warning)
        if settings != self.settings:
            self.settings = settings
            self.reload("settings changed")

    def reload(self, reason: str) -> None:
        """Forget every linter and cached result (configuration and packs are read again) and re-lint."""
        log.info("reloading: %s", reason)
        self.generation += 1
        self.engine = DocumentLinter(self.settings, self.root)
        for uri in list(self.versions):
            self.schedule(uri, 0)
        if self.pull and get_capability(self.client_capabilities, "workspace.diagnostics.refresh_support", False):
            self.workspace_diagnostic_refresh(None)

    def is_config_or_pack(self, path: Path) -> bool:
        if path.name in CONFIG_NAMES or path.name == PYPROJECT:
            return True
        if path.suffix not in (".yaml", ".yml"):
            return False
        packs = {Path(p) for p in self.settings.packs}
        for linter in self.engine.linters():
            packs.update(linter.config.pack_paths)
        resolved = path.resolve()
        return any(resolved == p or p in resolved.parents for p in packs)

    async def pull_client_settings(self) -> None:
        if not get_capability(self.client_capabilities, "workspace.configuration", False):
            return
        try:
            answer = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
        except Exception as exc:  # a client that fails this request still gets linted
            log.warning("workspace/configuration failed: %s", exc)
            return
        value = section_of(answer[0]) if answer else None
        if isinstance(value, dict):
            self._client_settings = value
        elif value is not None:
            self._client_settings = {SECTION: value}  # let parse_settings report the wrong type
        self.apply_settings()

    def shutdown(self) -> None:
        self.debouncer.cancel_all()
        self._lint_pool.shutdown(wait=False, cancel_futures=True)
        self._prepare_pool.shutdown(wait=False, cancel_futures=True)
        super().shutdown()

    # -- transport: pygls's loops, reading through Resyncing (framing.py) ------------

    def _bad_frame(self, detail: str, dropped: bool) -> None:
        log.warning("%s", detail)
        if dropped:  # JSON-RPC: a message that cannot be parsed is answered with a parse error, id null
            self.protocol._send_data({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": f"tonecheck: {detail}"}})

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        self._stop_event = threading.Event()
        reader = Resyncing(StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool), self._bad_frame)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(run_async(
                stop_event=self._stop_event, reader=reader, protocol=self.protocol, logger=log,
                error_handler=self.report_server_error,
            ))
        except BrokenPipeError:
            log.error("the connection to the client is lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        self._stop_event = stop_event = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)  # type: ignore[arg-type]
            await run_async(
                stop_event=stop_event, reader=Resyncing(reader, self._bad_frame), protocol=self.protocol,
                logger=log, error_handler=self.report_server_error,
            )
            self.shutdown()

        async def serve() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            async with self._server:
                await self._server.serve_forever()

        try:
            asyncio.run(serve())
        except asyncio.CancelledError:
            pass


LARGE_STEP_CHARS = 20_000  # prepared characters per lint step of a large document (tens of milliseconds)


def _steps(spans: list[tuple[int, int]], budget: int) -> Iterator[list[tuple[int, int]]]:
    """Consecutive groups of pieces of about ``budget`` characters."""
    step: list[tuple[int, int]] = []
    size = 0
    for span in spans:
        step.append(span)
        size += span[1] - span[0]
        if size >= budget:
            yield step
            step, size = [], 0
    if step:
        yield step


def _name(uri: str) -> str:
    return Path(urlparse(uri).path).name or uri


def _document_changes(ls: ToneServer) -> bool:
    return bool(get_capability(ls.client_capabilities, "workspace.workspace_edit.document_changes", False))


def _can_create_files(ls: ToneServer) -> bool:
    operations = get_capability(ls.client_capabilities, "workspace.workspace_edit.resource_operations", None) or []
    return _document_changes(ls) and types.ResourceOperationKind.Create in operations


def _overlaps(a: types.Range, b: types.Range) -> bool:
    start_a, end_a = (a.start.line, a.start.character), (a.end.line, a.end.character)
    start_b, end_b = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return start_a <= end_b and start_b <= end_a


def create_server() -> ToneServer:
    """A server with every feature registered."""
    server = ToneServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ToneServer, params: types.InitializeParams) -> None:
        root = ls.workspace.root_path
        if root is None and params.workspace_folders:
            root = to_fs_path(params.workspace_folders[0].uri)
        ls.root = Path(root) if root else None
        ls.pull = params.capabilities.text_document is not None and params.capabilities.text_document.diagnostic is not None
        options = section_of(params.initialization_options)
        if isinstance(options, dict):
            ls._init_settings = options
        elif options is not None:
            ls._init_settings = {SECTION: options}
        settings, problems = parse_settings(ls._init_settings)
        ls.settings = settings
        ls.engine = DocumentLinter(settings, ls.root)
        for problem in problems:
            ls.message(f"tonecheck: {problem}", types.MessageType.Warning)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ToneServer, params: types.InitializedParams) -> None:
        if get_capability(ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]
            )
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[
                    types.Registration(id="tonecheck-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
                ]))
            except Exception as exc:
                log.warning("could not register file watchers: %s", exc)
        await ls.pull_client_settings()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ToneServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.versions[params.text_document.uri] = params.text_document.version
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ToneServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.versions:
            ls.versions[uri] = params.text_document.version
            ls.schedule(uri, ls.settings.debounce_ms / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: ToneServer, params: types.DidSaveTextDocumentParams) -> None:
        path = ls.document_path(params.text_document.uri)
        if path is not None and ls.is_config_or_pack(path):
            ls.reload(f"{path} saved")
        elif params.text_document.uri in ls.versions:
            ls.schedule(params.text_document.uri, 0, republish=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ToneServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.versions.pop(uri, None)  # before cancelling: the lint sees why it stopped
        ls.debouncer.cancel(uri)
        ls.results.pop(uri, None)
        ls._failures.pop(uri, None)
        ls._told.pop(uri, None)
        try:
            ls._lint_pool.submit(ls.engine.forget, uri)  # after any step still queued for it
        except RuntimeError:  # shutting down
            pass
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False),
    )
    async def pull_diagnostics(ls: ToneServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        result = await ls.current_result(params.text_document.uri)
        if result is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if params.previous_result_id == result.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result.result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=result.diagnostics, result_id=result.result_id)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ToneServer, params: types.HoverParams) -> types.Hover | None:
        result = await ls.current_result(params.text_document.uri)
        if result is None:
            return None
        found = at_offset(result.findings, result.positions.offset(params.position))
        if not found:
            return None
        markdown = types.MarkupKind.Markdown
        formats = get_capability(ls.client_capabilities, "text_document.hover.content_format", None) or [markdown]
        kind = markdown if markdown in formats else types.MarkupKind.PlainText
        return types.Hover(
            contents=types.MarkupContent(kind=kind, value=hover_markdown(found, ls.settings.docs_url)),
            range=result.positions.range(min(f.start for f in found), max(f.end for f in found)),
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def code_action(ls: ToneServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        only = params.context.only
        if only and not any(str(kind).startswith(types.CodeActionKind.QuickFix) or kind == types.CodeActionKind.QuickFix for kind in only):
            return []
        uri = params.text_document.uri
        document = ls.open_document(uri)
        if document is None:
            return []
        diagnostics = [d for d in params.context.diagnostics if d.source == SOURCE]
        if not diagnostics:  # clients that send no context get the server's own diagnostics there
            result = await ls.current_result(uri)
            diagnostics = [d for d in (result.diagnostics if result else []) if _overlaps(d.range, params.range)]
        positions = PositionMap(document.source, ls.encoding)
        found = actions.quick_fixes(uri, document.version, diagnostics, positions, document_changes=_document_changes(ls))
        return found + _ignore_actions(ls, document, diagnostics)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ToneServer, params: types.DidChangeConfigurationParams) -> None:
        value = section_of(params.settings)
        explicit = isinstance(params.settings, dict) and SECTION in params.settings  # even {} (back to defaults)
        if isinstance(value, dict) and (value or explicit):
            ls._client_settings = value
            ls.apply_settings()
        else:  # the "pull model": the notification only says that something changed
            await ls.pull_client_settings()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ToneServer, params: types.DidChangeWatchedFilesParams) -> None:
        changed = [ls.document_path(change.uri) for change in params.changes]
        relevant = [p for p in changed if p is not None and ls.is_config_or_pack(p)]
        if relevant:
            ls.reload(", ".join(str(p) for p in relevant) + " changed")

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: ToneServer, params: None) -> None:
        ls.debouncer.cancel_all()

    return server


def _ignore_actions(
    ls: ToneServer, document: TextDocument, diagnostics: Iterable[types.Diagnostic]
) -> list[types.CodeAction]:
    by_rule: dict[str, list[types.Diagnostic]] = {}
    for diagnostic in diagnostics:
        data = actions.fix_data(diagnostic)
        if data is not None:
            by_rule.setdefault(data["rule"], []).append(diagnostic)
    if not by_rule:
        return []
    doc_path = ls.document_path(document)
    path = ls.engine.config_in_use(doc_path)
    if path is None:
        folder = ls.root or (doc_path.parent if doc_path else None)
        if folder is None or not _can_create_files(ls):
            return []
        path = folder / config_edit.NEW_FILE
    open_config = ls.open_document(path.as_uri())
    if open_config is not None:
        text, version = open_config.source, open_config.version
    else:
        try:
            text, version = (path.read_text(encoding="utf-8") if path.is_file() else None), None
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cannot read %s: %s", path, exc)
            return []
    out = []
    for rule, diags in by_rule.items():
        try:
            edit = config_edit.ignore_rule(path, text, rule)
        except Exception as exc:  # a file we cannot edit safely (or parse) gets no action
            log.warning("cannot add %s to `ignore` in %s: %s", rule, path, exc)
            continue
        if edit is None:
            continue
        out.append(actions.ignore_rule_action(
            rule, edit, text or "", version, diags, encoding=ls.encoding,
            document_changes=_document_changes(ls) and (version is not None or edit.create),
        ))
    return out


def start(tcp: str | None = None, log_level: str = "WARNING") -> None:
    """Run the server on stdio, or on ``HOST:PORT`` with ``tcp``."""
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.WARNING), format="tonecheck-lsp %(levelname)s %(name)s: %(message)s")
    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()

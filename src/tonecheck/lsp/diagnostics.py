"""Diagnostics: lint open documents and give the client their diagnostics.

- ``didOpen`` lints at once; ``didChange`` lints after ``debounceMs`` without
  another change to that document (``Debouncer``); ``didSave`` is in
  ``configuration`` (a saved configuration file reloads instead).
- Linting runs on the server's one lint thread, never on the event loop, so the
  server keeps answering while spaCy works.
- A result is kept only if the document is still open at the version that was
  linted; results for older versions are dropped.
- Clients that can pull diagnostics (``textDocument/diagnostic``) get them
  pulled; the others get ``textDocument/publishDiagnostics``.
- ``didClose`` cancels pending work and clears the document's diagnostics.
- A document over ``largeDocumentChars`` is linted in steps of about
  ``LARGE_STEP_CHARS`` (``Linter.incremental()``), so other documents' lints
  run between the steps and a newer version or a close stops the work.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from lsprotocol import types

from tonecheck.incremental import IncrementalCheck, Pieces, steps
from tonecheck.lsp.convert import SOURCE, PositionMap, to_diagnostics
from tonecheck.lsp.linting import DocumentLinter
from tonecheck.lsp.state import Result
from tonecheck.models import Finding

if TYPE_CHECKING:
    from tonecheck.lsp.server import ToneServer

log = logging.getLogger("tonecheck.lsp.server")

LARGE_STEP_CHARS = 20_000  # prepared characters per lint step of a large document (tens of milliseconds)

Outcome = tuple[list[Finding], list[str]]


def name(uri: str) -> str:
    return Path(urlparse(uri).path).name or uri


async def lint(ls: ToneServer, uri: str, *, republish: bool = False) -> Result | None:
    """Lint the document's current version; publish (push mode) and return the result, None if stale or failed.

    A version already linted under the current configuration is not linted
    again; ``republish`` sends its diagnostics once more (on save).
    """
    document = ls.open_document(uri)
    if document is None:
        return None
    version, text = document.version, document.source
    engine, generation = ls.engine, ls.generation
    current = ls.documents.result(uri, version, generation)
    if current is not None:
        if republish and not ls.pull:
            publish(ls, uri, current)
        return current
    fmt = ls.settings.format_for(document.language_id)
    path = ls.document_path(document)
    try:
        if len(text) > ls.settings.large_document_chars:
            outcome = await _lint_large(ls, engine, uri, version, text, path, fmt)
        else:
            outcome = await ls.on_lint_thread(_lint_job, ls, engine, uri, version, text, path, fmt)
    except Exception as exc:  # one document's failure must never take the server down
        _report_failure(ls, uri, exc)
        return None
    if outcome is None:
        return None
    findings, problems = outcome
    for problem in problems:
        ls.message(problem, types.MessageType.Warning)
    ls.documents.succeeded(uri)
    if not ls.documents.is_current(uri, version) or generation != ls.generation:
        return None  # the document moved on (or closed, or settings changed): never publish old results
    positions = PositionMap(text, ls.encoding)
    diagnostics = to_diagnostics(findings, positions, docs_url=ls.settings.docs_url)
    result = Result(version, generation, positions, findings, diagnostics)
    ls.documents.store(uri, result)
    if not ls.pull:
        publish(ls, uri, result)
    return result


def publish(ls: ToneServer, uri: str, result: Result) -> None:
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=result.version, diagnostics=result.diagnostics)
    )


def _lint_job(
    ls: ToneServer, engine: DocumentLinter, uri: str, version: int | None, text: str, path: Path | None, fmt: str
) -> Outcome | None:
    # Runs on the lint thread. Skip versions that were superseded while queued.
    if not ls.documents.is_current(uri, version):
        return None
    return engine.lint(text, path, fmt)


async def _lint_large(
    ls: ToneServer, engine: DocumentLinter, uri: str, version: int | None, text: str, path: Path | None, fmt: str
) -> Outcome | None:
    """Lint a document over ``largeDocumentChars`` in steps of about ``LARGE_STEP_CHARS``.

    Each step is one job on the lint thread, so jobs for other documents
    queued meanwhile run before the next step; a newer version or a close
    cancels this coroutine (the debouncer does) and the work stops at the
    step in progress. Pieces linted before a cancellation are kept.
    """
    linter, problems = await ls.on_lint_thread(engine.linter_for, path)
    checks = engine.checks(linter)
    why = checks.why_whole(text, fmt)
    # Cutting is plain Python, not spaCy: it runs beside the lint thread.
    draft = await ls.on_prepare_thread(IncrementalCheck.cut, text, fmt) if why is None else why
    if not isinstance(draft, Pieces):
        _tell_once(ls, uri, (
            f"tonecheck: {name(uri)} is not linted: it has {len(text):,} characters, more than the "
            f"largeDocumentChars setting ({ls.settings.large_document_chars:,}), and {draft}, so it can only be "
            "linted whole, which would hold up every other document. Raise largeDocumentChars to lint it anyway."
        ), types.MessageType.Warning, show=True)
        return [], problems
    _tell_once(ls, uri, (
        f"tonecheck: {name(uri)} has {len(text):,} characters, more than largeDocumentChars "
        f"({ls.settings.large_document_chars:,}): it is linted paragraph by paragraph in the background, "
        "and after that only where it changes."
    ), types.MessageType.Info)
    findings, missing = await _lint_in_steps(ls, checks, uri, version, draft)
    if findings is None:
        return None
    ls.log(types.MessageType.Log, (
        f"tonecheck: {name(uri)} (version {version}): linted {missing:,} of {len(draft.spans):,} paragraphs; "
        f"{len(draft.spans) - missing:,} unchanged"
    ))
    return findings, problems


async def _lint_in_steps(
    ls: ToneServer, checks: IncrementalCheck, uri: str, version: int | None, draft: Pieces
) -> tuple[list[Finding] | None, int]:
    """The draft's findings, linting its changed pieces a step at a time (None when it moved on)."""
    try:
        missing = await ls.on_lint_thread(checks.missing, uri, draft)
        for step in steps([draft.spans[i] for i in missing], LARGE_STEP_CHARS):
            if not ls.documents.is_current(uri, version):
                return None, 0
            await ls.on_lint_thread(checks.lint, uri, [draft.prepared[a:b] for a, b in step])
        return await ls.on_lint_thread(checks.assemble, uri, draft), len(missing)
    except asyncio.CancelledError:
        why_stopped = "it was closed" if not ls.documents.is_open(uri) else "it changed"
        ls.log(types.MessageType.Info, f"tonecheck: stopped linting {name(uri)} (version {version}): {why_stopped}")
        raise


def _tell_once(ls: ToneServer, uri: str, text: str, kind: types.MessageType, *, show: bool = False) -> None:
    """Say ``text`` about a document once while it stays open (not on every keystroke)."""
    if not ls.documents.first_telling(uri, text):
        return
    log.info("%s", text)
    if show:
        ls.window_show_message(types.ShowMessageParams(type=kind, message=text))
    ls.log(kind, text)


def _report_failure(ls: ToneServer, uri: str, exc: BaseException) -> None:
    detail = "".join(traceback.format_exception(exc)).rstrip()
    log.error("linting %s failed:\n%s", uri, detail)
    ls.log(types.MessageType.Error, f"tonecheck: linting {uri} failed:\n{detail}")
    summary = f"tonecheck could not lint {name(uri)}: {type(exc).__name__}: {exc}"
    if ls.documents.failed(uri, summary):  # once per distinct failure, not on every keystroke
        ls.message(summary + " (details in the log)", types.MessageType.Error)


async def current_result(ls: ToneServer, uri: str) -> Result | None:
    """The result for the document's current version, waiting for (or starting) its lint."""
    while True:
        document = ls.open_document(uri)
        if document is None:
            return None
        version = document.version
        result = ls.documents.result(uri, version, ls.generation)
        if result is not None:
            return result
        task = ls.debouncer.pending(uri) or ls.schedule(uri, 0)
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # this request itself was cancelled
            continue  # superseded by a newer edit: wait for that one
        if result is not None:
            return result
        latest = ls.open_document(uri)
        if latest is None or latest.version == version:
            return None  # linting failed for this version; it was reported


def register(server: ToneServer) -> None:
    """The document lifecycle and diagnostics features."""

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ToneServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.documents.open(params.text_document.uri, params.text_document.version)
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ToneServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.documents.change(uri, params.text_document.version):
            ls.schedule(uri, ls.settings.debounce_ms / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ToneServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.documents.close(uri)  # before cancelling: the lint sees why it stopped
        ls.debouncer.cancel(uri)
        ls.after_queued_lints(ls.engine.forget, uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False),
    )
    async def pull_diagnostics(ls: ToneServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        result = await current_result(ls, params.text_document.uri)
        if result is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if params.previous_result_id == result.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result.result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=result.diagnostics, result_id=result.result_id)

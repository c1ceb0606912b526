"""Code actions: one quick fix per suggested rewrite, and "ignore this rule in this workspace".

Quick fixes are built from the diagnostic's own ``data`` (rule, matched text,
suggestions), checked against the document's current text so a stale
diagnostic never rewrites the wrong words. The ignore action edits the
configuration file in use through a ``WorkspaceEdit`` (see ``config_edit``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.workspace import TextDocument

from tonecheck.lsp import config_edit
from tonecheck.lsp.config_edit import ConfigEdit
from tonecheck.lsp.convert import SOURCE, PositionMap
from tonecheck.lsp.diagnostics import current_result
from tonecheck.lsp.state import overlaps

if TYPE_CHECKING:
    from tonecheck.lsp.server import ToneServer

log = logging.getLogger("tonecheck.lsp.server")


def fix_data(diagnostic: types.Diagnostic) -> dict[str, Any] | None:
    """The quick-fix data of one of our diagnostics, or None if it is not ours or is malformed."""
    data = diagnostic.data
    if diagnostic.source != SOURCE or not isinstance(data, dict):
        return None
    if not isinstance(data.get("rule"), str) or not isinstance(data.get("match"), str):
        return None
    suggestions = data.get("suggestions")
    if not isinstance(suggestions, list) or not all(isinstance(s, str) for s in suggestions):
        return None
    return data


def _document_edit(
    uri: str, version: int | None, edits: list[types.TextEdit], document_changes: bool
) -> types.WorkspaceEdit:
    if document_changes:
        return types.WorkspaceEdit(document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=edits,
            )
        ])
    return types.WorkspaceEdit(changes={uri: edits})


def quick_fixes(
    uri: str,
    version: int | None,
    diagnostics: Sequence[types.Diagnostic],
    positions: PositionMap,
    *,
    document_changes: bool,
) -> list[types.CodeAction]:
    """One "Replace with ..." action per suggestion of each diagnostic whose words are still there."""
    actions: list[types.CodeAction] = []
    for diagnostic in diagnostics:
        data = fix_data(diagnostic)
        if data is None:
            continue
        start = positions.offset(diagnostic.range.start)
        end = positions.offset(diagnostic.range.end)
        if positions.text[start:end] != data["match"]:
            continue  # the text changed since this diagnostic was computed
        for index, suggestion in enumerate(data["suggestions"]):
            edit = types.TextEdit(range=diagnostic.range, new_text=suggestion)
            actions.append(types.CodeAction(
                title=f"Replace with “{suggestion}”",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                # Only a replacement tested on the rule's examples (`fixed:`) may be applied with one key.
                is_preferred=index == 0 and data.get("preferred") is True,
                edit=_document_edit(uri, version, [edit], document_changes),
            ))
    return actions


def ignore_rule_action(
    rule: str,
    edit: ConfigEdit,
    file_text: str,
    file_version: int | None,
    diagnostics: Sequence[types.Diagnostic],
    *,
    encoding: str,
    document_changes: bool,
) -> types.CodeAction:
    """Add ``rule`` to ``ignore`` in the configuration file; creates `.tonecheck.yaml` when there is none."""
    uri = edit.path.as_uri()
    positions = PositionMap(file_text, encoding)
    text_edit = types.TextEdit(range=positions.range(edit.start, edit.end), new_text=edit.new_text)
    if edit.create:
        changes: list[Any] = [
            types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[text_edit],
            ),
        ]
        workspace_edit = types.WorkspaceEdit(document_changes=changes)
        where = f"new {edit.path.name}"
    else:
        workspace_edit = _document_edit(uri, file_version, [text_edit], document_changes)
        where = edit.path.name
    return types.CodeAction(
        title=f"Ignore `{rule}` in this workspace ({where})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=list(diagnostics),
        edit=workspace_edit,
    )


def _document_changes(ls: ToneServer) -> bool:
    return bool(ls.capability("workspace.workspace_edit.document_changes", False))


def _can_create_files(ls: ToneServer) -> bool:
    operations = ls.capability("workspace.workspace_edit.resource_operations", None) or []
    return _document_changes(ls) and types.ResourceOperationKind.Create in operations


def _config_file_text(ls: ToneServer, path: Any) -> tuple[str | None, int | None] | None:
    """The configuration file's text (None: it does not exist) and open version; None when unreadable."""
    open_config = ls.open_document(path.as_uri())
    if open_config is not None:
        return open_config.source, open_config.version
    try:
        return (path.read_text(encoding="utf-8") if path.is_file() else None), None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None


def _ignore_actions(
    ls: ToneServer, document: TextDocument, diagnostics: Iterable[types.Diagnostic]
) -> list[types.CodeAction]:
    by_rule: dict[str, list[types.Diagnostic]] = {}
    for diagnostic in diagnostics:
        data = fix_data(diagnostic)
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
    found = _config_file_text(ls, path)
    if found is None:
        return []
    text, version = found
    out = []
    for rule, diags in by_rule.items():
        try:
            edit = config_edit.ignore_rule(path, text, rule)
        except Exception as exc:  # a file we cannot edit safely (or parse) gets no action
            log.warning("cannot add %s to `ignore` in %s: %s", rule, path, exc)
            continue
        if edit is None:
            continue
        out.append(ignore_rule_action(
            rule, edit, text or "", version, diags, encoding=ls.encoding,
            document_changes=_document_changes(ls) and (version is not None or edit.create),
        ))
    return out


def _wants_quick_fixes(only: Sequence[str] | None) -> bool:
    return not only or any(
        str(kind).startswith(types.CodeActionKind.QuickFix) or kind == types.CodeActionKind.QuickFix for kind in only
    )


def register(server: ToneServer) -> None:
    """Quick fixes and "ignore this rule"."""

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def code_action(ls: ToneServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        if not _wants_quick_fixes(params.context.only):
            return []
        uri = params.text_document.uri
        document = ls.open_document(uri)
        if document is None:
            return []
        diagnostics = [d for d in params.context.diagnostics if d.source == SOURCE]
        if not diagnostics:  # clients that send no context get the server's own diagnostics there
            result = await current_result(ls, uri)
            diagnostics = [d for d in (result.diagnostics if result else []) if overlaps(d.range, params.range)]
        positions = PositionMap(document.source, ls.encoding)
        found = quick_fixes(uri, document.version, diagnostics, positions, document_changes=_document_changes(ls))
        return found + _ignore_actions(ls, document, diagnostics)

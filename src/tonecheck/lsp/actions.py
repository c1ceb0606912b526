"""Code actions: one quick fix per suggested rewrite, and "ignore this rule in this workspace".

Quick fixes are built from the diagnostic's own ``data`` (rule, matched text,
suggestions), checked against the document's current text so a stale
diagnostic never rewrites the wrong words. The ignore action edits the
configuration file in use through a ``WorkspaceEdit`` (see ``config_edit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from tonecheck.lsp.config_edit import ConfigEdit
from tonecheck.lsp.convert import SOURCE, PositionMap


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

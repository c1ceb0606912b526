"""Hover: why a flagged span hurts and what to write instead, in Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from tonecheck.lsp.diagnostics import current_result
from tonecheck.models import Finding
from tonecheck.ruledoc import finding_markdown

if TYPE_CHECKING:
    from tonecheck.lsp.server import ToneServer


def at_offset(findings: Sequence[Finding], offset: int) -> list[Finding]:
    """Findings whose span holds ``offset`` (or ends right at it, when none holds it)."""
    inside = [f for f in findings if f.start <= offset < f.end]
    return inside or [f for f in findings if f.end == offset]


def hover_markdown(findings: Sequence[Finding], docs_url: str) -> str:
    """The explanation, better phrasings and a documentation link for each finding."""
    return "\n\n---\n\n".join(finding_markdown(f, docs_url) for f in findings)


def register(server: ToneServer) -> None:
    """Hover over a flagged span."""

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ToneServer, params: types.HoverParams) -> types.Hover | None:
        result = await current_result(ls, params.text_document.uri)
        if result is None:
            return None
        found = at_offset(result.findings, result.positions.offset(params.position))
        if not found:
            return None
        markdown = types.MarkupKind.Markdown
        formats = ls.capability("text_document.hover.content_format", None) or [markdown]
        kind = markdown if markdown in formats else types.MarkupKind.PlainText
        return types.Hover(
            contents=types.MarkupContent(kind=kind, value=hover_markdown(found, ls.settings.docs_url)),
            range=result.positions.range(min(f.start for f in found), max(f.end for f in found)),
        )

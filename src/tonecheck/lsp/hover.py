"""Hover: why a flagged span hurts and what to write instead, in Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from tonecheck.models import Finding
from tonecheck.ruledoc import finding_markdown


def at_offset(findings: Sequence[Finding], offset: int) -> list[Finding]:
    """Findings whose span holds ``offset`` (or ends right at it, when none holds it)."""
    inside = [f for f in findings if f.start <= offset < f.end]
    return inside or [f for f in findings if f.end == offset]


def hover_markdown(findings: Sequence[Finding], docs_url: str) -> str:
    """The explanation, better phrasings and a documentation link for each finding."""
    return "\n\n---\n\n".join(finding_markdown(f, docs_url) for f in findings)

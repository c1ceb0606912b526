"""Hover: why a flagged span hurts and what to write instead, in Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from tonecheck.lsp.convert import rule_url
from tonecheck.models import Finding


def at_offset(findings: Sequence[Finding], offset: int) -> list[Finding]:
    """Findings whose span holds ``offset`` (or ends right at it, when none holds it)."""
    inside = [f for f in findings if f.start <= offset < f.end]
    return inside or [f for f in findings if f.end == offset]


def hover_markdown(findings: Sequence[Finding], docs_url: str) -> str:
    """The explanation, better phrasings and a documentation link for each finding."""
    return "\n\n---\n\n".join(_one(f, docs_url) for f in findings)


def _one(f: Finding, docs_url: str) -> str:
    parts = [f"**{f.message}**", f"`{f.rule}` · {f.category} · {f.severity.value}", f.explanation]
    if f.suggestions:
        parts.append("**Better phrasings:**\n" + "\n".join(f"- “{s}”" for s in f.suggestions))
    if f.advice:
        parts.append(f.advice.strip())
    parts.append(f"[Rule documentation]({rule_url(f.rule, docs_url)})")
    return "\n\n".join(p for p in parts if p)

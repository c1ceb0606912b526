"""Findings to ``lsprotocol`` diagnostics: the one pure conversion, and position math.

Findings carry 0-based code-point offsets into the text. LSP positions are a
line and a column counted in the negotiated encoding: UTF-16 code units unless
the client chose ``utf-8`` or ``utf-32``. An emoji before a span is one code
point but two UTF-16 units and four UTF-8 bytes. Lines end at ``\\n``, ``\\r\\n``
or ``\\r``, as the LSP specification says.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lsprotocol import types

from tonecheck.lines import ANY_BREAK, LineIndex
from tonecheck.models import Finding
from tonecheck.ruledoc import rule_url
from tonecheck.schema import Severity

SOURCE = "tonecheck"

SEVERITIES: dict[Severity, types.DiagnosticSeverity] = {
    Severity.error: types.DiagnosticSeverity.Error,
    Severity.warning: types.DiagnosticSeverity.Warning,
    Severity.info: types.DiagnosticSeverity.Information,
    Severity.hint: types.DiagnosticSeverity.Hint,
}

def _units(text: str, encoding: str) -> int:
    """Length of ``text`` in the encoding's code units."""
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class PositionMap:
    """Converts between code-point offsets and LSP positions for one text."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16):
        self.text = text
        self.encoding = str(encoding)
        self.lines = LineIndex(text, ANY_BREAK)
        self.starts = self.lines.starts

    def _line_end(self, line: int) -> int:
        """Offset of the line break ending ``line`` (or the end of the text)."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            return end - 2 if self.text[end - 2 : end] == "\r\n" else end - 1
        return len(self.text)

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = self.lines.line_of(offset)
        start = self.starts[line]
        return types.Position(line=line, character=_units(self.text[start:offset], self.encoding))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: types.Position) -> int:
        """The code-point offset of ``position``, clamped to its line (a column past the end is the end)."""
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        end = self._line_end(position.line)
        units = 0
        for index in range(start, end):
            if units >= position.character:
                return index
            units += _units(self.text[index], self.encoding)
        return end


def diagnostic_data(finding: Finding) -> dict[str, Any]:
    """What the quick fixes need, carried by the diagnostic itself."""
    return {
        "rule": finding.rule, "match": finding.match, "suggestions": list(finding.suggestions),
        "preferred": finding.fix_tested,
    }


def to_diagnostics(
    findings: Iterable[Finding],
    positions: PositionMap,
    *,
    docs_url: str,
) -> list[types.Diagnostic]:
    """One diagnostic per finding, ranges in the client's position encoding.

    Uses only the findings' code-point ``start``/``end`` offsets (not their
    line/column), so findings may come from linting a part of the text. A
    finding inside a decoded MIME part (base64 e-mail) has no place in the
    document's text: it is shown at the top, saying which part and line.
    """
    return [
        types.Diagnostic(
            range=positions.range(0, 0) if f.part else positions.range(f.start, f.end),
            severity=SEVERITIES[f.severity],
            code=f.rule,
            code_description=types.CodeDescription(href=rule_url(f.rule, docs_url)),
            source=SOURCE,
            message=f"(MIME part {f.part}, line {f.line}) {f.message}" if f.part else f.message,
            data=diagnostic_data(f),
        )
        for f in findings
    ]

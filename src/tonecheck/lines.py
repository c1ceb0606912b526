"""The line-start index: offsets to lines and columns, and back.

One home for the question "which line is offset N on?". ``LineIndex(text)``
counts lines as the engine does (a line ends at ``\\n``; lines and columns are
1-based, as findings report them). ``LineIndex(text, breaks=ANY_BREAK)`` ends
lines at ``\\r\\n``, ``\\r`` or ``\\n`` too, as the LSP specification does.
"""

from __future__ import annotations

import re
from bisect import bisect_right

NEWLINE = re.compile("\n")
ANY_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """The offset each line of ``text`` starts at (``starts[0] == 0``)."""

    def __init__(self, text: str, breaks: re.Pattern[str] = NEWLINE):
        self.text = text
        self.starts = [0] + [m.end() for m in breaks.finditer(text)]

    def line_of(self, offset: int) -> int:
        """The 0-based line holding ``offset``."""
        return bisect_right(self.starts, offset) - 1

    def start(self, line: int) -> int:
        """Where the 1-based ``line`` starts (the end of the text past the last line)."""
        return self.starts[line - 1] if line - 1 < len(self.starts) else len(self.text)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset``."""
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> dict[str, int]:
        """A finding's offset and line/column fields for ``start:end``."""
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return {"start": start, "end": end, "line": line, "column": column, "end_line": end_line, "end_column": end_column}

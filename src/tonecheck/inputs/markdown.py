"""Markdown: block structure from a real CommonMark parser, inline code by pattern.

markdown-it-py gives each block token the source lines it spans, so fenced and
indented code and block quotes are blanked line by line. Inline code spans,
link targets, HTML tags and comments sit inside lines, where the parser keeps
no columns; those are blanked by pattern afterwards.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

# Raw HTML blocks are not skipped whole: CommonMark renders them as they are, so
# text on a comment's line is visible. Tags and comments are blanked by pattern.
_SKIPPED_BLOCKS = {"fence", "code_block"}

_parser = MarkdownIt("commonmark")


def skipped_lines(text: str) -> set[int]:
    """0-based line numbers that hold code or quoted text."""
    lines: set[int] = set()
    for token in _parser.parse(text):
        if token.map is None:
            continue
        if token.type in _SKIPPED_BLOCKS or token.type == "blockquote_open":
            lines.update(range(token.map[0], token.map[1]))
    return lines


def blank_blocks(text: str) -> str:
    """``text`` with every skipped line replaced by spaces of the same length."""
    skipped = skipped_lines(text)
    if not skipped:
        return text
    out = []
    for number, line in enumerate(text.split("\n")):
        out.append(" " * len(line) if number in skipped else line)
    return "\n".join(out)

"""HTML: the visible text only, with entities decoded and every offset traceable.

Python's own ``html.parser`` is a real, forgiving HTML tokenizer (it copes with
the tag soup helpdesks store). With ``convert_charrefs=False`` it reports text
and character references separately, each at a known position, so decoded text
can be mapped back to the exact characters of the source.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

from tonecheck.inputs.prepared import Builder, Prepared
from tonecheck.lines import LineIndex

# Content of these elements is never the agent's visible prose.
SKIPPED = {"script", "style", "head", "template", "blockquote", "title", "noscript", "code", "pre"}
# Tags that end a paragraph: a break keeps sentences from gluing together.
BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "hr", "blockquote", "pre", "dd", "dt",
}


class _Visible(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.lines = LineIndex(source)
        self.out = Builder()
        self.skip_depth = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.lines.start(line) + column

    def _break(self) -> None:
        at = self._offset()
        self.out.replace("\n\n", at, at)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIPPED:
            self.skip_depth += 1
        if tag in BLOCK:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in BLOCK:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.skip_depth:
            self.skip_depth -= 1
        if tag in BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.out.copy(data, self._offset())

    def _reference(self, raw: str) -> None:
        if self.skip_depth:
            return
        start = self._offset()
        # The parser has consumed "&name" and an optional ";".
        end = start + len(raw)
        if self.source.startswith(";", end):
            end += 1
        self.out.replace(html.unescape(self.source[start:end]), start, end)

    def handle_entityref(self, name: str) -> None:
        self._reference("&" + name)

    def handle_charref(self, name: str) -> None:
        self._reference("&#" + name)


def visible_text(source: str) -> Prepared:
    parser = _Visible(source)
    parser.feed(source)
    parser.close()
    return parser.out.build()

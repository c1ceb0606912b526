"""Incremental checking: successive versions of a draft, re-linting only the paragraphs that changed.

Typing changes one paragraph, but the engine's cost grows with the whole
draft. So the draft is prepared once (quotes, signatures, code and templates
blanked in place; ``tonecheck.inputs.prepare``), cut at the line breaks that
survive preparation (each starts a sentence for the engine, and no rule
matches across one), and each piece is linted on its own and remembered by its
prepared text. An edit re-lints only the piece it touched.

Where that could differ from linting the whole text, the whole text is linted
instead: HTML (prepared text has its own offsets), inline ``tonecheck-disable``
directives (they span paragraphs), a trained ``model`` (statistical sentence
splitting), and a finding whose span holds blanked text. ``tests/test_lsp.py``
checks that both ways give the same findings on real replies.

**In steps** (``Pieces``): a large draft can be linted a few pieces at a time
(``missing``, ``lint``, ``assemble``), so a caller (the language server) can
run other work between the steps and stop when the draft moves on.

``Linter.incremental()`` gives the ``IncrementalCheck`` a front end keeps per
linter; its methods must not run concurrently with each other.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tonecheck.inputs import Prepared, prepare, sniff
from tonecheck.lines import LineIndex
from tonecheck.models import Finding
from tonecheck.suppressions import parse as parse_suppressions

if TYPE_CHECKING:
    from tonecheck.linter import Linter

_PIECE_END = re.compile(r"\n\s*")
MEMORY_SIZE = 4096  # paragraphs remembered per linter


def pieces(prepared: str) -> list[tuple[int, int]]:
    """(start, end) of each piece: up to and including the whitespace after a surviving line break."""
    bounds = [0] + [m.end() for m in _PIECE_END.finditer(prepared)]
    if bounds[-1] != len(prepared):
        bounds.append(len(prepared))
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def steps(spans: list[tuple[int, int]], budget: int) -> Iterator[list[tuple[int, int]]]:
    """Consecutive groups of pieces of about ``budget`` characters."""
    step: list[tuple[int, int]] = []
    size = 0
    for span in spans:
        step.append(span)
        size += span[1] - span[0]
        if size >= budget:
            yield step
            step, size = [], 0
    if step:
        yield step


class ParagraphMemory:
    """Findings per prepared paragraph, offsets relative to the paragraph (least recently used first)."""

    def __init__(self, size: int = MEMORY_SIZE):
        self.size = size
        self.found: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()

    def get(self, text: str) -> tuple[Finding, ...] | None:
        hit = self.found.get(text)
        if hit is not None:
            self.found.move_to_end(text)
        return hit

    def put(self, text: str, findings: tuple[Finding, ...]) -> None:
        self.found[text] = findings
        self.found.move_to_end(text)
        while len(self.found) > self.size:
            self.found.popitem(last=False)


def _moved(f: Finding, by: int, text: str, lines: LineIndex) -> Finding:
    """A piece's finding placed in the whole ``text`` (offsets, match, line and column)."""
    return _placed(f, f.start + by, f.end + by, text, lines)


def _placed(f: Finding, start: int, end: int, text: str, lines: LineIndex) -> Finding:
    """``f`` at ``start:end`` of ``text``, its match, line and column taken from there."""
    return f.model_copy(update={**lines.span(start, end), "match": text[start:end]})


@dataclass
class Pieces:
    """A draft cut into prepared pieces, for linting in steps."""

    text: str
    prepared: str
    spans: list[tuple[int, int]]

    def texts(self, indexes: list[int] | None = None) -> list[str]:
        chosen = self.spans if indexes is None else [self.spans[i] for i in indexes]
        return [self.prepared[a:b] for a, b in chosen]


class IncrementalCheck:
    """Checks drafts with one ``Linter``, remembering paragraphs between versions."""

    def __init__(self, linter: Linter):
        self.linter = linter
        self.memory = ParagraphMemory()
        self._documents: dict[str, dict[str, tuple[Finding, ...]]] = {}  # key -> piece text -> findings

    def _whole(self, text: str, input_format: str) -> list[Finding]:
        return list(self.linter.check(text, input_format=input_format).findings)

    def check(self, text: str, input_format: str) -> list[Finding]:
        """The same findings as ``linter.check(text, input_format=...)``, re-linting only changed paragraphs."""
        if self.linter.config.model is not None or parse_suppressions(text):
            return self._whole(text, input_format)
        prepared = prepare(text, input_format)
        if not (_lines_up(prepared) or _crlf_only(prepared, text, input_format)):
            # HTML, a saved e-mail message with encoded parts: the prepared text is not the document's.
            return self._whole(text, input_format)
        ptext = prepared.text
        # Offsets of the prepared text in the document: the same, or shifted by each CRLF folded to LF.
        starts = prepared.starts if prepared.starts is not None else range(len(ptext))
        ends = prepared.ends if prepared.ends is not None else range(1, len(ptext) + 1)
        spans = pieces(ptext)
        known = [self.memory.get(ptext[a:b]) for a, b in spans]
        missing = sum(b - a for (a, b), hit in zip(spans, known) if hit is None)
        if missing * 2 > len(ptext):
            # Mostly new text (a document just opened): one pass over the whole text is
            # cheaper than many small ones; remember its findings paragraph by paragraph.
            findings = self._whole(text, input_format)
            if prepared.starts is None:
                self._remember(ptext, spans, findings)
            else:
                self._remember_linted(ptext, spans)
            return findings
        lines = LineIndex(text)
        out: list[Finding] = []
        for (start, end), hit in zip(spans, known):
            if hit is None:
                hit = tuple(self.linter.check(ptext[start:end], input_format="text").findings)
                self.memory.put(ptext[start:end], hit)
            for f in hit:
                s, e = f.start + start, f.end + start
                at, to = starts[s], ends[e - 1]
                if ptext[s:e].split() != text[at:to].split():  # blanked text inside the span
                    return self._whole(text, input_format)
                out.append(_placed(f, at, to, text, lines))
        return out

    def _remember_linted(self, ptext: str, spans: list[tuple[int, int]]) -> None:
        """Lint each piece of a mapped (CRLF) text on its own, so the next version can reuse them."""
        texts = [ptext[a:b] for a, b in spans]
        for piece, report in zip(texts, self.linter.check_many(texts, input_format="text")):
            self.memory.put(piece, tuple(report.findings))

    def _remember(self, ptext: str, spans: list[tuple[int, int]], findings: list[Finding]) -> None:
        starts = [a for a, _ in spans]
        per_piece: list[list[Finding]] = [[] for _ in spans]
        for f in findings:
            index = bisect_right(starts, f.start) - 1
            if f.end > spans[index][1]:  # crosses a piece: do not cache anything (never seen in practice)
                return
            per_piece[index].append(f.model_copy(update={"start": f.start - starts[index], "end": f.end - starts[index]}))
        for (a, b), found in zip(spans, per_piece):
            self.memory.put(ptext[a:b], tuple(found))

    # -- in steps, for large drafts ------------------------------------------------

    def why_whole(self, text: str, input_format: str) -> str | None:
        """Why ``text`` can only be linted whole (never in steps), or None."""
        if self.linter.config.model is not None:
            return "it is linted with a trained spaCy pipeline (the `model` setting), whose sentences depend on the whole text"
        if parse_suppressions(text):
            return "it holds tonecheck-disable comments, which reach across paragraphs"
        if input_format == "html" or (input_format == "auto" and sniff(text) == "html"):
            return "it is HTML, whose visible text is only known from the whole document"
        return None

    @staticmethod
    def cut(text: str, input_format: str) -> Pieces | str:
        """The draft's pieces, or why it has none (plain Python, no spaCy: may run beside a check)."""
        prepared = prepare(text, input_format)
        if prepared.starts is not None:
            return "it is HTML, whose visible text is only known from the whole document"
        return Pieces(text, prepared.text, pieces(prepared.text))

    def missing(self, key: str, draft: Pieces) -> list[int]:
        """Indexes of the pieces of document ``key`` not linted yet in their current form."""
        known = self._documents.setdefault(key, {})
        return [i for i, piece in enumerate(draft.texts()) if piece not in known]

    def lint(self, key: str, texts: list[str]) -> None:
        """Lint prepared pieces of document ``key`` (one step) and remember their findings."""
        known = self._documents.setdefault(key, {})
        for text, report in zip(texts, self.linter.check_many(texts, input_format="text")):
            known[text] = tuple(report.findings)

    def assemble(self, key: str, draft: Pieces) -> list[Finding]:
        """The draft's findings from its pieces' (all linted by now); forgets pieces it no longer has."""
        known = self._documents.get(key, {})
        lines = LineIndex(draft.text)
        out = [
            _moved(f, start, draft.text, lines)
            for (start, end) in draft.spans
            for f in known[draft.prepared[start:end]]
        ]
        self._documents[key] = {piece: known[piece] for piece in set(draft.texts())}
        return out

    def forget(self, key: str) -> None:
        """A closed document's pieces."""
        self._documents.pop(key, None)


def _crlf_only(prepared: Prepared, text: str, input_format: str) -> bool:
    """Whether the prepared text differs from ``text`` only by CRLF line ends folded to LF."""
    if prepared.starts is None or prepared.more or prepared.offset or prepared.part or "\r\n" not in text:
        return False
    if input_format == "html" or (input_format == "auto" and sniff(text) == "html"):
        return False
    return len(prepared.text) == len(text) - text.count("\r\n")


def _lines_up(prepared: Prepared) -> bool:
    return not (prepared.starts is not None or prepared.more or prepared.offset or prepared.part)

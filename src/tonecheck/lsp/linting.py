"""Linting for the server: which configuration a document uses, and paragraph reuse.

Everything here runs on the server's one lint thread (a ``Linter`` is not
documented as safe for concurrent use), never on the event loop.

**Configuration.** A document uses the nearest ``.tonecheck.yaml`` or
``pyproject.toml [tool.tonecheck]`` above it, the ``config`` setting's file on
top, then the editor settings as overrides: the same layers as the CLI. A layer
that fails to load is reported once and the document falls back to the defaults.

**Paragraph reuse.** Typing changes one paragraph, but the engine's cost grows
with the whole draft. So the draft is prepared once (quotes, signatures, code
and templates blanked in place; ``tonecheck.inputs.prepare``), cut at the line
breaks that survive preparation (each starts a sentence for the engine, and no
rule matches across one), and each piece is linted on its own and remembered by
its prepared text. An edit re-lints only the piece it touched. Where that could
differ from linting the whole text, the whole text is linted instead: HTML
(prepared text has its own offsets), inline ``tonecheck-disable`` directives
(they span paragraphs), a trained ``model`` (statistical sentence splitting),
and a finding whose span holds blanked text. ``tests/test_lsp.py`` checks that
both ways give the same findings on real replies.

**Large documents** (over the ``largeDocumentChars`` setting) are never linted
in one piece: the server lints their pieces in small steps on the lint
thread (``missing_pieces``, ``lint_pieces``, ``assemble``), so other
documents' lints run between the steps and a newer version or a close stops
the work at the next step. Each large document remembers its pieces' findings
while it is open, so after the first pass an edit lints only the pieces it
changed. Where linting by pieces could differ from the whole text (the cases
above), a large document is not linted and ``why_not_in_pieces`` says why.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from tonecheck.config import Config, find_project_config, resolve_config
from tonecheck.errors import TonecheckError
from tonecheck.inputs import prepare, sniff
from tonecheck.linter import Linter
from tonecheck.linter_cache import LinterCache
from tonecheck.lines import LineIndex
from tonecheck.lsp.settings import ServerSettings
from tonecheck.models import Finding

log = logging.getLogger(__name__)

_PIECE_END = re.compile(r"\n\s*")
_CACHE_SIZE = 4096


@dataclass
class _Pieces:
    """Findings per prepared paragraph, offsets relative to the paragraph (least recently used first)."""

    found: OrderedDict[str, tuple[Finding, ...]] = field(default_factory=OrderedDict)

    def get(self, text: str) -> tuple[Finding, ...] | None:
        hit = self.found.get(text)
        if hit is not None:
            self.found.move_to_end(text)
        return hit

    def put(self, text: str, findings: tuple[Finding, ...]) -> None:
        self.found[text] = findings
        self.found.move_to_end(text)
        while len(self.found) > _CACHE_SIZE:
            self.found.popitem(last=False)


def pieces(prepared: str) -> list[tuple[int, int]]:
    """(start, end) of each piece: up to and including the whitespace after a surviving line break."""
    bounds = [0] + [m.end() for m in _PIECE_END.finditer(prepared)]
    if bounds[-1] != len(prepared):
        bounds.append(len(prepared))
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


class DocumentLinter:
    """Lints documents with the configuration that applies to each; one per settings/config generation."""

    def __init__(self, settings: ServerSettings, root: Path | None):
        self.settings = settings
        self.root = root
        self._by_folder: dict[Path | None, Linter] = {}
        self._by_config = LinterCache()
        self._pieces: dict[int, _Pieces] = {}
        self._large: dict[str, dict[str, tuple[Finding, ...]]] = {}  # uri -> piece text -> findings
        self._reported: set[str] = set()

    # -- configuration -------------------------------------------------------

    def linter_for(self, path: Path | None) -> tuple[Linter, list[str]]:
        """The linter for a document at ``path`` (None: unsaved) and any new problems to report."""
        folder = path.parent if path is not None else self.root
        linter = self._by_folder.get(folder)
        if linter is not None:
            return linter, []
        problems: list[str] = []
        try:
            config = resolve_config(
                folder,
                config_file=self.settings.config_file(self.root),
                overrides=self.settings.engine_overrides(self.root) or None,
            )
            linter = self._linter(config)
        except TonecheckError as exc:
            message = f"tonecheck: {exc}; using the default configuration"
            if message not in self._reported:
                self._reported.add(message)
                problems.append(message)
            linter = self._linter(Config())
        self._by_folder[folder] = linter
        return linter, problems

    def _linter(self, config: Config) -> Linter:
        return self._by_config.get(config)

    def linters(self) -> list[Linter]:
        """The linters built so far (for the pack paths they use)."""
        return list(self._by_config)

    def config_in_use(self, path: Path | None) -> Path | None:
        """The file "ignore this rule" should edit: the `config` setting's, else the nearest project file."""
        explicit = self.settings.config_file(self.root)
        if explicit is not None and explicit.is_file():
            return explicit
        start = path.parent if path is not None else self.root
        return find_project_config(start) if start is not None else None

    # -- linting ---------------------------------------------------------------

    def lint(self, text: str, path: Path | None, input_format: str) -> tuple[list[Finding], list[str]]:
        """Findings for ``text`` (sorted by position) and problems to report."""
        linter, problems = self.linter_for(path)
        return lint_text(linter, self._cache(linter), text, input_format), problems

    def _cache(self, linter: Linter) -> _Pieces:
        return self._pieces.setdefault(id(linter), _Pieces())

    # -- large documents, in steps (each call runs on the lint thread) ----------

    @staticmethod
    def why_not_in_pieces(linter: Linter, text: str, input_format: str) -> str | None:
        """Why ``text`` can only be linted whole (so a large one is not linted), or None."""
        if linter.config.model is not None:
            return "it is linted with a trained spaCy pipeline (the `model` setting), whose sentences depend on the whole text"
        if "tonecheck-" in text:
            return "it holds tonecheck-disable comments, which reach across paragraphs"
        if input_format == "html" or (input_format == "auto" and sniff(text) == "html"):
            return "it is HTML, whose visible text is only known from the whole document"
        return None

    def missing_pieces(self, uri: str, ptext: str, spans: list[tuple[int, int]]) -> list[int]:
        """Indexes of the pieces this document has not linted yet in its current form."""
        known = self._large.setdefault(uri, {})
        return [i for i, (a, b) in enumerate(spans) if ptext[a:b] not in known]

    def lint_pieces(self, uri: str, linter: Linter, texts: list[str]) -> None:
        """Lint prepared pieces (one step) and remember their findings, offsets relative to each piece."""
        known = self._large.setdefault(uri, {})
        for text, report in zip(texts, linter.check_many(texts, input_format="text")):
            known[text] = tuple(report.findings)

    def assemble(self, uri: str, text: str, ptext: str, spans: list[tuple[int, int]]) -> list[Finding]:
        """The document's findings from its pieces' (all linted by now); forgets pieces it no longer has."""
        known = self._large.get(uri, {})
        current = {ptext[a:b] for a, b in spans}
        lines = LineIndex(text)
        out: list[Finding] = []
        for start, end in spans:
            for f in known[ptext[start:end]]:
                s, e = f.start + start, f.end + start
                line, column = lines.position(s)
                end_line, end_column = lines.position(e)
                out.append(f.model_copy(update={
                    "start": s, "end": e, "match": text[s:e],
                    "line": line, "column": column, "end_line": end_line, "end_column": end_column,
                }))
        self._large[uri] = {piece: known[piece] for piece in current}
        return out

    def forget(self, uri: str) -> None:
        """A closed document's pieces."""
        self._large.pop(uri, None)


def lint_text(linter: Linter, cache: _Pieces | None, text: str, input_format: str) -> list[Finding]:
    """The same findings as ``linter.check(text, input_format=...)``, re-linting only changed paragraphs."""
    if cache is None or linter.config.model is not None or "tonecheck" in text.lower():
        return list(linter.check(text, input_format=input_format).findings)
    prepared = prepare(text, input_format)
    if prepared.starts is not None or prepared.more or prepared.offset or prepared.part:
        # HTML, CRLF line ends, a saved e-mail message: the prepared text does not line up with the document.
        return list(linter.check(text, input_format=input_format).findings)
    ptext = prepared.text
    spans = pieces(ptext)
    known = [cache.get(ptext[a:b]) for a, b in spans]
    missing = sum(b - a for (a, b), hit in zip(spans, known) if hit is None)
    if missing * 2 > len(ptext):
        # Mostly new text (a document just opened): one pass over the whole text is
        # cheaper than many small ones; remember its findings paragraph by paragraph.
        findings = list(linter.check(text, input_format=input_format).findings)
        _remember(cache, ptext, spans, findings)
        return findings
    lines = LineIndex(text)
    out: list[Finding] = []
    for (start, end), hit in zip(spans, known):
        if hit is None:
            hit = tuple(linter.check(ptext[start:end], input_format="text").findings)
            cache.put(ptext[start:end], hit)
        for f in hit:
            s, e = f.start + start, f.end + start
            if ptext[s:e].split() != text[s:e].split():  # blanked text inside the span
                return list(linter.check(text, input_format=input_format).findings)
            line, column = lines.position(s)
            end_line, end_column = lines.position(e)
            out.append(f.model_copy(update={
                "start": s, "end": e, "match": text[s:e],
                "line": line, "column": column, "end_line": end_line, "end_column": end_column,
            }))
    return out


def _remember(cache: _Pieces, ptext: str, spans: list[tuple[int, int]], findings: list[Finding]) -> None:
    starts = [a for a, _ in spans]
    per_piece: list[list[Finding]] = [[] for _ in spans]
    for f in findings:
        index = bisect_right(starts, f.start) - 1
        if f.end > spans[index][1]:  # crosses a piece: do not cache anything (never seen in practice)
            return
        per_piece[index].append(f.model_copy(update={"start": f.start - starts[index], "end": f.end - starts[index]}))
    for (a, b), found in zip(spans, per_piece):
        cache.put(ptext[a:b], tuple(found))


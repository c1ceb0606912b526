"""The public entry point: ``Linter`` turns texts into ``Report`` objects.

Thread safety: one ``Linter`` may be shared by any number of threads. All
Linters on one spaCy pipeline share it, and usually their compiled rules too,
and neither is safe for concurrent use: the tokenizer and vocabulary add words
as they meet them, and the engine builds its Matchers on first use (a stress
test saw Matchers used before their patterns were added). So every check takes
one lock per pipeline (``_pipeline_lock``) around the whole of its spaCy and
matching work. spaCy holds the GIL for that work, so the lock takes no
parallelism away; for work on several cores use ``check_many(n_process=N)``.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from tonecheck.config import Config, resolve_config, with_overrides
from tonecheck.engine import CompiledRules, Hit, RuleTrace
from tonecheck.errors import ConfigError, Errors
from tonecheck.incremental import IncrementalCheck
from tonecheck.inputs import INPUT_FORMATS, Prepared, prepare
from tonecheck.models import Finding, Report
from tonecheck.nlp import get_pipeline, pipeline_features
from tonecheck.batches import Items, batches, not_text, parallel, zip_docs
from tonecheck.catalogue import check_selection, load_catalogue, load_rules
from tonecheck.component import ToneComponent
from tonecheck.lexicons import Lexicons
from tonecheck.lines import LineIndex
from tonecheck.packs import LoadedRule
from tonecheck.schema import Severity
from tonecheck.selection import is_enabled, severity_for, unknown_entries
from tonecheck.suppressions import UNUSED, Suppression
from tonecheck.suppressions import from_api as api_suppressions
from tonecheck.suppressions import parse as parse_suppressions
from tonecheck.suppressions import suppressed


_LOCKS: weakref.WeakKeyDictionary[Language, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _pipeline_lock(nlp: Language) -> threading.Lock:
    """The one lock for everything that reads or grows ``nlp`` and the rules compiled on it."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(nlp)
        if lock is None:
            lock = _LOCKS[nlp] = threading.Lock()
        return lock


# A forked worker inherits the locks as they were, possibly held by a thread it
# does not have; it starts with fresh ones (see _parallel for why the state
# they guard is consistent).
os.register_at_fork(after_in_child=_LOCKS.clear)


@lru_cache(maxsize=32)
def _compiled(model: str | None, rules: tuple[LoadedRule, ...], lexicons: Lexicons) -> CompiledRules:
    # Keyed on the rule and lexicon objects themselves: packs are cached per
    # file and mtime, so the same packs compile once per process however many
    # Linters exist.
    nlp = get_pipeline(model)
    # Compiling adds pattern words to the vocabulary other Linters are reading.
    with _pipeline_lock(nlp):
        return CompiledRules(nlp, rules, pipeline_features(nlp), lexicons)


class Linter:
    """Lints reply drafts with the configured rule packs.

    ``Linter()`` finds its configuration from the current directory;
    ``Linter(config=Config(...))`` or ``Linter(config="path/to/.tonecheck.yaml")``
    uses the given one; keyword arguments (``select=[...]``, ``packs=[...]``...)
    are one more configuration layer on top, merged as command-line flags are
    (``packs`` add to the configuration's, relative paths from the working
    directory; ``severity`` entries merge; the others replace).
    """

    def __init__(self, config: Config | str | os.PathLike[str] | None = None, **settings: Any):
        if isinstance(config, Config):
            if settings:
                config = with_overrides(config, settings)
        else:
            config = resolve_config(
                config_file=Path(config) if config is not None else None,
                overrides=settings or None,
            )
        self.config: Config = config
        all_rules, lexicons = load_catalogue(config)
        check_selection(config, all_rules)
        self._all_rules = all_rules
        self.severities = {r.id: severity_for(r, config.severity) for r in all_rules}
        enabled = [r for r in all_rules if is_enabled(r, config.select, config.ignore)]
        self.lexicons = lexicons
        # The unused-suppression rule is matched here, after the engine's rules.
        self._report_unused = UNUSED in enabled
        self._compiled = _compiled(config.model, tuple(r for r in enabled if r is not UNUSED), lexicons)
        self.nlp = self._compiled.nlp
        # The engine runs as the spaCy component a user's own pipeline would add (component.py).
        self._component = ToneComponent(self.nlp, rules=self._compiled)
        self._lock = _pipeline_lock(self.nlp)

    @property
    def pipeline_lock(self) -> threading.Lock:
        """The lock around all spaCy and matching work on this linter's pipeline (see the module doc)."""
        return self._lock

    @property
    def rules(self) -> list[LoadedRule]:
        """The enabled rules that run on this pipeline."""
        return ([UNUSED] if self._report_unused else []) + list(self._compiled.rules)

    def incremental(self) -> IncrementalCheck:
        """Checks of successive versions of drafts that re-lint only the paragraphs that changed (editors)."""
        return IncrementalCheck(self)

    @property
    def skipped_rules(self) -> list[LoadedRule]:
        """Enabled rules that need a parser or tagger the pipeline lacks."""
        return list(self._compiled.skipped)

    def warm_up(self) -> None:
        """Build now what is otherwise built on first use: every Matcher and the anchor index.

        For long-lived front ends (the check service's workers, the language
        server), so that their first requests cost what later ones do.
        """
        with self._lock:
            self._compiled.build_all()
        self.check("Thanks for your patience, the only guarantee is that we will fix it.")

    def check(
        self,
        text: str,
        *,
        path: str | None = None,
        input_format: str | None = None,
        suppressions: Iterable[str | Suppression] = (),
    ) -> Report:
        """Lint one text.

        ``input_format`` (default: the configuration's, normally ``auto``) says
        what to skip: ``text`` skips only template placeholders; ``email`` also
        quoted lines, "On ... wrote:" blocks, forwarded headers and signatures;
        ``markdown`` code, comments, link targets and block quotes; ``html``
        everything but the visible text, and block quotes; ``auto`` picks
        ``html`` for markup and otherwise skips what plain text and mail carry.
        Offsets always point into ``text`` itself, also through decoded entities.

        ``suppressions`` turns rules off for this text without comments in it
        (for compose boxes): each string is a rule id, prefix or category.

        Raises ``InputError`` when ``text`` is not a ``str`` (None, bytes...)
        and ``ConfigError`` for an unknown ``input_format`` or a suppression
        that names no rule, prefix or category.
        """
        fmt = self._input_format(input_format)
        if not isinstance(text, str):
            raise not_text(text, path or "text")
        if suppressions:
            suppressions = self._checked_suppressions(suppressions)
        # Preparation is inside too: the Markdown parser is shared and compiles its rules lazily.
        with self._lock:
            prepared = prepare(text, fmt)
            return self._report(text, prepared, self.nlp(prepared.text), path, suppressions)

    def trace(
        self, text: str, *, rules: Iterable[str] | None = None, input_format: str | None = None
    ) -> tuple[Prepared, Doc, list[RuleTrace]]:
        """What each enabled rule (or those named) found in ``text``, step by step (`tonecheck try`)."""
        fmt = self._input_format(input_format)
        if not isinstance(text, str):
            raise not_text(text, "text")
        with self._lock:
            prepared = prepare(text, fmt)
            doc = self.nlp(prepared.text)
            return prepared, doc, self._compiled.trace(doc, rules)

    def check_many(
        self,
        texts: Iterable[str],
        *,
        n_process: int = 1,
        batch_size: int = 128,
        input_format: str | None = None,
        on_error: str = "raise",
    ) -> Iterator[Report]:
        """Lint many texts, yielding one report per text in input order.

        With ``n_process > 1`` the texts are split into batches linted by worker
        processes that each reuse this linter's compiled rules.

        An item that is not a ``str`` is an ``InputError`` naming its index
        (``texts[3]: ...``, ``.index == 3``). With ``on_error="raise"`` (the
        default) it is raised when the iteration reaches that item, after the
        reports of every item before it; with ``on_error="report"`` the item
        gets a ``Report`` whose ``error`` says why it was not linted, and the
        batch carries on. An unknown ``input_format`` or ``on_error`` is a
        ``ConfigError``, raised at once.
        """
        fmt = self._input_format(input_format)
        if on_error not in ("raise", "report"):
            raise ConfigError(None, None, Errors.T108.format(value=on_error), field="on_error")
        if n_process == -1:
            n_process = os.cpu_count() or 1
        return self._many(Items(texts), on_error == "raise", n_process, batch_size, fmt)

    def _many(self, items: Items, raise_errors: bool, n_process: int, batch_size: int, fmt: str) -> Iterator[Report]:
        if n_process <= 1:
            reports: Iterator[Report] = self._serial(items, batch_size, fmt)
        else:
            reports = parallel(self, items, n_process, batch_size, fmt)
        for index, report in enumerate(reports):
            error = items.errors.pop(index, None)
            if error is None:
                yield report
            elif raise_errors:
                raise error
            else:
                yield Report(error=str(error))

    def _serial(self, items: Iterable[str], batch_size: int, fmt: str) -> Iterator[Report]:
        # The lock is held per batch, never while the caller's iterator or
        # loop body runs (either may use this linter too).
        for batch in batches(items, batch_size):
            with self._lock:
                reports = [
                    self._report(text, prepared, doc, None)
                    for text, prepared, doc in zip_docs(batch, self.nlp, batch_size, fmt)
                ]
            yield from reports

    def _input_format(self, requested: str | None) -> str:
        fmt = requested or self.config.input_format
        if fmt not in INPUT_FORMATS:
            raise ConfigError(None, None, Errors.T107.format(name=fmt, known=", ".join(INPUT_FORMATS)), field="input_format")
        return fmt

    def _checked_suppressions(self, given: Iterable[str | Suppression]) -> list[str | Suppression]:
        """API suppressions, each name checked as `select` checks them (a typo would silently lint)."""
        entries = [given] if isinstance(given, str) else list(given)
        for entry in entries:
            if isinstance(entry, Suppression):
                continue
            if not isinstance(entry, str) or not entry.strip():
                raise ConfigError(None, None, Errors.T109.format(entry=entry), field="suppressions")
            unknown = unknown_entries(entry.replace(",", " ").split(), self._all_rules)
            if unknown:
                raise ConfigError(None, None, Errors.T106.format(entry=unknown[0]), field="suppressions")
        return entries

    def _report(
        self,
        text: str,
        prepared: Prepared,
        doc: Doc,
        path: str | None,
        given: Iterable[str | Suppression] = (),
    ) -> Report:
        findings: list[Finding] = []
        given = list(given)
        for unit in prepared.units:
            # A message's other units (mbox messages, decoded MIME parts) are linted one by one.
            unit_doc = doc if unit is prepared else self.nlp(unit.text)
            findings += self._unit_findings(text, unit, unit_doc, given)
        findings.sort(key=lambda f: (f.part is not None, f.part or "", f.start, f.end))
        return Report(path=path, findings=findings)

    def _unit_findings(
        self, text: str, unit: Prepared, doc: Doc, given: list[str | Suppression]
    ) -> list[Finding]:
        """Findings of one prepared unit, offsets in ``text`` (or in the decoded part it names)."""
        hits = self._component.hits(doc)
        # A decoded part has its own text; anything else is a stretch of the input at unit.offset.
        base = unit.source if unit.source is not None else text
        inline = parse_suppressions(unit.directives if unit.directives is not None else base)
        if not hits and not inline:
            return []
        lines = LineIndex(base)
        # Suppressions are found in the unit's own coordinates (before its offset).
        suppressions = inline + api_suppressions(given, len(base))
        findings = []
        for hit in hits:
            finding, local_start = self._finding(base, unit, doc, hit, lines)
            if not suppressed(suppressions, hit.rule, local_start):
                findings.append(finding)
        if self._report_unused:
            findings += [self._unused(base, unit, s, lines) for s in inline if not s.used]
        return findings

    def _finding(
        self, text: str, prepared: Prepared, doc: Doc, hit: Hit, lines: LineIndex
    ) -> tuple[Finding, int]:
        rule = hit.rule.rule
        last = doc[hit.end - 1]
        first, after = doc[hit.start].idx, last.idx + len(last.text)
        linted = prepared.text[first:after]  # the doc was made from it
        local_start, local_end = prepared.span(first, after)
        start, end = local_start + prepared.offset, local_end + prepared.offset
        match = text[start:end]
        return Finding(
            **lines.span(start, end),
            rule=rule.id,
            category=rule.category,
            severity=self.severities.get(rule.id, rule.severity),
            # The message quotes what the reader sees: decoded, without markup.
            message=rule.message.replace("{match}", " ".join(linted.split())),
            match=match,
            suggestions=[_match_case(s, match) for s in rule.suggestions.replace],
            advice=rule.suggestions.advice,
            explanation=rule.explanation.strip(),
            fix_tested=rule.fix_tested,
            part=prepared.part,
        ), local_start

    def _unused(self, text: str, unit: Prepared, suppression: Suppression, lines: LineIndex) -> Finding:
        assert suppression.directive is not None
        start, end = (at + unit.offset for at in suppression.directive)
        named = ", ".join(f"`{r}`" for r in suppression.rules) or "every rule"
        return Finding(
            **lines.span(start, end),
            rule=UNUSED.id,
            category=UNUSED.rule.category,
            severity=self.severities[UNUSED.id],
            message=f"This suppression of {named} suppresses nothing; remove it.",
            match=text[start:end],
            suggestions=[""],
            advice=UNUSED.rule.suggestions.advice,
            explanation=UNUSED.rule.explanation,
            part=unit.part,
        )


def _match_case(replacement: str, match: str) -> str:
    """A replacement for a capitalised match starts with a capital too."""
    if replacement and match[:1].isupper() and replacement[:1].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement


__all__ = ["Linter", "load_rules", "Severity"]

"""Linting for the server: which configuration a document uses, and its incremental checks.

Everything here runs on the server's one lint thread (a ``Linter`` is not
documented as safe for concurrent use), never on the event loop.

**Configuration.** A document uses the nearest ``.tonecheck.yaml`` or
``pyproject.toml [tool.tonecheck]`` above it, the ``config`` setting's file on
top, then the editor settings as overrides: the same layers as the CLI. A layer
that fails to load is reported once and the document falls back to the defaults.

**Paragraph reuse** is the engine's (``Linter.incremental()``, see
``tonecheck.incremental``): this module keeps one ``IncrementalCheck`` per
linter and never prepares inputs or reads directives itself.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tonecheck.config import Config, find_project_config, resolve_config
from tonecheck.errors import TonecheckError
from tonecheck.incremental import IncrementalCheck
from tonecheck.linter import Linter
from tonecheck.linter_cache import LinterCache
from tonecheck.lsp.settings import ServerSettings
from tonecheck.models import Finding

log = logging.getLogger(__name__)


class DocumentLinter:
    """Lints documents with the configuration that applies to each; one per settings/config generation."""

    def __init__(self, settings: ServerSettings, root: Path | None):
        self.settings = settings
        self.root = root
        self._by_folder: dict[Path | None, Linter] = {}
        self._by_config = LinterCache()
        self._checks: dict[int, IncrementalCheck] = {}
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
            linter = self._by_config.get(config)
        except TonecheckError as exc:
            message = f"tonecheck: {exc}; using the default configuration"
            if message not in self._reported:
                self._reported.add(message)
                problems.append(message)
            linter = self._by_config.get(Config())
        self._by_folder[folder] = linter
        return linter, problems

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

    def checks(self, linter: Linter) -> IncrementalCheck:
        """The incremental checks of ``linter``'s documents."""
        check = self._checks.get(id(linter))
        if check is None:
            check = self._checks[id(linter)] = linter.incremental()
        return check

    def lint(self, text: str, path: Path | None, input_format: str) -> tuple[list[Finding], list[str]]:
        """Findings for ``text`` (sorted by position) and problems to report."""
        linter, problems = self.linter_for(path)
        return self.checks(linter).check(text, input_format), problems

    def forget(self, uri: str) -> None:
        """A closed document's pieces."""
        for check in self._checks.values():
            check.forget(uri)

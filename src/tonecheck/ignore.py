"""Which files a folder walk leaves out: `--exclude` globs and `.gitignore` files.

Both use git's own pattern language (``pathspec``'s ``GitIgnoreSpec``: `*`,
`**`, a trailing `/` for folders, `!` to re-include), so a pattern means in
tonecheck what it means to git.

- ``exclude`` patterns (the setting, or ``--exclude``) are relative to the folder
  being walked: ``--exclude 'archive/'`` or ``--exclude '*.draft.md'``.
- ``.gitignore`` files are read where git reads them: in the walked folder, in
  every folder below it, and in the folders above it up to the repository root
  (the nearest folder holding ``.git``). A deeper file's patterns win over a
  shallower one's, and within a file the last matching pattern wins, as in git.

Files named explicitly on the command line are always checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec


@dataclass(frozen=True)
class _Rules:
    base: Path  # patterns are relative to this folder
    spec: GitIgnoreSpec


class FileFilter:
    """Decides, for paths under ``root``, whether the walk skips them."""

    def __init__(self, root: Path, exclude: list[str], respect_gitignore: bool = True):
        self.root = root
        self.resolved_root = root.resolve()
        self.exclude = GitIgnoreSpec.from_lines(exclude) if exclude else None
        self.gitignore = respect_gitignore
        self._by_folder: dict[Path, _Rules | None] = {}
        self._above: list[_Rules] = self._ancestors() if respect_gitignore else []

    def _ancestors(self) -> list[_Rules]:
        """The .gitignore rules of the folders above ``root``, up to the repository root."""
        if (self.resolved_root / ".git").exists():
            return []
        found: list[_Rules] = []
        for folder in self.resolved_root.parents:
            rules = self._read(folder)
            if rules is not None:
                found.append(rules)
            if (folder / ".git").exists():
                return found[::-1]  # shallowest first
        return []  # not inside a repository: only the walked tree's own files apply

    @staticmethod
    def _read(folder: Path) -> _Rules | None:
        try:
            lines = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return None
        return _Rules(folder, GitIgnoreSpec.from_lines(lines))

    def _rules_in(self, folder: Path) -> _Rules | None:
        if folder not in self._by_folder:
            self._by_folder[folder] = self._read(folder)
        return self._by_folder[folder]

    def skips(self, path: Path, is_dir: bool) -> bool:
        """Whether ``path`` (a file or folder below ``root``, as the walk names it) is excluded or git-ignored."""
        relative = path.relative_to(self.root)
        suffix = "/" if is_dir else ""
        if self.exclude is not None and self.exclude.match_file(relative.as_posix() + suffix):
            return True
        if not self.gitignore:
            return False
        target = self.resolved_root / relative
        # The .gitignore files from the repository root down to the path's own folder;
        # the deepest one that decides wins.
        folders = [self.resolved_root / Path(*relative.parts[:depth]) for depth in range(len(relative.parts))]
        chain = self._above + [rules for folder in folders if (rules := self._rules_in(folder)) is not None]
        decision = None
        for rules in chain:
            result = rules.spec.check_file(target.relative_to(rules.base).as_posix() + suffix).include
            if result is not None:
                decision = result
        return bool(decision)

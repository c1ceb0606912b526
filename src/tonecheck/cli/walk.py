"""Which files `tonecheck check` reads for a path, and every path it cannot check, with why.

Nothing passes silently: a path met that is not checked is reported by name
(``Unchecked``), and everything is stat-ed before it is opened, so a FIFO,
socket or device is reported, never read (a FIFO would block the run forever).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tonecheck.config import Config
    from tonecheck.ignore import FileFilter


@dataclass(frozen=True)
class Unchecked:
    """A path found that is not checked, and why; reported on stderr by name.

    ``error`` makes the exit code 2 (something could not be checked); a note
    (a folder reached a second time through a link) does not.
    """

    path: Path
    reason: str
    error: bool = True


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_regular(mode: int) -> str:
    kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "not a regular file")
    return f"{kind}, not a regular file; skipped without reading it (pipe text in with `-`)"


def os_reason(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot be used, from the error that opening or stat-ing it raised."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; skipped"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(path):
            return f"broken symbolic link (to {os.readlink(path)}); skipped"
        return "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; skipped"
    return f"cannot read: {exc.strerror}"


def _stat(path: Path) -> os.stat_result | Unchecked:
    try:
        return os.stat(path)
    except OSError as exc:
        return Unchecked(path, os_reason(path, exc))


def walk(path: Path, config: Config) -> Iterator[Path | Unchecked]:
    """The regular files to check for a given path, and every path met that cannot be checked.

    A given file is checked whatever its name. A folder is searched recursively
    for the include globs, hidden names skipped; linked folders are searched
    once, never into a loop. Everything is stat-ed before it is opened:
    FIFOs, sockets and devices are reported, never read (a FIFO would block
    the run forever). Unreadable folders, loops and broken links are reported.
    A folder in which nothing matches says so.
    """
    info = _stat(path)
    if isinstance(info, Unchecked):
        yield info
        return
    if not stat.S_ISDIR(info.st_mode):
        yield path if stat.S_ISREG(info.st_mode) else Unchecked(path, not_regular(info.st_mode))
        return
    try:
        os.scandir(path).close()
    except OSError as exc:
        yield Unchecked(path, f"cannot read folder ({exc.strerror}); its files were not checked")
        return
    yield from _walk_folder(path, info, config)


def _walk_folder(path: Path, info: os.stat_result, config: Config) -> Iterator[Path | Unchecked]:
    """Every matching file under the readable folder ``path`` (stat-ed as ``info``), and what was skipped."""
    from tonecheck.ignore import FileFilter

    skip = FileFilter(path, config.exclude, config.respect_gitignore)
    include = config.include
    seen = {(info.st_dev, info.st_ino): path}
    problems: list[Unchecked] = []
    found = 0

    def unreadable(exc: OSError) -> None:
        problems.append(Unchecked(Path(exc.filename or path), f"cannot read folder ({exc.strerror}); its files were not checked"))

    for root, dirs, files in os.walk(path, onerror=unreadable, followlinks=True):
        yield from problems
        problems.clear()
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not skip.skips(Path(root) / d, is_dir=True))
        followed, refused = _follow(Path(root), dirs, seen)
        yield from refused
        dirs[:] = followed
        for entry in _files(Path(root), files, skip, include):
            found += isinstance(entry, Path)
            yield entry
    yield from problems
    if not found and not problems:
        left_out = " (or every match is excluded or git-ignored)" if config.exclude or config.respect_gitignore else ""
        yield Unchecked(
            path, "no file in this folder matches the include globs (" + " ".join(include) + f"){left_out}; nothing was checked"
        )


def _follow(root: Path, names: list[str], seen: dict[tuple[int, int], Path]) -> tuple[list[str], list[Unchecked]]:
    """The subfolders of ``root`` to go into, and why the others are not: each real folder is searched once."""
    followed = []
    refused = []
    for name in names:
        folder = root / name
        folder_info = _stat(folder)
        if isinstance(folder_info, Unchecked):
            refused.append(folder_info)
            continue
        key = (folder_info.st_dev, folder_info.st_ino)
        if key in seen:
            inside = Path(os.path.realpath(root))
            target = Path(os.path.realpath(folder))
            if target == inside or target in inside.parents:
                refused.append(Unchecked(folder, "symbolic link loop (leads back to a folder above it); not followed"))
            else:
                refused.append(Unchecked(folder, f"the same folder as {seen[key]}; checked there once", error=False))
            continue
        seen[key] = folder
        followed.append(name)
    return followed, refused


def _files(root: Path, names: list[str], skip: FileFilter, include: list[str]) -> Iterator[Path | Unchecked]:
    """The regular files of ``root`` that match the include globs, and the matching ones that are not regular."""
    for name in sorted(names):
        if name.startswith(".") or skip.skips(root / name, is_dir=False):
            continue
        if any(fnmatch.fnmatch(name, g) for g in include):
            file = root / name
            file_info = _stat(file)
            if isinstance(file_info, Unchecked):
                yield file_info
            elif stat.S_ISREG(file_info.st_mode):
                yield file
            else:
                yield Unchecked(file, not_regular(file_info.st_mode))
        elif os.path.islink(root / name):
            # A link that is no folder may be a broken or looping link to one.
            link_info = _stat(root / name)
            if isinstance(link_info, Unchecked):
                yield link_info

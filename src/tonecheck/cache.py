"""A persistent cache of parsed rule packs and their compiled patterns, so a cold start skips both.

Parsing and validating the built-in packs took ~0.45 s of every CLI start
(measured); a pickled copy loads in a few milliseconds. A parsed pack is keyed
on the pack's resolved path, size and modification time, and every entry on
tonecheck's and Python's versions, so an edited pack or an upgrade never reads
a stale entry. Compiled patterns (compiled_rules.py) are kept the same way,
under keys of their own: ``load`` and ``store`` take any key parts.

Location: ``$TONECHECK_CACHE_DIR``, else the user cache folder from
``platformdirs`` (``$XDG_CACHE_HOME/tonecheck`` or ``~/.cache/tonecheck`` on
Linux, ``~/Library/Caches/tonecheck`` on macOS, ``%LOCALAPPDATA%\\tonecheck\\Cache``
on Windows). ``TONECHECK_NO_CACHE=1`` turns it off. The cache is
an optimisation only: any failure to read or write it falls back to parsing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

T = TypeVar("T")

_VERSION = "3"  # bump when the pickled classes change shape


def cache_dir() -> Path | None:
    if os.environ.get("TONECHECK_NO_CACHE"):
        return None
    explicit = os.environ.get("TONECHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return platformdirs.user_cache_path("tonecheck", appauthor=False)


# The modules whose code shapes a parsed pack: in an editable install they change
# without a version bump, so their modification times are part of the key too.
_SHAPERS = ("packs.py", "schema.py", "yamlsource.py", "patterns.py")


def code_stamp(names: Sequence[str]) -> str:
    """The modification times of files of the package (modules, data files): part of a key."""
    here = Path(__file__).parent
    stamps = []
    for name in names:
        try:
            stamps.append(str((here / name).stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    return ",".join(stamps)


def file_stamp(path: Path) -> str:
    """A file's resolved path, size and modification time (raises OSError for a missing file)."""
    stat = path.stat()
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}"


def _entry(directory: Path, kind: str, parts: Sequence[str]) -> Path:
    from tonecheck import __version__

    key = "\0".join([_VERSION, __version__, sys.version, *parts])
    return directory / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.pickle"


def load(kind: str, parts: Sequence[str], *, touch: bool = False) -> Any:
    """The entry stored under ``parts``, or None (none stored, unreadable, or the cache is off).

    ``touch`` marks the entry as used now, for kinds that ``store`` prunes.
    """
    directory = cache_dir()
    if directory is None:
        return None
    path = _entry(directory, kind, parts)
    try:
        value = pickle.loads(path.read_bytes())
        if touch:
            os.utime(path)
        return value
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def store(kind: str, parts: Sequence[str], value: Any, *, keep: int | None = None) -> None:
    """Keep ``value`` under ``parts`` (atomically: a reader sees the old entry or the new one).

    With ``keep``, only that many entries of ``kind`` stay, the most recently
    used: for kinds keyed on a choice (which rules are enabled) rather than on
    files, whose old entries would otherwise pile up.
    """
    directory = cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as handle:
            try:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
                handle.close()
                os.unlink(handle.name)
                return
        os.replace(handle.name, _entry(directory, kind, parts))
        if keep is not None:
            _prune(directory, kind, keep)
    except OSError:
        pass


def _prune(directory: Path, kind: str, keep: int) -> None:
    """Remove all but the ``keep`` most recently used entries of ``kind``."""
    entries = []
    for path in directory.glob(f"{kind}-*.pickle"):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue  # removed by another process meanwhile
    for _, path in sorted(entries, reverse=True)[keep:]:
        try:
            path.unlink()
        except OSError:
            pass


def cached(path: Path, build: Callable[[], T]) -> T:
    """``build()``'s result for the file at ``path``, from the cache when the file is unchanged."""
    if cache_dir() is None:
        return build()
    try:
        parts = [code_stamp(_SHAPERS), file_stamp(path)]
    except OSError:
        return build()  # an unreadable pack: let the loader report it
    found = load("pack", parts)
    if found is not None:
        return found
    value = build()  # errors in the pack itself propagate, and are never cached
    store("pack", parts, value)
    return value

"""A persistent cache of parsed rule packs, so a cold start skips YAML and validation.

Parsing and validating the built-in packs took ~0.45 s of every CLI start
(measured); a pickled copy loads in a few milliseconds. An entry is keyed on
the pack's resolved path, size and modification time, and on tonecheck's and
Python's versions, so an edited pack or an upgrade never reads a stale entry.

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
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import platformdirs

T = TypeVar("T")

_VERSION = "2"  # bump when the pickled classes change shape


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


def _code_stamp() -> str:
    here = Path(__file__).parent
    stamps = []
    for name in _SHAPERS:
        try:
            stamps.append(str((here / name).stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    return ",".join(stamps)


def _key(path: Path, stat: os.stat_result) -> str:
    from tonecheck import __version__

    parts = [_VERSION, __version__, sys.version, _code_stamp(), str(path), str(stat.st_size), str(stat.st_mtime_ns)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def cached(path: Path, build: Callable[[], T]) -> T:
    """``build()``'s result for the file at ``path``, from the cache when the file is unchanged."""
    directory = cache_dir()
    if directory is None:
        return build()
    try:
        entry = directory / f"pack-{_key(path, path.stat())}.pickle"
    except OSError:
        return build()  # an unreadable pack: let the loader report it
    try:
        return pickle.loads(entry.read_bytes())
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    value = build()  # errors in the pack itself propagate, and are never cached
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, entry)
    except OSError:
        pass
    return value

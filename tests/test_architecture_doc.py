"""The README's "Architecture" section matches the tree: every path it names exists,
and every package and top-level module of src/tonecheck is named in it."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "tonecheck"

# `engine.py`, `cli/`, `cli/walk.py`, `tests/test_layers.py`: a backticked module or folder path.
PATH = re.compile(r"`((?:[a-z_]+/)*(?:[a-z_]+\.py|[a-z_]+/))`")


def architecture_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Architecture\n")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end != -1 else None]


def named_paths() -> set[str]:
    return set(PATH.findall(architecture_section()))


def test_every_path_named_exists():
    """Module paths are read under src/tonecheck/, others (tests/...) from the repository root."""
    names = named_paths()
    assert len(names) > 40
    missing = sorted(n for n in names if not (PACKAGE / n).exists() and not (REPO / n).exists())
    assert not missing, f"the README's Architecture section names paths that do not exist: {missing}"


def test_every_package_and_top_level_module_is_named():
    tree = {p.name for p in PACKAGE.glob("*.py")} | {f"{p.parent.name}/" for p in PACKAGE.glob("*/__init__.py")}
    unnamed = sorted(tree - named_paths())
    assert not unnamed, f"add these to the README's Architecture table (where each concern lives): {unnamed}"

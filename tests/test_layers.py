"""Layer contract: the engine never imports a front end.

Integrations import `tonecheck` for the engine alone; pulling in the CLI, the
language server or the audit tooling (and their dependencies) would make every
helpdesk integration pay for them.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tonecheck"
FRONT_ENDS = ("tonecheck.cli", "tonecheck.lsp", "tonecheck.audit", "tonecheck.formatters", "tonecheck.serve")
ENGINE_MODULES = [
    "__init__.py", "schema.py", "yamlsource.py", "errors.py", "packs.py", "nlp.py",
    "engine.py", "selection.py", "config.py", "models.py", "linter.py", "anchors.py", "cache.py",
    "frequencies.py", "suppressions.py", "inputs/__init__.py", "inputs/blanking.py", "inputs/html.py",
    "inputs/markdown.py", "inputs/prepared.py", "inputs/message.py", "plugins.py", "ignore.py",
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_modules_do_not_import_front_ends():
    offenders = {
        name: sorted(m for m in imported_modules(PACKAGE / name) if m.startswith(FRONT_ENDS))
        for name in ENGINE_MODULES
        if (PACKAGE / name).exists()
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"engine modules import front ends: {offenders}"


def test_rules_reference_is_generated_from_the_packs():
    """docs/rules.md is what `tonecheck rules --format markdown` prints for the built-in packs."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "tonecheck.cli", "rules", "--format", "markdown"],
        capture_output=True, text=True, check=True, cwd=PACKAGE.parents[1],
    ).stdout
    docs = (PACKAGE.parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    assert out == docs, "docs/rules.md is stale: run `tonecheck rules --format markdown > docs/rules.md`"


def test_shipped_word_frequencies_are_generated_from_spacy_lookups_data():
    from tonecheck.frequencies import generate

    shipped = (PACKAGE / "data" / "word_frequencies.tsv").read_text(encoding="utf-8")
    assert shipped == generate(), (
        "src/tonecheck/data/word_frequencies.tsv is stale: "
        "run `python -m tonecheck.frequencies > src/tonecheck/data/word_frequencies.tsv`"
    )

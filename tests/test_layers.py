"""Layer contracts: the engine never imports a front end; no module reaches into another's privates.

Integrations import `tonecheck` for the engine alone; pulling in the CLI, the
language server or the audit tooling (and their dependencies) would make every
helpdesk integration pay for them.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tonecheck"
PYPROJECT = PACKAGE.parents[1] / "pyproject.toml"


def test_import_linter_contracts_are_kept():
    """pyproject.toml's [tool.importlinter] contracts: the layers, every module in one (exhaustive)."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0, (
        "an import breaks a layer contract, or a new module has no layer (see the report above)"
    )


def _private_imports(path: Path) -> list[str]:
    """``from tonecheck.x import _name`` (a private name of another module) in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.module}.{alias.name} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tonecheck")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


def test_no_module_imports_another_modules_private_names():
    offenders = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if (found := _private_imports(path))
    }
    assert not offenders, f"private names imported across modules (make them public, or move them): {offenders}"


def test_each_rule_id_starts_with_the_name_of_its_pack():
    """`isolating.only-one` lives in the pack `isolating`: selection by prefix selects a pack."""
    from tonecheck.config import Config
    from tonecheck.linter import load_rules
    from tonecheck.suppressions import UNUSED

    rules = [r for r in load_rules(Config(installed_packs=False)) if r is not UNUSED]
    assert rules
    wrong = [(r.id, r.pack, f"{r.path.name}:{r.line}") for r in rules if r.id.split(".")[0] != r.pack]
    assert not wrong, f"rule ids whose prefix is not their pack's name: {wrong}"


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

"""No module over 400 lines and no function over 60: a concern that outgrows them gets a module of its own.

Sizes are counted as ``ast`` counts them: a module by its lines, a function
from its ``def`` line to its last line (``lineno`` to ``end_lineno``); a
nested function counts inside its parent and on its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tonecheck"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def oversized(path: Path, root: Path) -> list[str]:
    """Each way the module at ``path`` is too long, named relative to ``root``."""
    source = path.read_text(encoding="utf-8")
    name = path.relative_to(root).as_posix()
    found = []
    if (lines := len(source.splitlines())) > MAX_MODULE_LINES:
        found.append(f"{name}: {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}:{node.lineno}: {node.name} is {length} lines (at most {MAX_FUNCTION_LINES})")
    return found


def test_no_module_or_function_is_too_long():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50
    offenders = [problem for path in modules for problem in oversized(path, PACKAGE.parent)]
    assert not offenders, "split these into modules or named steps:\n" + "\n".join(offenders)


def test_the_check_names_a_long_module_and_each_long_function(tmp_path):
    def function(name: str, lines: int) -> str:
        return f"def {name}():\n" + "    x = 1\n" * (lines - 1)

    probe = tmp_path / "probe.py"
    probe.write_text(function("fits", 60) + function("too_long", 61) + "\n" * 280, encoding="utf-8")
    assert oversized(probe, tmp_path) == [
        "probe.py: 401 lines (at most 400)",
        "probe.py:61: too_long is 61 lines (at most 60)",
    ]

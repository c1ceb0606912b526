"""docs/errors.md is the coded error catalogue (errors.Errors), generated, never edited by hand."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from string import Formatter

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "errors.md"


def test_error_reference_is_generated_from_the_catalogue():
    out = subprocess.run(
        [sys.executable, "-m", "tonecheck.errordoc"], capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout
    assert out == DOC.read_text(encoding="utf-8"), "docs/errors.md is stale: run `python -m tonecheck.errordoc > docs/errors.md`"


def test_every_code_is_listed_once_with_its_message():
    from tonecheck.errors import Errors

    codes = sorted(name for name in vars(Errors) if re.fullmatch(r"T\d+", name))
    assert codes
    rows = re.findall(r"^\| (T\d+) \| (.+) \|$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert [code for code, _ in rows] == codes
    for code, message in rows:
        # Every fixed word of the message; a placeholder may read differently (`{entry!r}` as `{entry}`).
        for literal, _, _, _ in Formatter().parse(str.__str__(getattr(Errors, code))):
            assert literal.strip() in message.replace("\\|", "|"), (code, literal)

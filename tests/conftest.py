"""Shared fixtures: the real pipeline, built once per test session, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tonecheck import Linter

REPO = Path(__file__).resolve().parents[1]
PACKS = Path(__file__).resolve().parent / "packs"


@pytest.fixture(scope="session")
def linter() -> Linter:
    """The built-in packs on the default rule-based pipeline."""
    return Linter(builtin=True)


@pytest.fixture(scope="session")
def test_linter() -> Linter:
    """Only the small, stable test pack in tests/packs/."""
    return Linter(builtin=False, packs=[str(PACKS / "basic.yaml")])


def run_cli(
    *args: str, input: str | bytes | None = None, cwd: Path | None = None, timeout: float = 300, **popen: object
) -> subprocess.CompletedProcess:
    """Run `tonecheck ARGS` in a real subprocess, as a user would (``popen``: extra subprocess options)."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(Path(cwd or REPO) / ".no-user-config")}
    data = input.encode() if isinstance(input, str) else input
    proc = subprocess.run(
        [sys.executable, "-m", "tonecheck.cli", *args],
        input=data, capture_output=True, cwd=cwd or REPO, env=env, timeout=timeout, **popen,
    )
    proc.stdout = proc.stdout.decode("utf-8")
    proc.stderr = proc.stderr.decode("utf-8")
    return proc

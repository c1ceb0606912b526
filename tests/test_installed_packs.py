"""Third-party packs as pip packages: a real package, built and installed with pip, offline.

The package declares a `tonecheck.packs` entry point and ships one YAML pack;
pip builds it with hatchling (already installed, no build isolation, no index)
into a target folder that the tonecheck subprocesses get on their path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PACK_YAML = """\
pack: acme
version: "1.0"
language: en
description: Acme Support's house rules.
categories:
  jargon: Office jargon customers outside the company do not read.
rules:
  - id: acme.do-the-needful
    category: jargon
    severity: warning
    message: '"{match}" is jargon our customers do not use.'
    explanation: Customers outside our offices read "do the needful" as a brush-off.
    phrases: ["do the needful", "revert at the earliest"]
    suggestions:
      advice: Say what you need them to do, and by when.
    examples:
      flag: ["Kindly do the needful.", "Please revert at the earliest."]
      pass: ["Please send the photos by Friday.", "We will reply today."]
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The acme-tone-pack distribution, pip-installed into a target folder."""
    root = tmp_path_factory.mktemp("acme")
    source = root / "acme-tone-pack"
    (source / "acme_tone_pack").mkdir(parents=True)
    (source / "acme_tone_pack" / "house.yaml").write_text(PACK_YAML)
    (source / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "acme-tone-pack"\nversion = "1.0.0"\n\n'
        '[project.entry-points."tonecheck.packs"]\nacme = "acme_tone_pack"\n\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["acme_tone_pack"]\n'
    )
    target = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-index", "--no-deps",
         "--target", str(target), str(source)],
        check=True, capture_output=True, timeout=600,
    )
    assert (target / "acme_tone_pack" / "house.yaml").is_file()
    return target


def tonecheck(site: Path | None, *args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CONFIG_HOME": str(cwd / "no-user-config")}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-m", "tonecheck.cli", *args], input=input, capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def test_an_installed_pack_is_listed_selectable_and_explained(installed, tmp_path):
    listing = tonecheck(installed, "rules", cwd=tmp_path).stdout.splitlines()
    [line] = [line for line in listing if line.startswith("acme.do-the-needful")]
    assert line.split()[:4] == ["acme.do-the-needful", "jargon", "warning", "acme"]
    assert "(installed: acme-tone-pack 1.0.0)" in line
    rows = json.loads(tonecheck(installed, "rules", "--format", "json", cwd=tmp_path).stdout)
    [row] = [r for r in rows if r["pack"] == "acme"]
    assert row["installed_from"] == "acme-tone-pack 1.0.0"
    # Without the package, the same command lists no such rule.
    assert "acme." not in tonecheck(None, "rules", cwd=tmp_path).stdout

    text = "Kindly do the needful. You're the only customer who has complained."
    proc = tonecheck(installed, "check", "-", "--format", "json", "--select", "acme", input=text, cwd=tmp_path)
    assert proc.returncode == 1
    assert [f["rule"] for f in json.loads(proc.stdout)["results"][0]["findings"]] == ["acme.do-the-needful"]
    both = tonecheck(installed, "check", "-", "--format", "json", input=text, cwd=tmp_path)
    assert [f["rule"] for f in json.loads(both.stdout)["results"][0]["findings"]] == [
        "acme.do-the-needful", "isolating.you-alone",
    ]
    explain = tonecheck(installed, "explain", "acme.do-the-needful", cwd=tmp_path)
    assert explain.returncode == 0 and "acme_tone_pack/house.yaml" in explain.stdout
    assert tonecheck(installed, "test-rules", cwd=tmp_path).returncode == 0


def test_installed_packs_setting_turns_them_off_or_names_them(installed, tmp_path):
    text = "Kindly do the needful."
    config = tmp_path / ".tonecheck.yaml"

    def rules_found(*flags):
        proc = tonecheck(installed, "check", "-", "--format", "json", *flags, input=text, cwd=tmp_path)
        return proc.returncode, proc.stdout and [f["rule"] for f in json.loads(proc.stdout)["results"][0]["findings"]], proc.stderr

    config.write_text("installed_packs: false\n")
    assert rules_found()[:2] == (0, [])
    code, _, err = rules_found("--select", "acme")
    assert code == 2 and "`acme` names no rule" in err
    config.write_text("installed_packs: [acme]\n")
    assert rules_found()[:2] == (1, ["acme.do-the-needful"])
    config.write_text("installed_packs: [acme, globex]\n")
    code, _, err = rules_found()
    assert code == 2 and "`globex` is not an installed pack (installed: acme)" in err
    # The same setting through the API, in this process (the package on sys.path).
    sys.path.insert(0, str(installed))
    try:
        from tonecheck import Linter
        from tonecheck.plugins import installed as installed_packs

        installed_packs.cache_clear()
        assert "acme.do-the-needful" in {r.id for r in Linter().rules}
        assert "acme.do-the-needful" not in {r.id for r in Linter(installed_packs=False).rules}
    finally:
        sys.path.remove(str(installed))
        installed_packs.cache_clear()


def test_a_broken_installed_pack_is_a_located_error(installed, tmp_path):
    broken = tmp_path / "site"
    subprocess.run(["cp", "-r", str(installed), str(broken)], check=True)
    pack = broken / "acme_tone_pack" / "house.yaml"
    pack.write_text(PACK_YAML.replace("severity: warning", "severity: loud"))
    proc = tonecheck(broken, "check", "-", input="hello", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{pack}:" in proc.stderr and "rule `acme.do-the-needful`, field `severity`" in proc.stderr
    # Turned off, it is not even read.
    (tmp_path / ".tonecheck.yaml").write_text("installed_packs: false\n")
    assert tonecheck(broken, "check", "-", input="hello", cwd=tmp_path).returncode == 0


def test_the_repository_declares_no_pack_entry_point_of_its_own():
    # The built-in packs load through `builtin`, not as an installed pack (they would load twice).
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "tonecheck.packs" not in project.get("entry-points", {})

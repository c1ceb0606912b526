"""The wheel ships the built-in packs: build it, install it outside the repo, lint."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
import zipfile

from conftest import REPO


def test_wheel_installs_and_lints_with_builtin_packs(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True, capture_output=True, timeout=600,
    )
    [wheel] = dist.glob("tonecheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tonecheck/rules/en/isolating.yaml" in names
    assert "tonecheck/data/normalization.yaml" in names
    # The draft page of `tonecheck serve` is served from the installed package.
    assert {"tonecheck/serve/static/index.html", "tonecheck/serve/static/draft.js", "tonecheck/serve/static/draft.css"} <= set(names)

    # A fresh environment gets tonecheck only from the wheel; the heavy
    # dependencies (spaCy) come from this environment through a path entry, whose
    # own .pth files (the editable install of the checkout) are not processed.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    target = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    with open(f"{target}/deps-from-test-env.pth", "w") as pth:
        pth.write(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    proc = subprocess.run(
        [env_dir / "bin" / "tonecheck", "check", "-", "--format", "json"],
        input=b"You're the only customer who has complained about this.",
        capture_output=True, cwd=workdir, timeout=300,
    )
    assert proc.returncode == 1, proc.stderr.decode()
    findings = json.loads(proc.stdout)["results"][0]["findings"]
    assert findings and findings[0]["category"] == "isolating"
    where = subprocess.run([python, "-c", "import tonecheck; print(tonecheck.__file__)"],
                           capture_output=True, text=True, cwd=workdir, check=True).stdout
    assert where.startswith(str(env_dir))  # the installed wheel, not the repository checkout

"""The conventions users bring from ruff, yamllint, sqlfluff and pre-commit, in real runs.

pre-commit is run for real (`pre-commit try-repo` on a sample git repository);
each CI report format is read back by its consumer's parser or validated
against the consumer's documented schema; colour is checked on a real
pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import sysconfig
from importlib.metadata import version
from pathlib import Path

import jsonschema
import pytest
import tomllib

from conftest import PACKS, REPO, run_cli

SCHEMAS = Path(__file__).parent / "schemas"
PACK = ["--no-builtin", "--pack", str(PACKS / "basic.yaml")]


@pytest.fixture()
def drafts(tmp_path):
    """A folder of macros: one with an error, one with only an info finding, one clean."""
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "refund.md").write_text("Hi {{name}},\n\nur the only one, so silly.\n")
    (tmp_path / "macros" / "sorry.txt").write_text("We apologised twice.\n")
    (tmp_path / "macros" / "clean.txt").write_text("All fixed, thanks for waiting.\n")
    return tmp_path


# -- pre-commit ------------------------------------------------------------------


def _sample_repo(path: Path) -> Path:
    path.mkdir()
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=CI", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=path, check=True)
    (path / "macros").mkdir()
    (path / "macros" / "refund.md").write_text("Hi {{name}},\n\nYou're the only customer who has had this problem.\n")
    (path / "macros" / "welcome.html").write_text("<p>Welcome aboard, we are glad to have you.</p>\n")
    (path / "notes.py").write_text("# you're the only customer who has had this problem\n")  # not a draft: not linted
    subprocess.run([*git, "add", "."], cwd=path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "macros"], cwd=path, check=True)
    return path


@pytest.mark.parametrize("hook", ["tonecheck", "tonecheck-system"])
def test_pre_commit_try_repo_runs_the_hook_on_a_sample_repository(tmp_path, hook):
    """The shipped .pre-commit-hooks.yaml, as pre-commit itself reads and runs it.

    `tonecheck` (language: python) makes pre-commit build its own environment
    and `pip install` this checkout into it; offline, pip finds tonecheck's
    dependencies through PYTHONPATH (this environment's site-packages) instead of
    an index. `tonecheck-system` runs the tonecheck on PATH.
    """
    repo = _sample_repo(tmp_path / "sample")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "XDG_CONFIG_HOME": str(tmp_path / "no-user-config"),
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this variable inverted: "0" turns isolation off
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
    }
    env.pop("GITHUB_ACTIONS", None)
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files", "--verbose"]
    proc = subprocess.run(pre_commit, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Failed" in out and f"- hook id: {hook}" in out
    assert "macros/refund.md:3:1: error isolating.you-alone" in out
    assert "welcome.html" not in out and "notes.py" not in out

    (repo / "macros" / "refund.md").write_text("Hi {{name}},\n\nSorry you've run into this; I've fixed it.\n")
    proc = subprocess.run(pre_commit, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_pre_commit_hooks_file_declares_what_the_readme_says():
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"tonecheck", "tonecheck-system"}
    assert hooks["tonecheck"]["language"] == "python" and hooks["tonecheck-system"]["language"] == "system"
    assert all(h["entry"] == "tonecheck check" for h in hooks.values())


# -- output formats ------------------------------------------------------------------


def test_github_format_is_chosen_under_github_actions(drafts):
    env_run = lambda **env: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "tonecheck.cli", "check", "macros", *PACK],
        capture_output=True, text=True, cwd=drafts, timeout=300,
        env={**os.environ, "XDG_CONFIG_HOME": str(drafts / "cfg"), **env},
    )
    under_actions = env_run(GITHUB_ACTIONS="true")
    assert under_actions.stdout.startswith("::error file=macros/refund.md,line=3,col=1,")
    assert under_actions.returncode == 1
    elsewhere = env_run(GITHUB_ACTIONS="false")
    assert elsewhere.stdout.startswith("macros/refund.md:3:1: error basic.only-one")
    forced_text = subprocess.run(
        [sys.executable, "-m", "tonecheck.cli", "check", "macros", *PACK, "--format", "text"],
        capture_output=True, text=True, cwd=drafts, timeout=300,
        env={**os.environ, "XDG_CONFIG_HOME": str(drafts / "cfg"), "GITHUB_ACTIONS": "true"},
    )
    assert forced_text.stdout.startswith("macros/refund.md:3:1:")  # an explicit --format wins


def test_junit_report_reads_back_with_junitparser(drafts):
    from junitparser import Failure, JUnitXml

    proc = run_cli("check", "macros", *PACK, "--format", "junit", "--output-file", "report.xml", cwd=drafts)
    assert proc.returncode == 1 and proc.stdout == ""
    xml = JUnitXml.fromfile(str(drafts / "report.xml"))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"macros/clean.txt", "macros/refund.md", "macros/sorry.txt"}
    refund = suites["macros/refund.md"]
    assert (refund.tests, refund.failures, refund.errors) == (2, 2, 0)
    cases = list(refund)
    assert cases[0].name == "basic.only-one at macros/refund.md:3:1"
    [failure] = cases[0].result
    assert isinstance(failure, Failure) and failure.type == "error"
    assert failure.message == '"ur the only one" singles the customer out.'
    # Below the fail level (info): a passed case that still carries the message.
    sorry = suites["macros/sorry.txt"]
    assert (sorry.tests, sorry.failures) == (1, 0)
    assert list(sorry)[0].is_passed and "basic.apologise" in list(sorry)[0].system_out
    clean = suites["macros/clean.txt"]
    assert (clean.tests, clean.failures) == (1, 0) and list(clean)[0].is_passed
    assert (xml.tests, xml.failures) == (4, 2)


def test_checkstyle_report_validates_against_the_checkstyle_schema(drafts):
    import xmlschema

    schema = xmlschema.XMLSchema(str(SCHEMAS / "checkstyle.xsd"))
    proc = run_cli("check", "macros", *PACK, "--format", "checkstyle", cwd=drafts)
    schema.validate(proc.stdout)
    data = schema.to_dict(proc.stdout)
    files = {f["@name"]: f.get("error", []) for f in data["file"]}
    assert [(e["@line"], e["@column"], e["@severity"], e["@source"]) for e in files["macros/refund.md"]] == [
        (3, 1, "error", "tonecheck.basic.only-one"), (3, 18, "warning", "tonecheck.basic.exact"),
    ]
    assert files["macros/clean.txt"] == []
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(proc.stdout.replace('severity="error"', 'severity="fatal"', 1))


def test_gitlab_code_quality_report_validates_and_fingerprints_survive_line_moves(drafts):
    schema = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    report = json.loads(run_cli("check", "macros", *PACK, "--format", "gitlab", cwd=drafts).stdout)
    validator.validate(report)
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["positions"]["begin"]) for i in report] == [
        ("basic.only-one", "critical", "macros/refund.md", {"line": 3, "column": 1}),
        ("basic.exact", "major", "macros/refund.md", {"line": 3, "column": 18}),
        ("basic.apologise", "minor", "macros/sorry.txt", {"line": 1, "column": 4}),
    ]
    assert len({i["fingerprint"] for i in report}) == 3
    # Lines added above a finding do not change its fingerprint (GitLab shows it as not new).
    (drafts / "macros" / "refund.md").write_text("Hi {{name}},\n\nThanks for writing.\n\nur the only one, so silly.\n")
    moved = json.loads(run_cli("check", "macros", *PACK, "--format", "gitlab", cwd=drafts).stdout)
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in report]
    assert moved[0]["location"]["positions"]["begin"]["line"] == 5
    bad = [dict(report[0], severity="fatal")]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)


def test_output_file_writes_the_report_and_keeps_the_exit_code(drafts):
    proc = run_cli("check", "macros", *PACK, "--format", "json", "-o", "out/report.json", cwd=drafts)
    assert proc.returncode == 2 and "cannot write the report" in proc.stderr  # no such folder: said, not a traceback
    (drafts / "out").mkdir()
    proc = run_cli("check", "macros", *PACK, "--format", "json", "-o", "out/report.json", cwd=drafts)
    assert (proc.returncode, proc.stdout) == (1, "")
    data = json.loads((drafts / "out" / "report.json").read_text())
    assert [r["path"] for r in data["results"]] == ["macros/clean.txt", "macros/refund.md", "macros/sorry.txt"]


def test_statistics_count_findings_per_rule(drafts):
    (drafts / "macros" / "more.txt").write_text("ur the only one.\n\nur the only one again.\n")
    proc = run_cli("check", "macros", *PACK, "--statistics", cwd=drafts)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "3  basic.only-one   error",
        "1  basic.apologise  info",
        "1  basic.exact      warning",
    ]
    data = json.loads(run_cli("check", "macros", *PACK, "--statistics", "--format", "json", cwd=drafts).stdout)
    assert data[0] == {"rule": "basic.only-one", "count": 3, "severity": "error"}
    wrong = run_cli("check", "macros", *PACK, "--statistics", "--format", "sarif", cwd=drafts)
    assert wrong.returncode == 2 and "--statistics prints as text or json" in wrong.stderr


def test_quiet_prints_only_the_findings(drafts):
    proc = run_cli("check", "macros", *PACK, "--quiet", cwd=drafts)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        'macros/refund.md:3:1: error basic.only-one "ur the only one" singles the customer out.',
        'macros/refund.md:3:18: warning basic.exact "so silly" matched on lower case.',
        'macros/sorry.txt:1:4: info basic.apologise "apologised" uses a lemma.',
    ]
    assert run_cli("check", "macros/clean.txt", *PACK, "-q", cwd=drafts).stdout == ""


# -- folders: --exclude and .gitignore -------------------------------------------------


def test_exclude_and_gitignore_when_walking_folders(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("build/\n*.generated.md\n")
    (tmp_path / "macros" / "archive").mkdir(parents=True)
    (tmp_path / "macros" / "build").mkdir()
    for name in ["a.md", "b.generated.md", "archive/old.md", "build/out.md", "keep.txt", "draft.tmp.txt"]:
        (tmp_path / "macros" / name).write_text("ur the only one\n")
    (tmp_path / "macros" / ".gitignore").write_text("*.tmp.txt\n!keep.txt\n")

    def walked(*flags, cwd=tmp_path):
        proc = run_cli("check", "macros", *PACK, "--format", "json", *flags, cwd=cwd)
        return [r["path"] for r in json.loads(proc.stdout)["results"]]

    assert walked() == ["macros/a.md", "macros/keep.txt", "macros/archive/old.md"]
    assert walked("--exclude", "archive/") == ["macros/a.md", "macros/keep.txt"]
    assert walked("--exclude", "*.md,keep.txt") == []
    # Walking from inside the repository still honours the .gitignore above, up to its root.
    inside = run_cli("check", ".", *PACK, "--format", "json", cwd=tmp_path / "macros")
    assert [r["path"] for r in json.loads(inside.stdout)["results"]] == ["a.md", "keep.txt", "archive/old.md"]
    # The setting turns it off; a file named on the command line is always checked.
    (tmp_path / ".tonecheck.yaml").write_text("respect_gitignore: false\nexclude: ['archive/']\n")
    assert walked() == ["macros/a.md", "macros/b.generated.md", "macros/draft.tmp.txt", "macros/keep.txt", "macros/build/out.md"]
    proc = run_cli("check", "macros/build/out.md", *PACK, "--format", "json", "--exclude", "build/", cwd=tmp_path)
    assert [r["path"] for r in json.loads(proc.stdout)["results"]] == ["macros/build/out.md"]


# -- colour -----------------------------------------------------------------------


def _on_a_terminal(args: list[str], cwd: Path, **env: str) -> bytes:
    """Run tonecheck with stdout on a real pseudo-terminal and return what it wrote."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(XDG_CONFIG_HOME=str(cwd / "cfg"), TERM="xterm-256color", **env)
    proc = subprocess.Popen([sys.executable, "-m", "tonecheck.cli", *args], stdout=follower, stderr=subprocess.PIPE,
                            cwd=cwd, env=environment)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process is done writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks)


def test_colour_on_a_terminal_off_under_no_color_or_a_pipe_forced_with_force_color(drafts):
    args = ["check", "macros/refund.md", *PACK]
    tty = _on_a_terminal(args, drafts)
    assert b"\x1b[1;31merror\x1b[0m" in tty and b"macros/refund.md" in tty
    assert b"\x1b[" not in _on_a_terminal(args, drafts, NO_COLOR="1")
    piped = run_cli(*args, cwd=drafts)
    assert "\x1b[" not in piped.stdout and piped.stdout.startswith("macros/refund.md:3:1: error basic.only-one")
    forced = subprocess.run([sys.executable, "-m", "tonecheck.cli", *args], capture_output=True, text=True, cwd=drafts,
                            env={**os.environ, "FORCE_COLOR": "1", "XDG_CONFIG_HOME": str(drafts / "cfg")}, timeout=300)
    assert "\x1b[1;31merror\x1b[0m" in forced.stdout
    # Without the styles, the coloured output is the plain one, character for character.
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", forced.stdout) == piped.stdout


# -- stdin standing for a file -------------------------------------------------------------


def test_stdin_filename_gives_stdin_the_paths_format_and_configuration(tmp_path):
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / ".tonecheck.yaml").write_text(f"builtin: false\npacks: [{PACKS / 'basic.yaml'}]\nfail_on: error\n")
    html = "<p>Hi,</p><!-- ur the only one --><p>We apologised.</p>"
    proc = run_cli("check", "--stdin-filename", "team/reply.html", "--format", "json", input=html, cwd=tmp_path)
    [result] = json.loads(proc.stdout)["results"]
    # The name is the report's path, the .html extension makes it HTML (the comment is skipped),
    # and team/.tonecheck.yaml applies (its pack; fail_on error, so the info finding exits 0).
    assert result["path"] == "team/reply.html"
    assert [f["rule"] for f in result["findings"]] == ["basic.apologise"]
    assert proc.returncode == 0
    plain = run_cli("check", "-", "--format", "json", input=html, cwd=tmp_path)
    assert json.loads(plain.stdout)["results"][0]["path"] == "-"
    both = run_cli("check", "team/reply.html", "--stdin-filename", "x.md", input=html, cwd=tmp_path)
    assert both.returncode == 2 and "--stdin-filename" in both.stderr


# -- version ----------------------------------------------------------------------------


def test_version_comes_from_the_package_metadata():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert version("tonecheck") == declared
    assert run_cli("--version").stdout.strip() == f"tonecheck {declared}"
    data = json.loads(run_cli("check", "-", "--format", "json", input="hello").stdout)
    assert data["tool"]["version"] == declared
    # No other copy of the version string in the sources.
    copies = [p for p in (REPO / "src").rglob("*.py") if f'"{declared}"' in p.read_text(encoding="utf-8")]
    assert copies == []


def test_formats_table_and_cli_choices_agree():
    from tonecheck.cli import FORMATS
    from tonecheck.formatters import FORMATTERS

    assert tuple(FORMATTERS) == FORMATS

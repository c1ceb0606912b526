"""`tonecheck check` never passes silently: every path is checked or reported, by name, with why.

Real files, folders, links, FIFOs and sockets, and the CLI in a subprocess.
Unreadable files and folders need a process without root's file access (root
reads chmod-000 files): ``unprivileged`` drops CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH from the child, so even root gets "permission denied" on
them, while it can still run the interpreter wherever it is installed.
"""

from __future__ import annotations

import codecs
import ctypes
import json
import os
import socket
from pathlib import Path

import pytest

from conftest import PACKS, run_cli

PACK = ["--no-builtin", "--pack", str(PACKS / "basic.yaml")]
HARSH = "ur the only one"
_PR_CAPBSET_DROP = 24
_DAC_CAPS = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


def _drop_file_access() -> None:
    """Runs in the child before exec: without these capabilities file modes bind root too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _DAC_CAPS:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _can_be_denied() -> str | None:
    """None when an unreadable file can be made here, else why not (the reason a test is skipped)."""
    if os.geteuid() != 0:
        return None
    probe = run_cli("--version", preexec_fn=_drop_file_access, timeout=60) if os.name == "posix" else None
    if probe is None or probe.returncode != 0:
        return "running as root and cannot drop CAP_DAC_OVERRIDE (prctl refused), so no file is unreadable"
    return None


def unprivileged(*args: str, cwd: Path, **kw):
    """The CLI in a process that file permissions apply to, also when the tests run as root."""
    extra = {"preexec_fn": _drop_file_access} if os.geteuid() == 0 else {}
    return run_cli(*args, cwd=cwd, **extra, **kw)


def results(proc) -> dict[str, list[str]]:
    return {r["path"]: [f["rule"] for f in r["findings"]] for r in json.loads(proc.stdout)["results"]}


@pytest.fixture(scope="module")
def deniable() -> None:
    reason = _can_be_denied()
    if reason:
        pytest.skip(reason)


def test_an_unreadable_subfolder_is_reported_and_the_rest_checked(tmp_path: Path, deniable):
    drafts = tmp_path / "drafts"
    (drafts / "locked").mkdir(parents=True)
    (drafts / "locked" / "harsh.txt").write_text(HARSH)
    (drafts / "ok.txt").write_text(HARSH)
    (drafts / "secret.txt").write_text(HARSH)
    (drafts / "locked").chmod(0)
    (drafts / "secret.txt").chmod(0)
    try:
        proc = unprivileged("check", "drafts", "--format", "json", *PACK, cwd=tmp_path)
        assert proc.returncode == 2
        assert "tonecheck: error: drafts/locked: cannot read folder (Permission denied); its files were not checked" in proc.stderr
        assert "tonecheck: error: drafts/secret.txt: permission denied; skipped" in proc.stderr
        assert results(proc) == {"drafts/ok.txt": ["basic.only-one"]}
        # Naming the folder or a file inside it: reported the same way, no traceback.
        named = unprivileged("check", "drafts/locked", "drafts/locked/harsh.txt", "drafts/ok.txt", "--format", "json", *PACK, cwd=tmp_path)
        assert named.returncode == 2 and "Traceback" not in named.stderr
        assert "drafts/locked: cannot read folder (Permission denied)" in named.stderr
        assert "drafts/locked/harsh.txt: permission denied; skipped" in named.stderr
        assert results(named) == {"drafts/ok.txt": ["basic.only-one"]}
    finally:
        (drafts / "locked").chmod(0o755)


def test_symlink_loops_are_reported_and_the_other_files_still_checked(tmp_path: Path):
    (tmp_path / "a.txt").write_text(HARSH)
    (tmp_path / "l1.txt").symlink_to("l2.txt")
    (tmp_path / "l2.txt").symlink_to("l1.txt")
    (tmp_path / "dangling.txt").symlink_to("nowhere.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a folder loop
    (tmp_path / "sub" / "b.txt").write_text(HARSH)
    walked = run_cli("check", ".", "--format", "json", *PACK, cwd=tmp_path)
    assert walked.returncode == 2 and "Traceback" not in walked.stderr
    assert "tonecheck: error: l1.txt: symbolic link loop; skipped" in walked.stderr
    assert "tonecheck: error: l2.txt: symbolic link loop; skipped" in walked.stderr
    assert "tonecheck: error: dangling.txt: broken symbolic link (to nowhere.txt); skipped" in walked.stderr
    assert "tonecheck: error: sub/up: symbolic link loop (leads back to a folder above it); not followed" in walked.stderr
    assert results(walked) == {"a.txt": ["basic.only-one"], "sub/b.txt": ["basic.only-one"]}
    named = run_cli("check", "l1.txt", "a.txt", "--format", "json", *PACK, cwd=tmp_path)
    assert named.returncode == 2 and "l1.txt: symbolic link loop; skipped" in named.stderr
    assert results(named) == {"a.txt": ["basic.only-one"]}


def test_a_linked_folder_is_searched_once(tmp_path: Path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text(HARSH)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.txt").write_text(HARSH)
    (tmp_path / "real" / "shortcut").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "real" / "again").symlink_to(tmp_path / "elsewhere")
    proc = run_cli("check", "real", "--format", "json", *PACK, cwd=tmp_path)
    assert results(proc) == {"real/a.txt": ["basic.only-one"], "real/again/b.txt": ["basic.only-one"]}
    assert "tonecheck: note: real/shortcut: the same folder as real/again; checked there once" in proc.stderr
    assert proc.returncode == 1  # findings; a folder reached twice is not a failure


def test_fifos_sockets_and_devices_are_skipped_without_being_opened(tmp_path: Path):
    (tmp_path / "a.txt").write_text(HARSH)
    os.mkfifo(tmp_path / "pipe.txt")  # nobody ever writes to it: opening it for reading would block forever
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.txt"))
    try:
        proc = run_cli("check", ".", "/dev/null", "--format", "json", *PACK, cwd=tmp_path, timeout=120)
    finally:
        server.close()
    assert proc.returncode == 2
    assert "tonecheck: error: pipe.txt: a named pipe (FIFO), not a regular file; skipped without reading it" in proc.stderr
    assert "tonecheck: error: sock.txt: a socket, not a regular file" in proc.stderr
    assert "tonecheck: error: /dev/null: a character device, not a regular file" in proc.stderr
    assert results(proc) == {"a.txt": ["basic.only-one"]}


def test_a_folder_with_no_matching_file_says_so(tmp_path: Path):
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "reply.rtf").write_text(HARSH)
    proc = run_cli("check", "drafts", *PACK, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (
        "tonecheck: error: drafts: no file in this folder matches the include globs "
        "(*.txt *.md *.markdown *.eml *.mbox *.html *.htm) (or every match is excluded or git-ignored); "
        "nothing was checked\n"
    )


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8"])
def test_files_with_a_byte_order_mark_are_decoded(tmp_path: Path, encoding: str):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE,
           "utf-32-be": codecs.BOM_UTF32_BE, "utf-8": codecs.BOM_UTF8}[encoding]
    text = "Hi Sam,\r\n\r\nYou're the only one with this problem. Café ☕"
    (tmp_path / "export.txt").write_bytes(bom + text.encode(encoding))
    proc = run_cli("check", "export.txt", "--format", "json", *PACK, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    [finding] = json.loads(proc.stdout)["results"][0]["findings"]
    # Offsets count the characters after the mark, as an editor shows them.
    assert text[finding["start"]:finding["end"]] == finding["match"] == "You're the only one"
    assert (finding["line"], finding["column"]) == (3, 1)


def test_a_bad_utf16_file_and_utf16_without_a_mark_are_reported(tmp_path: Path):
    (tmp_path / "broken.txt").write_bytes(codecs.BOM_UTF16_LE + "ok".encode("utf-16-le") + b"\x00\xd8")
    (tmp_path / "nomark.txt").write_bytes(HARSH.encode("utf-16-le"))
    (tmp_path / "good.txt").write_text(HARSH)
    proc = run_cli("check", "broken.txt", "nomark.txt", "good.txt", *PACK, cwd=tmp_path)
    assert proc.returncode == 2
    assert "broken.txt: not valid UTF-16 text although it starts with a UTF-16 byte-order mark" in proc.stderr
    assert "nomark.txt: binary file (contains NUL bytes); skipped. If it is UTF-16 text without a byte-order mark" in proc.stderr
    assert "good.txt:1:1: error basic.only-one" in proc.stdout


def test_flag_errors_name_the_flag(tmp_path: Path):
    proc = run_cli("check", "-", *PACK, "--select", "isolatng", input=HARSH, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("tonecheck: error: --select: `isolatng` names no rule, rule prefix or category")
    # Even with a configuration file in play, the flag is blamed, not the file.
    (tmp_path / ".tonecheck.yaml").write_text("select: [isolating]\nignore: [style]\n")
    proc = run_cli("check", "-", *PACK, "--ignore", "nope", input=HARSH, cwd=tmp_path)
    assert proc.stderr.startswith("tonecheck: error: --ignore: `nope` names no rule"), proc.stderr
    (tmp_path / ".tonecheck.yaml").write_text("select: [isolatng]\n")
    proc = run_cli("check", "-", *PACK, input=HARSH, cwd=tmp_path)
    assert proc.stderr.startswith(f"tonecheck: error: {tmp_path / '.tonecheck.yaml'}: field `select`: `isolatng`")


def test_a_malformed_pyproject_found_by_discovery_is_a_located_error(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.tonecheck]\nselect = ["isolating"\nfail_on = "error"\n')
    (tmp_path / "a.txt").write_text(HARSH)
    proc = run_cli("check", "a.txt", *PACK, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"tonecheck: error: {tmp_path / 'pyproject.toml'}:6: invalid TOML:"), proc.stderr
    # Someone else's broken pyproject.toml (no tonecheck settings in it) is not ours to judge.
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n")
    assert run_cli("check", "a.txt", *PACK, cwd=tmp_path).returncode == 1


def test_a_malformed_tonecheck_yaml_found_by_discovery_is_a_located_error(tmp_path: Path):
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / ".tonecheck.yaml").write_text("select: [isolating\nfail_on: error\n")
    (tmp_path / "team" / "a.txt").write_text(HARSH)
    (tmp_path / "b.txt").write_text(HARSH)
    proc = run_cli("check", ".", *PACK, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{tmp_path / 'team' / '.tonecheck.yaml'}:2: invalid YAML" in proc.stderr


def test_an_unreadable_configuration_file_is_an_error(tmp_path: Path, deniable):
    (tmp_path / ".tonecheck.yaml").write_text("fail_on: error\n")
    (tmp_path / ".tonecheck.yaml").chmod(0)
    proc = unprivileged("check", "-", *PACK, input=HARSH, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{tmp_path / '.tonecheck.yaml'}: cannot read file: Permission denied" in proc.stderr

"""Bounded fuzzing: random text and markup through every input format, random file trees through the CLI.

Few examples and no deadline (the machine is shared), so the suite stays fast;
each example is a real run: the real pipeline, or the CLI in a subprocess on a
real tree with links, FIFOs and unreadable folders.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_walk import PACK, _can_be_denied, unprivileged
from tonecheck import Linter
from tonecheck.inputs import INPUT_FORMATS

FRAGMENTS = [
    "You're the only one who asked.", "Calm down.", "this is entirely our fault", "ur the only one", " ", "\n",
    "\n\n", "\r\n", "\t", "<p>", "</p>", "<div>", "</div>", "<br>", "<b>", "</b>", "<blockquote>", "</blockquote>",
    "<script>", "</script>", "<!--", "-->", "&amp;", "&rsquo;", "&#39;", "&#x1F600;", "&nbsp;", "&bogus;", "<",
    ">", "> ", "```", "`", "    ", "# ", "[link](", ")", "On Mon, 3 Jun 2024, Sam wrote:", "-- \n",
    "-----Original Message-----", "{{ customer.name }}", "{% comment %}", "{% endcomment %}", "{%", "%}",
    "<!-- tonecheck-disable -->", "<!-- tonecheck-enable -->", "tonecheck-disable-next-line isolating",
    "https://help.example.com/a?b=1", " /DX ", " ^JS", "😀", "👍🏽", "❤️", "𝒜", "é", "\u0301", "\ufeff", "\u200b",
    "\u2028", "\x00", "\x0c", "ǅ", "İ", "ß",
]

texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30,
).map("".join)


def _position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_every_input_format_gives_exact_offsets_and_never_raises(linter: Linter, text: str):
    for fmt in INPUT_FORMATS:
        for f in linter.check(text, input_format=fmt).findings:
            assert text[f.start:f.end] == f.match, (fmt, text)
            assert (f.line, f.column) == _position(text, f.start), (fmt, text)
            assert (f.end_line, f.end_column) == _position(text, f.end), (fmt, text)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.one_of(texts, st.none(), st.binary(max_size=8), st.integers()), max_size=8))
def test_check_many_reports_every_item_in_order(linter: Linter, items: list):
    reports = list(linter.check_many(items, on_error="report", batch_size=3))
    assert len(reports) == len(items)
    for index, (item, report) in enumerate(zip(items, reports)):
        if isinstance(item, str):
            assert report.error is None
            assert all(item[f.start:f.end] == f.match for f in report.findings)
        else:
            assert report.error.startswith(f"texts[{index}]: not text")


# -- random file trees ---------------------------------------------------------------

HARSH = "ur the only one"
KINDS = ["harsh", "clean", "latin1", "binary", "utf16", "folder", "locked-folder", "locked-file",
         "fifo", "loop", "folder-loop", "dangling", "hidden"]


@st.composite
def trees(draw) -> list[tuple[str, int]]:
    """Entries (kind, parent): parent indexes an earlier folder entry, or -1 for the root."""
    entries: list[tuple[str, int]] = []
    for _ in range(draw(st.integers(1, 10))):
        folders = [i for i, (kind, _) in enumerate(entries) if kind in ("folder", "locked-folder")]
        entries.append((draw(st.sampled_from(KINDS)), draw(st.sampled_from([-1, *folders]))))
    return entries


def _build(root: Path, entries: list[tuple[str, int]]) -> tuple[set[str], bool, bool]:
    """Make the tree; return (files that must be checked, whether something must be reported, any harsh)."""
    paths: list[Path] = []
    locked: set[int] = set()
    checked, problem, harsh = set(), False, False
    for i, (kind, parent) in enumerate(entries):
        folder = root if parent < 0 else paths[parent]
        hidden_parent = parent in locked or any(p in locked for p in _ancestors(entries, parent))
        path = folder / (f".e{i}.txt" if kind == "hidden" else f"e{i}" if "folder" in kind else f"e{i}.txt")
        paths.append(path)
        if kind == "folder":
            path.mkdir()
        elif kind == "locked-folder":
            path.mkdir()
            locked.add(i)
        elif kind in ("harsh", "clean", "hidden", "locked-file"):
            path.write_text(HARSH if kind in ("harsh", "locked-file") else "Thanks, all sorted.")
            if kind == "locked-file":
                path.chmod(0o000)
        elif kind == "latin1":
            path.write_bytes("caf\xe9".encode("latin-1"))
        elif kind == "binary":
            path.write_bytes(b"\x89PNG\x00\x00")
        elif kind == "utf16":
            path.write_bytes(codecs.BOM_UTF16_LE + HARSH.encode("utf-16-le"))
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "loop":
            path.symlink_to(path.name)
        elif kind == "folder-loop":
            path = folder / f"e{i}"
            paths[-1] = path
            path.symlink_to(".")
        elif kind == "dangling":
            path.symlink_to("nowhere.txt")
        if hidden_parent or kind == "hidden":
            continue  # inside an unreadable folder (or hidden): never reached
        if kind in ("harsh", "clean", "utf16"):
            checked.add(str(path.relative_to(root)))
            harsh |= kind != "clean"
        elif kind not in ("folder", "hidden"):
            problem = True
    for i in locked:
        paths[i].chmod(0o000)
    return checked, problem, harsh


def _ancestors(entries: list[tuple[str, int]], index: int) -> list[int]:
    out = []
    while index >= 0:
        index = entries[index][1]
        if index >= 0:
            out.append(index)
    return out


@pytest.fixture(scope="module")
def deniable_or_skip() -> None:
    reason = _can_be_denied()
    if reason:
        pytest.skip(reason)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=trees())
def test_random_trees_every_file_checked_or_reported(deniable_or_skip, entries: list[tuple[str, int]]):
    base = Path(tempfile.mkdtemp(prefix="tonecheck-fuzz-"))
    root = base / "drafts"
    root.mkdir()
    try:
        checked, problem, harsh = _build(root, entries)
        proc = unprivileged("check", "drafts", "--format", "json", *PACK, cwd=base, timeout=120)
        assert "Traceback" not in proc.stderr, proc.stderr
        found = {r["path"].removeprefix("drafts/") for r in json.loads(proc.stdout)["results"]}
        assert found == checked, (entries, proc.stderr)
        nothing = not checked and not problem
        expected = 2 if problem or nothing else (1 if harsh else 0)
        assert proc.returncode == expected, (entries, proc.stderr)
        reported = [line for line in proc.stderr.splitlines() if line.startswith("tonecheck: error: ")]
        assert bool(reported) == (problem or nothing), (entries, proc.stderr)
    finally:
        for folder, dirs, _ in os.walk(base, followlinks=False):
            for name in dirs:
                if not os.path.islink(os.path.join(folder, name)):
                    os.chmod(os.path.join(folder, name), 0o755)
        shutil.rmtree(base, ignore_errors=True)

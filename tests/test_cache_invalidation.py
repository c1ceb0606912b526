"""The compiled-pattern and anchor-index caches never serve patterns of an edited lexicon.

Real files and a real Linter in fresh processes' shoes: each Linter here is built
after clearing the in-process caches, so it reads the on-disk cache as a new CLI
run would.
"""

from __future__ import annotations

import os

import pytest

from tonecheck import Linter
from tonecheck.linter import _compiled
from tonecheck.packs import _load_cached

PACK = """\
pack: invalidation
version: "1"
language: en
description: One rule over a word class kept in a shared lexicon file of its own.
rules:
  - id: invalidation.shrug
    category: inflammatory
    severity: warning
    message: '"{match}" shrugs the customer off.'
    explanation: A test rule; its words come from the lexicon file.
    patterns: ["@invalidation-shrug-words"]
    suggestions:
      advice: Say what you will do.
    examples:
      flag: ["Well, whatever.", "Whatever, then."]
      pass: ["Well, thanks.", "Thank you."]
"""

LEXICON = """\
language: en
lexicons:
  invalidation-shrug-words:
    description: Words for the test rule.
    words: [{words}]
"""


def _linter(pack, lexicon) -> Linter:
    # A new process has neither the parsed packs nor the compiled rules in memory.
    _load_cached.cache_clear()
    _compiled.cache_clear()
    return Linter(builtin=False, packs=[str(pack), str(lexicon)])


def _rules_found(linter: Linter, text: str) -> list[str]:
    return [f.rule for f in linter.check(text).findings]


@pytest.mark.parametrize("same_size", [False, True])
def test_an_edited_lexicon_file_invalidates_the_compiled_patterns(tmp_path, monkeypatch, same_size):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TONECHECK_CACHE_DIR", str(cache))
    monkeypatch.delenv("TONECHECK_NO_CACHE", raising=False)
    pack, lexicon = tmp_path / "invalidation.yaml", tmp_path / "shrug-words.yaml"
    pack.write_text(PACK, encoding="utf-8")
    lexicon.write_text(LEXICON.format(words="whatever"), encoding="utf-8")

    assert _rules_found(_linter(pack, lexicon), "Well, whatever.") == ["invalidation.shrug"]
    assert list(cache.glob("compiled-*.pickle")), "the compiled patterns were cached"
    assert list(cache.glob("gate-*.pickle")), "and the anchor index built from them"
    # A warm start reads them back and matches the same.
    assert _rules_found(_linter(pack, lexicon), "Well, whatever.") == ["invalidation.shrug"]

    # Replace the word: either the size changes under the old timestamp, or the
    # size stays and only the timestamp moves on (a same-length edit).
    before = lexicon.stat()
    lexicon.write_text(LEXICON.format(words="meh" + ("hhhhh" if same_size else "")), encoding="utf-8")
    if same_size:
        assert lexicon.stat().st_size == before.st_size
        os.utime(lexicon, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    else:
        os.utime(lexicon, ns=(before.st_atime_ns, before.st_mtime_ns))  # only the size differs

    edited = _linter(pack, lexicon)
    word = "mehhhhhh" if same_size else "meh"
    assert _rules_found(edited, "Well, whatever.") == []
    assert _rules_found(edited, f"Well, {word}.") == ["invalidation.shrug"]


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TONECHECK_CACHE_DIR", str(cache))
    monkeypatch.setenv("TONECHECK_NO_CACHE", "1")
    pack, lexicon = tmp_path / "invalidation.yaml", tmp_path / "shrug-words.yaml"
    pack.write_text(PACK, encoding="utf-8")
    lexicon.write_text(LEXICON.format(words="whatever"), encoding="utf-8")
    assert _rules_found(_linter(pack, lexicon), "Well, whatever.") == ["invalidation.shrug"]
    assert not cache.exists()


def test_only_the_recently_used_rule_selections_keep_an_anchor_index(tmp_path, monkeypatch):
    # An index is several MB and keyed on which rules are enabled; old selections must not pile up.
    cache = tmp_path / "cache"
    monkeypatch.setenv("TONECHECK_CACHE_DIR", str(cache))
    monkeypatch.delenv("TONECHECK_NO_CACHE", raising=False)
    selections = [["denigrating"], ["isolating"], ["liability"], ["inflammatory"], ["negative-framing"],
                  ["denigrating", "isolating"], ["liability", "inflammatory"], ["isolating", "liability"],
                  ["denigrating", "liability"], ["isolating", "inflammatory"]]
    first = None
    for selection in selections:
        _compiled.cache_clear()
        linter = Linter(select=selection)
        first = first or sorted(cache.glob("gate-*.pickle"))
        found = {f.category for f in linter.check("You're the only customer who has had this problem.").findings}
        assert ("isolating" in found) == ("isolating" in selection)
    kept = list(cache.glob("gate-*.pickle"))
    assert len(kept) == 8
    assert not set(first) & set(kept), "the least recently used selection's index went first"


@pytest.mark.parametrize("lost", [["gate"], ["needs"], ["gate", "needs"], ["compiled", "gate"], ["compiled", "needs", "gate"]])
def test_a_lost_cache_entry_is_rebuilt_and_matches_the_same(tmp_path, monkeypatch, lost):
    # Patterns ("compiled"), their gate analyses ("needs") and the anchor index
    # ("gate") are separate entries; any of them may be deleted or evicted.
    cache = tmp_path / "cache"
    monkeypatch.setenv("TONECHECK_CACHE_DIR", str(cache))
    monkeypatch.delenv("TONECHECK_NO_CACHE", raising=False)
    pack, lexicon = tmp_path / "invalidation.yaml", tmp_path / "shrug-words.yaml"
    pack.write_text(PACK, encoding="utf-8")
    lexicon.write_text(LEXICON.format(words="whatever"), encoding="utf-8")
    assert _rules_found(_linter(pack, lexicon), "Well, whatever.") == ["invalidation.shrug"]
    for kind in ("compiled", "needs", "gate"):
        assert list(cache.glob(f"{kind}-*.pickle")), f"a cold start stores {kind}"
    for kind in lost:
        for path in cache.glob(f"{kind}-*.pickle"):
            path.unlink()

    linter = _linter(pack, lexicon)
    assert _rules_found(linter, "Well, whatever.") == ["invalidation.shrug"]
    assert _rules_found(linter, "Well, thanks.") == []
    # The index is rebuilt from the analyses whenever it is lost; with the index
    # at hand, a start never reads the analyses, so a lost one stays lost.
    assert bool(list(cache.glob("needs-*.pickle"))) == ("gate" in lost or "needs" not in lost)
    assert list(cache.glob("gate-*.pickle")) and list(cache.glob("compiled-*.pickle"))

"""Pack validation: every broken pack is a located, readable error; good packs load."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tonecheck import PackError
from tonecheck.packs import builtin_pack_paths, load_pack, load_pack_text
from tonecheck.rule_examples import run_examples

from conftest import PACKS

GOOD_RULE = """\
  - id: team.only-one
    category: isolating
    severity: error
    message: '"{match}" singles the customer out.'
    explanation: Why it hurts.
    phrases: ["only customer"]
    suggestions: {replace: ["a customer"]}
    examples:
      flag: ["the only customer", "THE ONLY CUSTOMER"]
      pass: ["a customer", "one customer"]
"""

HEADER = "pack: team\nversion: '1'\nlanguage: en\nrules:\n"


def pack(rule: str = GOOD_RULE, header: str = HEADER) -> str:
    return header + rule


def test_a_good_pack_loads_with_rule_lines():
    parsed, rules = load_pack_text(pack(), "team.yaml")
    assert parsed.pack == "team"
    assert [r.id for r in rules] == ["team.only-one"]
    assert rules[0].line == 5


BROKEN = [
    # (what is wrong, the pack text, fragments the message must contain)
    ("unknown key", pack(GOOD_RULE.replace("    severity: error\n", "    severity: error\n    severty: error\n")),
     ["team.yaml:8", "rule `team.only-one`", "field `severty`", "unknown key `severty`"]),
    ("bad severity", pack(GOOD_RULE.replace("severity: error", "severity: critical")),
     ["team.yaml:7", "field `severity`", "'error', 'warning', 'info' or 'hint'", "critical"]),
    ("missing explanation", pack(GOOD_RULE.replace("    explanation: Why it hurts.\n", "")),
     ["rule `team.only-one`", "field `explanation`", "required key `explanation` is missing"]),
    ("one flag example", pack(GOOD_RULE.replace('flag: ["the only customer", "THE ONLY CUSTOMER"]', 'flag: ["the only customer"]')),
     ["team.yaml:13", "field `examples.flag`", "at least 2"]),
    ("no examples", pack(GOOD_RULE.split("    examples:")[0]),
     ["field `examples`", "required key `examples` is missing"]),
    ("undotted id", pack(GOOD_RULE.replace("team.only-one", "OnlyOne")),
     ["team.yaml:5", "rule `OnlyOne`", "field `id`", "at least two parts"]),
    ("duplicate id", pack(GOOD_RULE + GOOD_RULE),
     ["team.yaml:15", "field `id`", "duplicate rule id", "line 5"]),
    ("duplicate yaml key", pack(GOOD_RULE.replace("    severity: error\n", "    severity: error\n    severity: info\n")),
     ["team.yaml:8", "duplicate key `severity`"]),
    ("unknown category", pack(GOOD_RULE.replace("category: isolating", "category: rudeness")),
     ["team.yaml:6", "field `category`", "unknown category `rudeness`", "declare it under the pack's `categories:`"]),
    ("invalid token pattern", pack(GOOD_RULE.replace('    phrases: ["only customer"]\n', "    tokens:\n      - [{LOWR: only}]\n")),
     ["rule `team.only-one`", "field `tokens`", "invalid token pattern", "LOWR"]),
    ("empty token pattern", pack(GOOD_RULE.replace('    phrases: ["only customer"]\n', "    tokens:\n      - []\n")),
     ["field `tokens`", "empty token pattern"]),
    ("invalid dependency pattern", pack(GOOD_RULE.replace('    phrases: ["only customer"]\n', "    dependency:\n      - [{RIGHT_ID: a, RIGHT_ATTRS: {LEMMA: x}}, {LEFT_ID: a, REL_OP: '>>>', RIGHT_ID: b, RIGHT_ATTRS: {LOWER: y}}]\n")),
     ["field `dependency`", "invalid dependency pattern", ">>>"]),
    ("no pattern at all", pack(GOOD_RULE.replace('    phrases: ["only customer"]\n', "")),
     ["rule `team.only-one`", "at least one of `patterns`, `all`, `phrases`, `tokens` or `dependency`"]),
    ("empty unless", pack(GOOD_RULE.replace("    suggestions:", "    unless:\n      - within: 3\n    suggestions:")),
     ["field `unless.0`", "needs `patterns`, `phrases` or `tokens`"]),
    ("empty suggestions", pack(GOOD_RULE.replace('suggestions: {replace: ["a customer"]}', "suggestions: {}")),
     ["field `suggestions`", "at least one `replace` text or an `advice`"]),
    ("unknown placeholder", pack(GOOD_RULE.replace("{match}", "{customer}")),
     ["field `message`", "{customer}"]),
    ("yaml syntax error", pack(GOOD_RULE.replace('phrases: ["only customer"]', 'phrases: ["only customer"')),
     ["team.yaml:", "invalid YAML"]),
    ("python tag", pack(GOOD_RULE.replace("explanation: Why it hurts.", "explanation: !!python/object/apply:os.system ['echo pwned']")),
     ["team.yaml:9", "invalid YAML", "python/object", "not allowed"]),
    ("not a mapping", "- just\n- a list\n", ["team.yaml:1", "a rule pack is a mapping"]),
    ("missing rules", HEADER.replace("rules:\n", ""), ["required key `rules` is missing"]),
    ("core category redeclared", "pack: team\nversion: '1'\nlanguage: en\ncategories: {isolating: mine}\nrules:\n" + GOOD_RULE,
     ["team.yaml:4", "field `categories`", "core category"]),
]


@pytest.mark.parametrize("text,fragments", [(t, f) for _, t, f in BROKEN], ids=[name for name, _, _ in BROKEN])
def test_broken_pack_is_a_located_error(text, fragments):
    with pytest.raises(PackError) as info:
        load_pack_text(text, "team.yaml")
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "Traceback" not in message


def test_a_pack_can_declare_a_category_and_use_it():
    header = "pack: team\nversion: 1.0\nlanguage: en\ncategories: {over-apology: Too many sorries.}\nrules:\n"
    parsed, rules = load_pack_text(header + GOOD_RULE.replace("category: isolating", "category: over-apology"), "t.yaml")
    assert parsed.version == "1.0"
    assert rules[0].rule.category == "over-apology"


def test_missing_pack_file_names_the_path(tmp_path):
    with pytest.raises(PackError, match="cannot read rule pack"):
        load_pack(tmp_path / "nope.yaml")


def test_builtin_packs_cover_the_four_core_categories_each_idea_with_its_examples():
    """Rules state ideas (a few broad rules per category), each with enough examples to show its boundary."""
    rules = [r for path in builtin_pack_paths() for r in load_pack(path)[1]]
    core = [r for r in rules if r.rule.category in {"denigrating", "isolating", "liability", "inflammatory"}]
    per_category = {c: sum(1 for r in core if r.rule.category == c) for c in ("denigrating", "isolating", "liability", "inflammatory")}
    assert all(count >= 4 for count in per_category.values()), per_category
    for r in core:
        assert len(r.rule.examples.flag) >= 5 and len(r.rule.examples.pass_) >= 5, r.id
    for r in rules:
        assert r.rule.explanation.strip() and (r.rule.suggestions.replace or r.rule.suggestions.advice)
        # ids are namespaced by their pack file, so `--select isolating` means the file too
        assert r.id.split(".")[0] == Path(r.path).stem


def test_every_builtin_rule_passes_its_own_examples():
    result = run_examples()
    assert result.rules >= 20
    assert not result.failures, "\n".join(f.render() for f in result.failures)


def test_pack_cache_never_serves_an_edited_pack(tmp_path, monkeypatch):
    from tonecheck.packs import load_pack

    monkeypatch.setenv("TONECHECK_CACHE_DIR", str(tmp_path / "cache"))
    pack = tmp_path / "p.yaml"
    source = (PACKS / "basic.yaml").read_text(encoding="utf-8")
    pack.write_text(source, encoding="utf-8")
    _, first = load_pack(pack)
    assert list((tmp_path / "cache").glob("pack-*.pickle")), "the parsed pack was cached"
    pack.write_text(source.replace("singles the customer out", "isolates the customer"), encoding="utf-8")
    os.utime(pack, ns=(1, 1))  # even with an old timestamp, the size differs
    _, second = load_pack(pack)
    assert "isolates the customer" in second[0].rule.message
    pack.write_text("pack: [", encoding="utf-8")
    with pytest.raises(PackError):
        load_pack(pack)


def test_packs_written_before_pattern_strings_load_and_behave_as_they_did():
    """Today's v1 packs, copied as they were (tests/packs/v1), still load and pass their own examples."""
    result = run_examples(sorted((PACKS / "v1").glob("*.yaml")))
    assert result.rules == 69
    broken = [f for f in result.failures if f.kind != "fix"]
    assert not broken, "\n".join(f.render() for f in broken)

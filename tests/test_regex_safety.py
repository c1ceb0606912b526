"""REGEX in packs never hangs a front end: catastrophic patterns are refused at pack load.

spaCy's Matcher runs REGEX predicates with Python's backtracking `re`; before
this check `{TEXT: {REGEX: "(a+)+$"}}` took seconds on 28 characters and
doubled with each more. The classic evil patterns must be refused when the pack
loads, with a located error saying why and what to write instead; patterns
that are accepted must run in linear time on adversarial tokens. Speed is not
asserted: a subprocess deadline catches a pattern that was let through and
hangs (the evil ones would take longer than the age of the universe).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from conftest import run_cli
from tonecheck import Linter, PackError
from tonecheck.packs import load_pack_text
from tonecheck.regex_safety import regex_problem

EVIL = [
    r"(a+)+$", r"(a|a)*b", r"(.*a){12}", r"(a?){20}a{20}", r"^(a|aa)+$", r"(\w+\s?)+$",
    r"(x+x+)+y", r"(.*)*", r"([a-z]+)*$", r"(a*)*", r"(a|a?)+", r"^(\d+)+$", r"(?:a+){2,}",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
    # polynomial: two repeats sharing characters, or search restarting a repeat at every position
    r"a*a*b", r"\d+\d+", r".*x.*y", r"^\w+\s*\w+$", r"\w+ing", r"a.*b", r"\w+$", r"(?=\w+x)",
    # no analysis bounds these
    r"(a)\1",
]

SAFE = [
    r"^[A-Z]{3,}$", r"^(?:ha)+$", r"colou?r", r"^h(?:a|e)+$", r"ing$", r"^\d+(?:\.\d+)?%?$", r"^!{2,}$",
    r"(?i)^no+$", r"^(?:lol|haha)+!*$", r"^[A-Z][a-z]+$", r"\d{3,}", r"^.*ing$", r"[aeiou]{3}", r"^\w+$",
    r"^\w+@\w+\.com$", r"^[a-z]{1,50}ing$", r"u$",
]

# Tokens that make backtracking engines suffer: long runs, almost-matches, repeated units.
ADVERSARIAL = [
    "a" * 30_000 + "!", "a" * 30_000, "1" * 30_000 + "x", "ha" * 15_000 + "!", "x" * 30_000 + "y!",
    "ab" * 15_000, "foo" * 10_000 + "ba", "a " * 15_000 + "!", "A" * 30_000 + "a", "no" + "o" * 30_000 + "!",
]


def _pack(regex: str) -> str:
    return textwrap.dedent(f"""\
        pack: team
        version: "1"
        language: en
        rules:
          - id: team.shout
            category: inflammatory
            severity: warning
            message: '"{{match}}" shouts.'
            explanation: Shouting.
            tokens:
              - - {{LOWER: please}}
                - {{TEXT: {{REGEX: {json.dumps(regex)}}}}}
            suggestions: {{advice: Write calmly.}}
            examples:
              flag: [please AAAA, please BBBB]
              pass: [please wait, thanks]
        """)


@pytest.mark.parametrize("regex", EVIL)
def test_evil_patterns_are_refused_at_pack_load_with_a_located_reason(regex: str):
    with pytest.raises(PackError) as refused:
        load_pack_text(_pack(regex), "team.yaml")
    error = refused.value
    assert (error.path, error.line, error.rule, error.field) == ("team.yaml", 12, "team.shout", "tokens")
    assert f"REGEX {regex!r}" in str(error)
    assert any(fix in str(error) for fix in ("e.g.", "use ", "anchor", "drop ", "merge ", "instead", "make every"))


def test_refusal_names_the_fix_for_each_kind():
    assert "`(a+)+` -> `a+`" in regex_problem(r"(a+)+$")
    assert "character class" in regex_problem(r"(a|a)*b")
    assert "merge them into one repeat" in regex_problem(r"\d+\d+")
    assert "anchor the pattern at the start with `^`" in regex_problem(r"a.*b")
    assert "drop the leading repeat" in regex_problem(r"\w+ing")
    assert "backreference" in regex_problem(r"(a)\1")
    assert "not a valid regular expression" in regex_problem(r"(a")


@pytest.mark.parametrize("regex", SAFE)
def test_useful_patterns_are_accepted(regex: str):
    assert regex_problem(regex) is None
    load_pack_text(_pack(regex), "team.yaml")


def test_vetoes_and_dependency_patterns_are_checked_too():
    veto = _pack("^[A-Z]{4,}$").replace(
        "    suggestions:", "    unless:\n      - tokens: [[{TEXT: {REGEX: '(a|a)*b'}}]]\n    suggestions:"
    )
    with pytest.raises(PackError) as refused:
        load_pack_text(veto, "team.yaml")
    assert refused.value.field == "unless" and refused.value.line == 14
    dependency = _pack("^[A-Z]{4,}$").replace(
        "    suggestions:",
        "    dependency:\n      - - {RIGHT_ID: verb, RIGHT_ATTRS: {LOWER: {REGEX: '(a+)+$'}}}\n    suggestions:",
    )
    with pytest.raises(PackError) as refused:
        load_pack_text(dependency, "team.yaml")
    assert refused.value.field == "dependency" and refused.value.line == 14


def test_accepted_patterns_run_in_linear_time_on_adversarial_tokens():
    """Every accepted pattern, searched as spaCy searches, on 30,000-character adversarial tokens."""
    code = textwrap.dedent("""
        import json, re, sys
        patterns, tokens = json.load(sys.stdin)
        for p in patterns:
            compiled = re.compile(p)
            for t in tokens:
                compiled.search(t)
        print("done")
    """)
    proc = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps([SAFE, ADVERSARIAL]),
        capture_output=True, text=True, timeout=120,
    )
    assert proc.stdout.strip() == "done", proc.stderr


def test_a_linter_with_a_safe_regex_lints_a_long_token(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(_pack("^[A-Z]{4,}$"), encoding="utf-8")
    linter = Linter(builtin=False, packs=[str(path)])
    assert [f.match for f in linter.check("please AAAA and please " + "a" * 50_000 + "!").findings] == ["please AAAA"]


def test_the_cli_refuses_an_evil_pack_instead_of_hanging(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(_pack(r"(a+)+$"), encoding="utf-8")
    proc = run_cli("check", "-", "--no-builtin", "--pack", str(path), input="please " + "a" * 40 + "!", timeout=120)
    assert proc.returncode == 2
    assert f"{path}:12: rule `team.shout`, field `tokens`: REGEX '(a+)+$' repeats a group" in proc.stderr

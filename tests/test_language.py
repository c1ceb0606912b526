"""Rule language v2 on the real pipeline: word classes, pattern strings, co-occurrence, scoped vetoes.

The pack under test is tests/packs/v2 (a pack and a shared lexicon file); broken
packs are written to real files so every error is seen as a user sees it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tonecheck import Linter, PackError
from tonecheck.packs import load_pack_text
from tonecheck.rule_examples import run_examples

from conftest import PACKS, run_cli

V2 = PACKS / "v2"


@pytest.fixture(scope="module")
def v2() -> Linter:
    return Linter(builtin=False, packs=[str(V2)])


def found(linter: Linter, text: str) -> list[tuple[str, str]]:
    report = linter.check(text)
    for f in report.findings:
        assert text[f.start:f.end] == f.match
    return [(f.rule, f.match) for f in report.findings]


# -- co-occurrence --------------------------------------------------------------------

def test_parts_in_any_order_within_a_clause(v2):
    assert found(v2, "We will cover all of your costs.") == [("team.open-ended", "cover all")]
    assert found(v2, "Every penny we'll reimburse") == [("team.open-ended", "Every penny we'll reimburse")]
    # a colon and a comma end clauses, so these parts are in two of them
    assert found(v2, "Don't worry: every penny, we'll reimburse it") == []


def test_finding_spans_from_the_first_part_to_the_last_in_either_order(v2):
    assert found(v2, "Any damage it did, we will cover it.") == []  # two clauses
    assert found(v2, "We'll pick up the tab for whatever it cost you.") == [("team.open-ended", "pick up the tab for whatever")]
    assert found(v2, "Whatever it costs we will reimburse.") == [("team.open-ended", "Whatever it costs we will reimburse")]


@pytest.mark.parametrize("text", [
    "We will refund the delivery, but all other costs are yours.",          # `but` opens a clause
    "We will refund the delivery; all other fees stay as they are.",
    "We refunded the order. All the best!",                                 # another sentence
    "We refunded the order (all of it was checked).",                       # parentheses
    "We'll refund it - all the best",                                        # a spaced dash
])
def test_clause_boundaries_keep_parts_apart(v2, text):
    assert [r for r, _ in found(v2, text) if r == "team.open-ended"] == []


def test_a_hyphen_inside_a_word_is_not_a_clause_boundary(v2):
    assert found(v2, "We'll refund all Wi-Fi charges.") == [("team.open-ended", "refund all")]


def test_and_that_who_do_not_end_a_clause(v2):
    assert found(v2, "We apologise and we will compensate you for everything.") == [
        ("team.open-ended", "compensate you for everything")
    ]


def test_sentence_scope_and_given_order(v2):
    assert found(v2, "If you call us again, we will take legal action.") == [
        ("team.threat", "If you call us again, we will take legal action")
    ]
    # order: given -- the sanction first is a statement of process, not this rule
    assert found(v2, "We will take legal action if you call again.") == []
    # sentence scope: a new sentence separates the parts
    assert found(v2, "If you need us, call. We will never involve the police.") == []


def test_token_distance_scope(v2):
    assert found(v2, "I guarantee it will arrive tomorrow.") == [("team.close-by", "guarantee it will arrive")]
    assert found(v2, "It will be fixed, guaranteed.") == [("team.close-by", "will be fixed, guaranteed")]
    far = "I guarantee that, speaking as the manager of the whole regional network, it will arrive."
    assert found(v2, far) == []


def test_parts_never_share_words():
    text = textwrap.dedent("""\
        pack: t
        version: "1"
        language: en
        lexicons:
          a: {words: [all]}
          b: {words: [all, any]}
        rules:
          - id: t.x
            category: liability
            severity: error
            message: m
            explanation: e
            all: ["@a", "@b"]
            suggestions: {advice: a}
            examples: {flag: ["all and any", "any of all"], pass: ["all", "any"]}
    """)
    result = _run_pack(text)
    assert not result.failures, [f.render() for f in result.failures]


# -- vetoes with scope ------------------------------------------------------------------

def test_a_negation_in_the_same_clause_cancels(v2):
    assert found(v2, "We will not cover all costs.") == []
    assert found(v2, "We never refund every fee.") == []


def test_a_negation_in_another_clause_does_not_cancel(v2):
    assert found(v2, "It's not ideal, but we will cover all your costs.") == [("team.open-ended", "cover all")]
    assert found(v2, "No, we'll refund everything.") == [("team.open-ended", "refund everything")]


def test_try_shows_parts_and_the_veto_that_cancelled(tmp_path):
    proc = run_cli("try", "--no-builtin", "--pack", str(V2), "--rule", "team.open-ended",
                   "Honestly we would never cover any costs.")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "part 1 `@pays`: “cover” (1:25)" in out
    assert "part 2 `@unbounded`: “any” (1:31)" in out
    assert "unless 1 (`@negation`, within clause): “never” (1:19): cancelled “cover any” (1:25)" in out
    assert "=> no finding: every match was vetoed" in out


def test_try_without_a_rule_lists_what_matched_and_reports(tmp_path):
    proc = run_cli("try", "--no-builtin", "--pack", str(V2), input="Happy now? We'll foot the bill for all of it.")
    assert proc.returncode == 0, proc.stderr
    assert "team.happy-now" in proc.stdout and "=> reported: “Happy now?” (1:1)" in proc.stdout
    assert "=> reported: “foot the bill for all” (1:18)" in proc.stdout
    assert "other rules matched nothing here." in proc.stdout


# -- pattern strings --------------------------------------------------------------------

@pytest.mark.parametrize("text,match", [
    ("We're entirely to blame.", "We're entirely to blame"),
    ("we are totally, to blame", None),                 # the comma is a token the pattern does not allow
    ("Our team is really truly at fault.", "Our team is really truly at fault"),
    ("We are to blame", "We are to blame"),             # {0,3}: none is fine
    ("We're really really really really to blame", None),  # four is one too many
    ("We was at fault", "We was at fault"),             # ~be / @be: every form
])
def test_lexicons_repetition_and_alternatives(v2, text, match):
    rules = [(r, m) for r, m in found(v2, text) if r == "team.our-fault"]
    assert rules == ([("team.our-fault", match)] if match else [])


def test_quoted_literals_and_optional_words(v2):
    assert found(v2, "Refunded. Happy now?") == [("team.happy-now", "Happy now?")]
    assert found(v2, "Oh great another one") == [("team.happy-now", "Oh great another one")]
    assert found(v2, "Wow great, another one!") == [("team.happy-now", "Wow great, another one")]


def test_a_multi_word_entry_matches_only_as_a_whole(v2):
    assert found(v2, "Don't worry, it's on us, all of it") == []  # commas: three clauses
    assert found(v2, "it's on us for everything") == [("team.open-ended", "it's on us for everything")]
    assert found(v2, "it is on us for everything") == [("team.open-ended", "it is on us for everything")]
    assert found(v2, "it's for us all") == []


def test_lemmas_cover_inflections_and_spelling(v2):
    for text in ["We compensated every customer.", "We're compensating every customer.", "We reimbursed all fees."]:
        assert [r for r, _ in found(v2, text)] == ["team.open-ended"], text


def test_fix_tested_rules_are_marked_and_give_their_fixed_sentence(v2):
    rules = {r.id: r.rule for r in v2.rules}
    assert rules["team.told-you"].fix_tested
    assert not rules["team.open-ended"].fix_tested  # advice only
    result = run_examples([V2])
    assert result.fixes == 2 and not result.failures


# -- errors -----------------------------------------------------------------------------

HEADER = 'pack: team\nversion: "1"\nlanguage: en\n'
RULE = """\
  - id: team.x
    category: liability
    severity: error
    message: m
    explanation: e
    {body}
    suggestions: {{advice: a}}
    examples: {{flag: ["a b", "c d"], pass: ["e f", "g h"]}}
"""


def rule(body: str, header: str = HEADER, extra: str = "") -> str:
    return header + extra + "rules:\n" + RULE.format(body=body)


BROKEN = [
    ("unclosed paren", rule('patterns: ["@company-self (to|at blame"]'),
     ["team.yaml:10", "rule `team.x`", "field `patterns.0`", "at `(` (character 15)", "this `(` is never closed"]),
    ("unbounded repetition", rule('patterns: ["we _{2,} blame"]'),
     ["team.yaml:10", "field `patterns.0`", "at `{2,}`", "unbounded repetition is not allowed"]),
    ("star", rule('patterns: ["we .* blame"]'), ["at `.*`", "unbounded repetition", "_{0,5}"]),
    ("too long a gap", rule('patterns: ["we _{0,40} blame"]'), ["a repetition is at most 12"]),
    ("empty alternative", rule('patterns: ["(to|) blame"]'), ["at `)`", "an alternative is empty"]),
    ("bad lexicon name", rule('patterns: ["@Company blame"]'), ["at `Company`", "lower-case words joined by `-`"]),
    ("unknown lexicon", rule('patterns: ["@compny-self (to|at) blame"]'),
     ["team.yaml:10", "rule `team.x`", "field `patterns.0`", "at `@compny-self` (character 1)", "no lexicon `compny-self`",
      "did you mean `@company-self`"]),
    ("gap at the edge", rule('patterns: ["blame _{0,2}"]'), ["field `patterns.0`", "may not begin or end with `_`"]),
    ("nothing required", rule('patterns: ["blame?"]'), ["can match no word at all"]),
    ("repeated multi-word", rule('patterns: ["we @phrases{1,2} blame"]', extra="lexicons:\n  phrases: {words: [a lot, much]}\n"),
     ["`@phrases{1,2}` repeats one word at a time", "lexicon `phrases` has entries of several words (`a lot`)"]),
    ("bare no in a lexicon", rule('patterns: ["@neg blame"]', extra="lexicons:\n  neg: {words: [not, no]}\n"),
     ["team.yaml:5", "field `lexicons.neg.words.1`", "YAML reads a bare `no` as false", 'quote it (`"no"`)']),
    ("bare no in a token pattern", rule("tokens:\n      - [{NORM: no}, {NORM: one}]"),
     ["field `tokens`", "YAML reads a bare `no` as a boolean", "quote it"]),
    ("one part", rule('all: ["@company-self"]'), ["`all` lists the parts that must occur together, at least two"]),
    ("within without all", rule('patterns: ["blame"]\n    within: sentence'), ["this rule has no `all`"]),
    ("bad scope", rule('all: ["we", "blame"]\n    within: paragraph'), ["field `within`"]),
    ("include cycle", rule('patterns: ["@a blame"]', extra="lexicons:\n  a: {include: [b]}\n  b: {include: [a]}\n"),
     ["lexicons include each other in a circle (a -> b -> a)"]),
    ("include unknown", rule('patterns: ["@a blame"]', extra="lexicons:\n  a: {include: [negaton]}\n"),
     ["lexicon `a` includes `negaton`, which is not declared", "did you mean `@negation`"]),
    ("shadowing a shared name", rule('patterns: ["@negation blame"]', extra="lexicons:\n  negation: {words: [nope]}\n"),
     ["lexicon `negation` is already a shared lexicon", "include: [negation]"]),
    ("empty lexicon", rule('patterns: ["@a blame"]', extra="lexicons:\n  a: {}\n"), ["a lexicon needs `words`, `lemmas` or `include`"]),
    ("merge of a scalar", HEADER + "x-d: &d hello\nrules:\n  - <<: *d\n    id: team.x\n", ["`<<` merges mappings"]),
]


@pytest.mark.parametrize("text,fragments", [(t, f) for _, t, f in BROKEN], ids=[name for name, _, _ in BROKEN])
def test_broken_v2_pack_is_a_located_error(tmp_path, text, fragments):
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as info:
        Linter(builtin=False, packs=[str(path)])
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    proc = run_cli("check", "--no-builtin", "--pack", str(path), input="hello")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert fragments[0] in proc.stderr


def test_too_many_multi_word_alternatives_say_how_to_split(tmp_path):
    words = ", ".join(f"w{i} x{i}" for i in range(20))
    text = rule('patterns: ["@a @b"]', extra=f"lexicons:\n  a: {{words: [{words}]}}\n  b: {{words: [{words.replace('w', 'v')}]}}\n")
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError, match=r"expands to 400 token sequences .*`@a` has 20, `@b` has 20.*co-occurrence rule"):
        Linter(builtin=False, packs=[str(path)])


def test_duplicate_shared_lexicon_names_across_files(tmp_path):
    (tmp_path / "one.yaml").write_text("language: en\nlexicons:\n  pays: {words: [pay]}\n", encoding="utf-8")
    (tmp_path / "two.yaml").write_text("language: en\nlexicons:\n  pays: {words: [cover]}\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"two.yaml:3: field `lexicons.pays`: lexicon `pays` is already declared in .*one.yaml:3"):
        Linter(builtin=False, packs=[str(tmp_path)])


def test_merge_keys_fill_rules_and_keys_written_in_the_rule_win(v2):
    rules = {r.id: r.rule for r in v2.rules}
    assert rules["team.open-ended"].severity.value == "error"  # from x-defaults
    assert rules["team.our-fault"].severity.value == "warning"  # written in the rule
    assert rules["team.our-fault"].explanation == "Test rule."


def test_shared_word_classes_are_there_without_the_builtin_packs(v2):
    # team.our-fault uses @company-self, @be and @intensifier from rules/en/lexicons/common.yaml
    assert v2.config.builtin is False
    assert found(v2, "Our engineer was completely to blame.") == [("team.our-fault", "Our engineer was completely to blame")]


def test_a_lexicon_file_has_no_rules_and_loads_on_its_own():
    parsed, rules = load_pack_text((V2 / "words.yaml").read_text(encoding="utf-8"), "words.yaml")
    assert rules == () and set(parsed.lexicons) == {"pays", "unbounded", "sanction", "condition"}


def test_rules_and_explain_show_word_classes():
    listing = run_cli("rules", "--no-builtin", "--pack", str(V2))
    assert listing.returncode == 0, listing.stderr
    assert "@pays" in listing.stdout and "words.yaml:4" in listing.stdout
    explained = run_cli("explain", "--no-builtin", "--pack", str(V2), "team.open-ended")
    assert "all of these in one clause: `@pays` + `@unbounded`" in explained.stdout
    assert "@pays: foot the bill, pick up the tab, it's on us, ~cover, ~reimburse" in explained.stdout
    lexicon = run_cli("explain", "--no-builtin", "--pack", str(V2), "@unbounded")
    assert lexicon.returncode == 0, lexicon.stderr
    assert "Used by: team.open-ended" in lexicon.stdout and "however much" in lexicon.stdout
    missing = run_cli("explain", "--no-builtin", "--pack", str(V2), "@nope")
    assert missing.returncode == 2 and "no word class `@nope`" in missing.stderr


def _run_pack(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.yaml"
        path.write_text(text, encoding="utf-8")
        return run_examples([path])


NUMBER_AND_AFTER = """\
pack: t
version: "1"
language: en
rules:
  - id: t.rated
    category: isolating
    severity: error
    message: m
    explanation: e
    patterns: ["rated @number (stars|out of @number)"]
    suggestions: {advice: a}
    examples:
      flag: ["It's rated 4.9 stars.", "rated twelve out of 10"]
      pass: ["rated highly", "rated stars"]
  - id: t.down-to-you
    category: inflammatory
    severity: error
    message: m
    explanation: e
    patterns: ["down to you"]
    unless:
      - patterns: ["to (decide|choose|pick)"]
        after: 2
    suggestions: {advice: a}
    examples:
      flag: ["That's down to you shoving it in the drawer.", "It was down to you. To decide later, we need the form."]
      pass: ["It's down to you to decide.", "Entirely down to you to choose."]
"""


def test_number_word_class_and_vetoes_that_look_after_the_finding(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(NUMBER_AND_AFTER, encoding="utf-8")
    result = run_examples([path])
    assert not result.failures, [f.render() for f in result.failures]
    explained = run_cli("explain", "--no-builtin", "--pack", str(path), "t.rated")
    assert "@number: built in: any number" in explained.stdout
    assert "within 2 tokens after it" in run_cli("explain", "--no-builtin", "--pack", str(path), "t.down-to-you").stdout


def test_number_is_reserved_and_after_excludes_within(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(rule('patterns: ["@number"]', extra="lexicons:\n  number: {words: [one]}\n"), encoding="utf-8")
    with pytest.raises(PackError, match="`number` is a built-in word class"):
        Linter(builtin=False, packs=[str(path)])
    path.write_text(rule('patterns: ["blame"]\n    unless:\n      - {patterns: ["x"], within: 3, after: 2}'), encoding="utf-8")
    with pytest.raises(PackError, match="give one of `within` .* `after` .* or `before` .*, not `within` and `after`"):
        Linter(builtin=False, packs=[str(path)])


BEFORE = """\
pack: t
version: "1"
language: en
rules:
  - id: t.cheap
    category: denigrating
    severity: error
    message: m
    explanation: e
    patterns: ["only @number (quid|dollars) _{0,3} not worth"]
    unless:
      - patterns: ["@negation"]
        SCOPE
    suggestions: {advice: a}
    examples:
      flag: ["It's only 3 quid, so not worth a complaint.", "only 12 dollars and not worth the fuss"]
      pass: ["Not only 3 quid, and not worth it either.", "It's never only 3 dollars, not worth it."]
"""


def test_a_veto_before_the_finding_leaves_a_negation_inside_it_alone(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(BEFORE.replace("SCOPE", "before: 3"), encoding="utf-8")
    result = run_examples([path])
    assert not result.failures, [f.render() for f in result.failures]
    assert "in the 3 tokens before it" in run_cli("explain", "--no-builtin", "--pack", str(path), "t.cheap").stdout
    # the same veto `within: 3` reaches into the finding and cancels its own "not"
    path.write_text(BEFORE.replace("SCOPE", "within: 3"), encoding="utf-8")
    failed = run_examples([path]).failures
    assert [f.text for f in failed] == ["It's only 3 quid, so not worth a complaint.", "only 12 dollars and not worth the fuss"]


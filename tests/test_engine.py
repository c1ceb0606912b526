"""The engine on the real pipeline: normalisation, vetoes, spans, selection, parallelism."""

from __future__ import annotations

import pytest

from tonecheck import Linter

from conftest import PACKS, REPO


def rules(report) -> list[str]:
    return [f.rule for f in report.findings]


@pytest.mark.parametrize(
    "text",
    ["You're the only one here.", "You are the only one here.", "youre the only one", "Ur the only one", "YOU'RE THE ONLY ONE", "You’re the only one"],
)
def test_contractions_chat_speak_and_case_match_alike(test_linter, text):
    assert rules(test_linter.check(text)) == ["basic.only-one"]


def test_negation_within_the_window_vetoes(test_linter):
    assert rules(test_linter.check("You're not the only one, others reported it.")) == []
    # The veto only looks 3 tokens back: a "not" far earlier in the sentence does not count.
    assert rules(test_linter.check("Not that it matters much to anyone here, but you're the only one.")) == ["basic.only-one"]


def test_sentence_scoped_veto_stays_in_its_sentence(test_linter):
    assert rules(test_linter.check("You are the only customer who can authorise it.")) == []
    assert rules(test_linter.check("Someone who can authorise it called. You are the only customer.")) == ["basic.only-one"]
    assert rules(test_linter.check("Thanks for calling.\n\nYou are the only customer with this issue. Nobody who can authorise it replied.")) == ["basic.only-one"]


def test_lemma_matching_covers_inflections_and_spelling(test_linter):
    for text in ["We apologized.", "We apologise.", "I'm apologising.", "They apologizes"]:
        assert rules(test_linter.check(text)) == ["basic.apologise"], text


def test_lower_matching_and_token_patterns(test_linter):
    assert rules(test_linter.check("That is SILLY.")) == ["basic.exact"]
    assert rules(test_linter.check("That is not silly.")) == []


def test_overlapping_rules_of_one_category_give_one_finding(test_linter):
    found = test_linter.check("You're the only one with this problem.").findings
    assert [(f.rule, f.severity.value) for f in found] == [("basic.only-one", "error")]


def test_spans_are_exact_in_multiline_and_non_ascii_text(test_linter):
    text = "Héllo Zoë 👋🏽,\n\nthanks — really.\nAnd yes: ur the only one.\n"
    [f] = test_linter.check(text).findings
    assert text[f.start:f.end] == f.match == "ur the only one"
    assert (f.line, f.column) == (4, 10)
    assert (f.end_line, f.end_column) == (4, 25)


def test_match_across_a_hard_wrapped_line(test_linter):
    text = "Honestly you're the\nonly one here."
    [f] = test_linter.check(text).findings
    assert f.match == "you're the\nonly one"
    assert (f.line, f.column, f.end_line) == (1, 10, 2)
    assert "\n" not in f.message


def test_suggestions_follow_the_capitalisation_of_the_match(test_linter):
    [f] = test_linter.check("You're the only one.").findings
    assert f.suggestions == ["I'm sorry you've run into this"]
    [g] = test_linter.check("Apologies: we apologised.").findings
    assert g.suggestions == ["sorry"]


def test_message_template_and_explanation(test_linter):
    [f] = test_linter.check("ur the only one").findings
    assert f.message == '"ur the only one" singles the customer out.'
    assert f.explanation.startswith("Telling a customer")


def test_select_ignore_and_severity_by_prefix_category_and_id():
    base = dict(builtin=False, packs=[str(PACKS / "basic.yaml")])
    text = "You're the only one. We apologised. So silly."
    assert rules(Linter(**base).check(text)) == ["basic.only-one", "basic.apologise", "basic.exact"]
    assert rules(Linter(**base, select=["isolating"]).check(text)) == ["basic.only-one"]
    assert rules(Linter(**base, select=["basic"], ignore=["basic.only-one"]).check(text)) == ["basic.apologise", "basic.exact"]
    assert rules(Linter(**base, ignore=["basic"], select=["basic.exact"]).check(text)) == ["basic.exact"]
    linter = Linter(**base, severity={"basic": "hint", "basic.exact": "error"})
    assert [f.severity.value for f in linter.check(text).findings] == ["hint", "hint", "error"]


def test_empty_and_whitespace_input_give_no_findings(test_linter):
    assert test_linter.check("").findings == []
    assert test_linter.check(" \n\t ").findings == []


def test_check_many_keeps_order_and_matches_check(test_linter):
    texts = ["ur the only one", "fine", "", "We apologised. You're the only one."] * 40
    single = [r.model_dump() for r in (test_linter.check(t) for t in texts)]
    assert [r.model_dump() for r in test_linter.check_many(texts, batch_size=7)] == single
    assert [r.model_dump() for r in test_linter.check_many(iter(texts), n_process=2, batch_size=16)] == single


def test_a_five_megabyte_reply_is_linted_with_exact_offsets(test_linter):
    text = ("Thanks for waiting, the parcel is on its way today. " * 100_000) + "ur the only one."
    assert len(text) > 5_000_000
    [f] = test_linter.check(text).findings
    assert text[f.start:f.end] == "ur the only one"


def test_rules_compile_once_per_process():
    first = Linter(builtin=False, packs=[str(PACKS / "basic.yaml")])
    second = Linter(builtin=False, packs=[str(PACKS / "basic.yaml")])
    assert first._compiled is second._compiled


def test_builtin_done_when_phrases(linter):
    def categories(text):
        return {f.category for f in linter.check(text).findings}

    assert linter.check("Sorry about the missing items. I'll send them out to you today.").findings == []
    assert "isolating" in categories("You're the only person who has had this problems this often!")
    assert "denigrating" in categories("Calling your allergic reaction to our granola an emergency is asinine.")
    assert "inflammatory" in categories("If this continues we will take legal action.")
    assert "liability" in categories("this is entirely our fault and we will cover all damages")
    assert categories("You're not the only one, several customers reported it") == set()


def test_builtin_spans_are_exact(linter):
    import json
    from pathlib import Path

    data = Path(__file__).resolve().parent / "data" / "dev-set.jsonl"
    texts = [json.loads(line)["text"] for line in data.read_text(encoding="utf-8").splitlines()]
    texts += ["Hi {{ticket.requester.name}},\n\nYou're the only customer who complained!!!"]
    for text, report in zip(texts, linter.check_many(texts)):
        for f in report.findings:
            assert text[f.start:f.end] == f.match


def test_anchor_index_runs_only_rules_whose_fixed_words_occur(test_linter, linter):
    compiled = linter._compiled
    polite = linter.nlp("Thanks for your patience, the parcel ships today.")
    assert compiled.candidates(polite) == []
    # Shouting has no fixed words: capitals side by side make it a candidate, one acronym does not.
    assert compiled.candidates(linter.nlp("Your PIN is on the way.")) == []
    assert compiled.candidates(linter.nlp("Your PIN IS ON the way.")) == ["inflammatory.shouting"]
    risky = linter.nlp("Honestly it's entirely our fault.")
    assert "liability.our-fault" in compiled.candidates(risky)
    assert "liability.our-fault" in [h.rule.id for h in compiled.match(risky)]


def test_two_candidate_rules_in_one_reply_match_the_same_every_time(linter):
    # Two rules' Matchers run on one reply, built on first use and reused after.
    text = "Calm down, it's entirely our fault."
    compiled = linter._compiled
    first = [(h.rule.id, h.start, h.end) for h in compiled.match(linter.nlp(text))]
    for _ in range(20):
        again = [(h.rule.id, h.start, h.end) for h in compiled.match(linter.nlp(text))]
        assert again == first
    assert {"inflammatory.command", "liability.our-fault"} <= {rule for rule, _, _ in first}


def test_anchor_index_never_drops_a_rule_that_matches(linter):
    """Every rule whose Matcher matches anywhere in a text is among the gate's candidates.

    Run on every rule example and every labeled reply: the gate's offset
    checks must be a necessary condition for a match, never a guess.
    """
    import json

    compiled = linter._compiled
    texts = [text for rule in compiled.rules for text in (*rule.rule.examples.flag_texts, *rule.rule.examples.pass_)]
    data = REPO / "tests" / "data"
    for name in ("dev-set.jsonl", "agent-replies-sample.jsonl"):
        texts += [json.loads(line)["text"] for line in (data / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    checked = 0
    gated = compiled.trigger_groups | {g for groups in compiled.part_groups.values() for g in groups}
    for doc in linter.nlp.pipe(texts):
        scan = compiled.gate.scan(doc)
        for group in gated:
            everywhere = {(s, e) for _, s, e in compiled._group(group)(doc, allow_missing=True)}
            if everywhere:
                checked += 1
                assert group in scan.anchored | scan.unanchored, (compiled.group_patterns[group][0][0], doc.text)
                if group in scan.anchored:
                    # Run only on the sentences around its anchors, the group still finds every match.
                    found = {(s, e) for _, s, e in compiled._run(group, doc, scan.sentences(group))}
                    assert everywhere <= found, (compiled.group_patterns[group][0][0], doc.text, scan.sentences(group))
    assert checked > 200


def test_every_rule_finds_in_a_long_draft_what_it_finds_in_each_reply(linter):
    # Past a few hundred tokens the gate reads a draft in runs of sentences and
    # co-occurrence parts only near each other; none of that may change a
    # finding. Every built-in example, flagged or clean, sits in one draft,
    # each between neutral paragraphs longer than any rule's token scope, in
    # one draft.
    filler = (
        "The parcel left the depot this morning and the tracking page will update once it is scanned again. "
        "The label shows the new address and the driver has the access code for the gate."
    )
    examples = [
        text
        for loaded in linter.rules
        for text in (*loaded.rule.examples.flag, *loaded.rule.examples.pass_)
        if "tonecheck" not in text  # an inline "tonecheck-disable" would silence the rest of the draft
    ]
    assert len(examples) > 1000
    alone = [
        sorted((f.rule, f.start, f.end) for f in report.findings)
        for report in linter.check_many(examples, input_format="text")
    ]
    draft, offsets = filler, []
    for text in examples:
        draft += "\n\n"
        offsets.append(len(draft))
        draft += text + "\n\n" + filler
    together = sorted((f.rule, f.start, f.end) for f in linter.check(draft, input_format="text").findings)
    assert linter.check(filler).findings == []
    expected = sorted((rule, start + offset, end + offset) for found, offset in zip(alone, offsets) for rule, start, end in found)
    assert together == expected

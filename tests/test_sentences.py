"""Sentences as a reader sees them: URLs, sign-offs and emoji end sentences.

Sentence-scoped vetoes decide whether a harsh phrase is excused by its context,
so a sentence that runs on past a URL or a tweet's sign-off lets a veto word in
the previous sentence ("things", "weekend", "all done") excuse "Calm down.".
"""

from __future__ import annotations

import json
import re

import pytest
from spacy.pipeline import Sentencizer

from conftest import REPO
from tonecheck import Linter
from tonecheck.inputs import prepare

SAMPLE = REPO / "tests" / "data" / "agent-replies-sample.jsonl"
DRAFTS = REPO / "tests" / "data" / "dev-set.jsonl"

# Each holds a veto word of inflammatory.command (calm down) in the sentence before "Calm down".
AFTER_A_MARKER = [
    # a help URL, then the harsh sentence
    "Our weekend opening hours are listed here: https://help.example.com/hours Calm down, the store is open.",
    "You can share your info here so we can reach out about the queue: https://support.example.com/requests/new Calm down.",
    "Write to our weekend desk at help@example.com Calm down, it is only a refund.",
    # a tweet's sign-off, then the harsh sentence
    "If you need us for anything else, we've got you covered /DX Calm down.",
    "We hope this clears things up /OP Calm down, it's a minor issue.",
    "Enjoy the rest of your weekend ^JS calm down and read the email again.",
    "Thanks for bearing with us over the holiday ~Ann Calm down.",
    "Your refund is all sorted -Sam Calm down.",
    # emoji between sentences
    "Your refund is all done 👍 Calm down, it was only a minor delay.",
    "Things should be back to normal 😊 Calm down and try again.",
    "Enjoy your weekend 👍🏽 Calm down.",
]


@pytest.mark.parametrize("text", AFTER_A_MARKER)
def test_a_url_sign_off_or_emoji_ends_the_sentence_before_calm_down(linter: Linter, text: str):
    assert "inflammatory.command" in [f.rule for f in linter.check(text).findings]


def _markers(text: str) -> list[int]:
    """Where a reader sees a sentence end without punctuation: after URLs, sign-offs and emoji."""
    marker = re.compile(
        r"https?://\S+(?=\s)|(?<!\S)[/^~](?:[A-Z]{1,3}|[A-Z][a-z]{1,11})(?=\s)|[\U0001F300-\U0001FAFF\u2600-\u27BF](?=\s)"
    )
    return [m.end() for m in marker.finditer(text)]


def test_calm_down_after_every_url_sign_off_and_emoji_of_real_replies(linter: Linter):
    """The class of misses: "Calm down." placed right after each marker in real replies."""
    rows = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = [row[:at] + " Calm down." + row[at:] for row in rows for at in _markers(row)]
    assert len(cases) >= 200
    missed = [
        text for text, report in zip(cases, linter.check_many(cases))
        if "inflammatory.command" not in [f.rule for f in report.findings]
    ]
    assert missed == []


def test_mid_sentence_urls_and_dashes_do_not_split(linter: Linter):
    def sentences(text: str) -> list[str]:
        return [s.text for s in linter.nlp(text).sents]

    assert sentences("Visit https://help.example.com for details and let us know.") == [
        "Visit https://help.example.com for details and let us know."
    ]
    assert sentences("Open the app -You should see the update.") == ["Open the app -You should see the update."]
    assert sentences("I ❤️ this one.") == ["I ❤️ this one."]
    assert sentences("Thanks! ^JS") == ["Thanks!", "^JS"]


def test_ordinary_text_splits_exactly_like_spacys_sentencizer(linter: Linter):
    """Without URLs, sign-offs, emoji or paragraph breaks, sentences are the sentencizer's."""
    sentencizer = Sentencizer()
    rows = [json.loads(line)["text"] for path in (SAMPLE, DRAFTS) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows += ['He said "stop." Then he left!!! (Really?) Yes.', "Wait... what?! ok", "。日本語。", "…and then"]
    compared = 0
    for row in rows:
        text = prepare(row, "text").text
        if _markers(text) or "\n" in text or re.search(r"\s[/^~-][A-Z]", text):
            continue
        ours = [t.is_sent_start for t in linter.nlp(text)]
        theirs = [t.is_sent_start for t in sentencizer(linter.nlp.make_doc(text))]
        assert ours == theirs, text
        compared += 1
    assert compared >= 100


def test_paragraph_breaks_start_sentences(linter: Linter):
    doc = linter.nlp("Enjoy your weekend\n\ncalm down")
    assert [s.text for s in doc.sents] == ["Enjoy your weekend\n\n", "calm down"]
    assert "inflammatory.command" in [f.rule for f in linter.check("Enjoy your weekend\n\ncalm down").findings]

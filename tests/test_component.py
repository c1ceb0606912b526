"""The engine as a spaCy component: `nlp.add_pipe("tonecheck")` in a pipeline of the user's own."""

from __future__ import annotations

import subprocess
import sys

import pytest
import spacy

from conftest import PACKS

BASIC = str(PACKS / "basic.yaml")
REPLY = "Hi Sam,\n\nYou're the only customer who has complained. I apologise for the delay.\n"


@pytest.fixture(scope="session")
def own_pipeline():
    """A user's own blank English pipeline, built once per session, with tonecheck added."""
    nlp = spacy.blank("en")
    nlp.add_pipe("tonecheck", config={"builtin": False, "packs": [BASIC]})
    return nlp


def test_a_users_own_blank_pipeline_gets_the_spans(own_pipeline, test_linter):
    doc = own_pipeline(REPLY)
    spans = [(span.label_, span.start_char, span.end_char) for span in doc.spans["tonecheck"]]
    assert spans
    expected = [(f.rule, f.start, f.end) for f in test_linter.check(REPLY).findings]
    assert spans == expected


def test_the_component_finds_what_the_linter_finds_on_every_example(own_pipeline, test_linter):
    """Texts without suppression comments: those are the Linter's (inline directives, the unused-suppression rule)."""
    for loaded in test_linter.rules:
        for text in loaded.rule.examples.flag_texts + list(loaded.rule.examples.pass_):
            if "tonecheck-" in text:
                continue
            doc = own_pipeline(text)
            found = [(s.label_, s.start_char, s.end_char) for s in doc.spans["tonecheck"]]
            assert found == [(f.rule, f.start, f.end) for f in test_linter.check(text, input_format="text").findings], text


def test_ignore_by_prefix_and_a_spans_key_of_ones_own():
    nlp = spacy.blank("en")
    nlp.add_pipe("tonecheck", config={"builtin": False, "packs": [BASIC], "ignore": ["basic"], "spans_key": "tone"})
    doc = nlp(REPLY)
    assert list(doc.spans["tone"]) == []


def test_the_factory_is_found_without_importing_tonecheck():
    """The `spacy_factories` entry point: a script that never imports tonecheck still gets it."""
    script = (
        "import spacy; nlp = spacy.blank('en'); "
        f"nlp.add_pipe('tonecheck', config={{'builtin': False, 'packs': [{BASIC!r}]}}); "
        f"doc = nlp({REPLY!r}); print([s.label_ for s in doc.spans['tonecheck']])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300).stdout
    assert "basic." in out

"""`model:` runs the rules on a trained spaCy pipeline, and parser rules only there.

No trained pipeline can be downloaded here, so the test trains a tiny parser on
a handful of sentences (seconds on a CPU), saves it, and points `model:` at it:
the same code path as `model: en_core_web_sm`.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from tonecheck import Linter, PipelineError

TRAIN = [
    ("You broke it.", [1, 1, 1, 1], ["nsubj", "ROOT", "dobj", "punct"]),
    ("We broke it.", [1, 1, 1, 1], ["nsubj", "ROOT", "dobj", "punct"]),
    ("You damaged the lid.", [1, 1, 3, 1, 1], ["nsubj", "ROOT", "det", "dobj", "punct"]),
    ("The courier damaged the box.", [1, 2, 2, 4, 2, 2], ["det", "nsubj", "ROOT", "det", "dobj", "punct"]),
]

PACK = textwrap.dedent(
    """\
    pack: syntax
    version: "1"
    language: en
    rules:
      - id: blame.you-broke
        category: inflammatory
        severity: error
        message: "\\"{match}\\" blames the customer."
        explanation: Saying the customer broke it blames them.
        dependency:
          - - {RIGHT_ID: verb, RIGHT_ATTRS: {LEMMA: {IN: [break, damage]}}}
            - {LEFT_ID: verb, REL_OP: ">", RIGHT_ID: subject, RIGHT_ATTRS: {DEP: nsubj, LOWER: you}}
        suggestions: {advice: Describe what happened to the item without saying who did it.}
        examples:
          flag: [You broke it., You damaged the lid.]
          pass: [We broke it., The courier damaged the box.]
      - id: blame.plain-phrase
        category: inflammatory
        severity: warning
        message: "\\"{match}\\" blames the customer."
        explanation: Plain phrase rule; runs on every pipeline.
        phrases: ["your fault"]
        suggestions: {replace: [our problem to fix]}
        examples:
          flag: [It is your fault., That was your fault.]
          pass: [It is not a fault., No fault found.]
    """
)


@pytest.fixture(scope="module")
def parser_model(tmp_path_factory) -> Path:
    nlp = spacy.blank("en")
    # Every label here is rare, so keep them all (the default drops labels seen < 30 times).
    nlp.add_pipe("parser", config={"min_action_freq": 1})
    examples = []
    for text, heads, deps in TRAIN:
        doc = nlp.make_doc(text)
        examples.append(Example.from_dict(doc, {"heads": heads, "deps": deps}))
    nlp.initialize(lambda: examples)
    random.seed(0)
    for _ in range(60):
        random.shuffle(examples)
        nlp.update(examples, drop=0.0)
    path = tmp_path_factory.mktemp("model") / "tiny-parser"
    nlp.to_disk(path)
    return path


@pytest.fixture()
def pack(tmp_path) -> Path:
    path = tmp_path / "syntax.yaml"
    path.write_text(PACK, encoding="utf-8")
    return path


def test_dependency_rule_is_skipped_without_a_parser(pack):
    linter = Linter(builtin=False, packs=[str(pack)])
    assert [r.id for r in linter.skipped_rules] == ["blame.you-broke"]
    assert [f.rule for f in linter.check("You broke it. It is your fault.").findings] == ["blame.plain-phrase"]


def test_dependency_rule_runs_on_a_pipeline_with_a_parser(pack, parser_model):
    linter = Linter(builtin=False, packs=[str(pack)], model=str(parser_model))
    assert linter.skipped_rules == []
    found = linter.check("You broke it.").findings
    assert [f.rule for f in found] == ["blame.you-broke"]
    assert found[0].match == "You broke"
    assert linter.check("We broke it.").findings == []


def test_a_missing_pipeline_is_a_clear_error(pack):
    with pytest.raises(PipelineError, match="cannot load the spaCy pipeline `no_such_pipeline_xyz`"):
        Linter(builtin=False, packs=[str(pack)], model="no_such_pipeline_xyz")

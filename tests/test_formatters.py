"""Output formats, through the real CLI: text, JSON, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import PACKS, run_cli

DRAFT = "Hi Sam,\nur the only one, we apologised.\n"
ARGS = ["--no-builtin", "--pack", str(PACKS / "basic.yaml")]

# The parts of the SARIF 2.1.0 schema (OASIS standard, sarif-schema-2.1.0.json) that
# a log like ours touches, written out from the specification: required members,
# enumerations and value ranges of sarifLog, run, tool, reportingDescriptor,
# result, location, region and fix.
_REGION = {
    "type": "object",
    "properties": {
        "startLine": {"type": "integer", "minimum": 1},
        "startColumn": {"type": "integer", "minimum": 1},
        "endLine": {"type": "integer", "minimum": 1},
        "endColumn": {"type": "integer", "minimum": 1},
        "charOffset": {"type": "integer", "minimum": -1},
        "charLength": {"type": "integer", "minimum": 0},
        "snippet": {"type": "object", "properties": {"text": {"type": "string"}}},
    },
}
_MESSAGE = {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}]}
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "informationUri": {"type": "string", "format": "uri"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "helpUri": {"type": "string", "format": "uri"},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {"level": {"enum": ["none", "note", "warning", "error"]}},
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "properties": {"uri": {"type": "string", "format": "uri-reference"}},
                                                    },
                                                    "region": _REGION,
                                                },
                                            }
                                        },
                                    },
                                },
                                "fixes": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["artifactChanges"],
                                        "properties": {
                                            "artifactChanges": {
                                                "type": "array",
                                                "minItems": 1,
                                                "items": {
                                                    "type": "object",
                                                    "required": ["artifactLocation", "replacements"],
                                                    "properties": {
                                                        "replacements": {
                                                            "type": "array",
                                                            "minItems": 1,
                                                            "items": {"type": "object", "required": ["deletedRegion"], "properties": {"deletedRegion": _REGION}},
                                                        }
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


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
    jsonschema.validate(log, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())
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


def test_sarif_subset_schema_rejects_a_broken_log():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.0", "runs": []}, SARIF_SUBSET)


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

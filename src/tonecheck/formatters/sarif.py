"""SARIF 2.1.0, for code-scanning views (GitHub code scanning, IDE SARIF viewers)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tonecheck import __version__
from tonecheck.formatters.checked import Checked, Context, file_name, located_message
from tonecheck.models import Finding
from tonecheck.ruledoc import rule_url, short_description
from tonecheck.schema import Severity

_SARIF_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note", Severity.hint: "note"}


def format_sarif(checked: Sequence[Checked], context: Context) -> str:
    """SARIF 2.1.0; columns are Unicode code points, declared via `columnKind`."""
    used = sorted({f.rule for item in checked for f in item.report.findings} | set(context.rules))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    results = [_result(f, file_name(item), index[f.rule]) for item in checked for f in item.report.findings]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tonecheck",
                        "version": __version__,
                        "informationUri": "https://github.com/tonecheck/tonecheck",
                        "rules": [_rule(rule_id, context) for rule_id in used],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(rule_id: str, context: Context) -> dict:
    """A `reportingDescriptor`: described when the rule was loaded, else its id and documentation only."""
    loaded = context.rules.get(rule_id)
    entry: dict = {"id": rule_id, "helpUri": rule_url(rule_id, context.docs_url)}
    if loaded is not None:
        rule = loaded.rule
        entry.update(
            shortDescription={"text": short_description(loaded)},
            fullDescription={"text": rule.explanation.strip()},
            defaultConfiguration={"level": _SARIF_LEVEL[rule.severity]},
            properties={"category": rule.category, "pack": loaded.pack},
        )
    return entry


def _result(f: Finding, uri: str, rule_index: int) -> dict:
    if f.part:
        # Lines of a decoded MIME part are not lines of the file: the result is on the file.
        return {
            "ruleId": f.rule, "ruleIndex": rule_index, "level": _SARIF_LEVEL[f.severity],
            "message": {"text": located_message(f)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            "properties": {"category": f.category, "part": f.part, "match": f.match},
        }
    result: dict = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {
                        "startLine": f.line,
                        "startColumn": f.column,
                        "endLine": f.end_line,
                        "endColumn": f.end_column,
                        "charOffset": f.start,
                        "charLength": f.end - f.start,
                        "snippet": {"text": f.match},
                    },
                }
            }
        ],
        "properties": {"category": f.category},
    }
    if f.suggestions:
        result["fixes"] = _fixes(f, uri)
    return result


def _fixes(f: Finding, uri: str) -> list[dict]:
    """One SARIF `fix` per suggestion: replace the matched characters."""
    return [
        {
            "description": {"text": f"Replace with “{s}”"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": uri},
                    "replacements": [
                        {
                            "deletedRegion": {"charOffset": f.start, "charLength": f.end - f.start},
                            "insertedContent": {"text": s},
                        }
                    ],
                }
            ],
        }
        for s in f.suggestions
    ]

"""GitLab Code Quality: a JSON array of issues shown on merge requests."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence

from tonecheck.formatters.checked import Checked, Context, file_name, located_message
from tonecheck.schema import Severity


_GITLAB_SEVERITY = {Severity.error: "critical", Severity.warning: "major", Severity.info: "minor", Severity.hint: "info"}


def format_gitlab(checked: Sequence[Checked], context: Context) -> str:
    """GitLab Code Quality (a Code Climate subset): a JSON array of issues shown on merge requests.

    The fingerprint hashes the path, the rule, the matched words and which
    occurrence of them it is, not the line: a finding keeps its identity when
    lines are added above it, so GitLab shows only findings a change introduced.
    """
    issues = []
    for item in checked:
        seen = Counter[tuple[str, str, str]]()
        path = file_name(item)
        for f in item.report.findings:
            key = (f.part or "", f.rule, " ".join(f.match.split()).lower())
            seen[key] += 1
            fingerprint = hashlib.sha256("\0".join([path, *key, str(seen[key])]).encode()).hexdigest()
            if f.part:
                location = {"path": path, "lines": {"begin": 1}}
            else:
                location = {"path": path, "positions": {"begin": {"line": f.line, "column": f.column},
                                                        "end": {"line": f.end_line, "column": f.end_column}}}
            issues.append({
                "type": "issue",
                "check_name": f.rule,
                "description": located_message(f),
                "content": {"body": f.explanation},
                "categories": ["Style"],
                "fingerprint": fingerprint,
                "severity": _GITLAB_SEVERITY[f.severity],
                "location": location,
            })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

"""XML reports for CI tools: JUnit (test-report views) and Checkstyle (warnings views)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence

from tonecheck.formatters.checked import Checked, Context, display_path, file_name, located_message
from tonecheck.schema import Severity

# XML 1.0 cannot carry most control characters, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _XML_INVALID.sub("\ufffd", value)


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def format_junit(checked: Sequence[Checked], context: Context) -> str:
    """JUnit XML for CI test-report views (GitLab, Jenkins, Azure): one test suite per input.

    Each finding is a test case, failed when it is at or above the input's fail
    level (what makes `check` exit 1), passed with its message otherwise; a clean
    input is one passed test case, so it shows up as checked.
    """
    suites = ET.Element("testsuites", name="tonecheck")
    totals = Counter[str]()
    for item in checked:
        name = file_name(item)
        suite = ET.SubElement(suites, "testsuite", name=name)
        failures = 0
        cases = 0
        for f in item.report.findings:
            cases += 1
            where = f"{display_path(item, f)}:{f.line}:{f.column}"
            case = ET.SubElement(suite, "testcase", classname=name, name=f"{f.rule} at {where}", time="0")
            detail = _xml_text(f"{where}: {f.severity.value} {f.rule} {f.message}\nmatch: {f.match}")
            if item.failing(f):
                failures += 1
                failure = ET.SubElement(case, "failure", message=_xml_text(f.message), type=f.severity.value)
                failure.text = detail
            else:
                ET.SubElement(case, "system-out").text = detail
        if not cases:
            cases = 1
            ET.SubElement(suite, "testcase", classname=name, name="tonecheck", time="0")
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0")
        totals["tests"] += cases
        totals["failures"] += failures
    for key in ("tests", "failures"):
        suites.set(key, str(totals[key]))
    suites.set("errors", "0")
    suites.set("time", "0")
    return _xml(suites)


_CHECKSTYLE_SEVERITY = {Severity.error: "error", Severity.warning: "warning", Severity.info: "info", Severity.hint: "info"}


def format_checkstyle(checked: Sequence[Checked], context: Context) -> str:
    """Checkstyle XML (Jenkins Warnings, reviewdog, SonarQube, Bitbucket): one `<file>` per input."""
    root = ET.Element("checkstyle", version="4.3")
    for item in checked:
        element = ET.SubElement(root, "file", name=file_name(item))
        for f in item.report.findings:
            attributes = {"line": str(f.line), "column": str(f.column)} if not f.part else {"line": "1"}
            ET.SubElement(
                element, "error", **attributes, severity=_CHECKSTYLE_SEVERITY[f.severity],
                message=_xml_text(located_message(f)), source=f"tonecheck.{f.rule}",
            )
    return _xml(root)

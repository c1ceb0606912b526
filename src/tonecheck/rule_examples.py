"""`tonecheck test-rules`: every rule's own `flag:` and `pass:` examples, and its suggestions.

A flag example must produce a finding of its rule; a pass example must not.
All rules of the packs under test run together, as they do for users, so an
example also proves that no overlapping rule of the same category hides it.

A rule's `replace` suggestions are tested too (as sqlfluff tests its fixes):
each is applied to the finding in every flag example, and the result must
read like a sentence (no doubled word, no stray space or punctuation, a
capital after a full stop), must not be flagged in the rule's category again
where the words were replaced,
and must equal the example's `fixed:` sentence where one is given. A rule
whose every flag example gives `fixed:` is *fix-tested*: editors may apply its
first suggestion as the preferred quick fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tonecheck.config import Config
from tonecheck.linter import Linter
from tonecheck.packs import LoadedRule
from tonecheck.suppressions import UNUSED


@dataclass(frozen=True)
class ExampleFailure:
    rule: str
    path: str
    kind: str  # "flag", "pass" or "fix"
    text: str
    found: tuple[str, ...]
    detail: str = ""

    def render(self) -> str:
        if self.kind == "fix":
            return f"{self.path}: rule `{self.rule}`: {self.detail}:\n    {self.text!r}"
        if self.kind == "flag":
            problem = "flag example produced no finding of this rule"
        else:
            problem = "pass example was flagged"
        found = f" (rules found: {', '.join(self.found)})" if self.found else ""
        return f"{self.path}: rule `{self.rule}`: {problem}{found}:\n    {self.text!r}"


@dataclass(frozen=True)
class ExampleResult:
    rules: int
    examples: int
    failures: tuple[ExampleFailure, ...]
    skipped: tuple[str, ...]  # rules whose pipeline needs are not met
    fixes: int = 0  # replacements applied and checked


def run_examples(packs: Sequence[Path] | None = None, *, model: str | None = None) -> ExampleResult:
    """Check the examples and suggestions of the given packs (default: the built-in ones)."""
    if packs:
        config = Config(builtin=False, packs=[str(Path(p).resolve()) for p in packs], model=model)
    else:
        config = Config(model=model)
    linter = Linter(config=config)
    # Named packs are tested alone; tonecheck's own rule belongs to the built-in set.
    tested = [r for r in linter.rules if not packs or r is not UNUSED]
    failures: list[ExampleFailure] = []
    count = fixes = 0
    for loaded in tested:
        rule = loaded.rule
        for kind, texts in (("flag", rule.examples.flag_texts), ("pass", rule.examples.pass_)):
            for text in texts:
                count += 1
                found = tuple(sorted({f.rule for f in linter.check(text).findings}))
                flagged = rule.id in found
                if flagged != (kind == "flag"):
                    failures.append(ExampleFailure(rule.id, str(loaded.path), kind, text, found))
        tried, failed = _check_fixes(linter, loaded)
        fixes += tried
        failures.extend(failed)
    return ExampleResult(
        rules=len(tested),
        examples=count,
        failures=tuple(failures),
        skipped=tuple(r.id for r in linter.skipped_rules),
        fixes=fixes,
    )


def _check_fixes(linter: Linter, loaded: LoadedRule) -> tuple[int, list[ExampleFailure]]:
    rule = loaded.rule
    if not rule.suggestions.replace:
        return 0, []
    failures: list[ExampleFailure] = []
    tried = 0
    expected = rule.examples.fixes
    for text in rule.examples.flag_texts:
        mine = [f for f in linter.check(text).findings if f.rule == rule.id]
        if not mine:
            continue  # already reported as a flag example without a finding
        finding = mine[0]
        for k, suggestion in enumerate(finding.suggestions):
            tried += 1
            fixed = text[: finding.start] + suggestion + text[finding.end :]

            def fail(detail: str) -> None:
                failures.append(ExampleFailure(
                    rule.id, str(loaded.path), "fix", text, (), f"replacing “{finding.match}” with “{suggestion}” {detail}"
                ))

            if k == 0 and text in expected and fixed != expected[text]:
                fail(f"gives {fixed!r}, not the example's `fixed:` {expected[text]!r}")
                continue
            problem = fluency_problem(text, fixed)
            if problem:
                fail(f"gives {fixed!r}, which {problem}")
                continue
            stop = finding.start + len(suggestion)
            still = sorted({
                f.rule for f in linter.check(fixed).findings
                if f.category == rule.category and f.start < max(stop, finding.start + 1) and f.end > finding.start
            })
            if still:
                fail(f"gives {fixed!r}, which is still flagged as {rule.category} ({', '.join(still)})")
    return tried, failures


_CHECKS = (
    (re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE), "repeats a word"),
    (re.compile(r"\s[,.;:!?]"), "has a space before punctuation"),
    (re.compile(r"[^\S\n]{2,}"), "has a double space"),
    (re.compile(r"[,;:]\s*[,.;:!?]|\.\s*\.(?!\.)"), "has doubled punctuation"),
    (re.compile(r"[.!?]\s+[a-z]"), "starts a sentence in lower case"),
)


def fluency_problem(before: str, after: str) -> str | None:
    """What makes ``after`` read worse than ``before`` (None when it reads like a sentence)."""
    if not re.search(r"\w", after):
        return "leaves no words"
    for pattern, problem in _CHECKS:
        if len(pattern.findall(after)) > len(pattern.findall(before)):
            return problem
    if before[:1].isupper() and after[:1].islower():
        return "starts in lower case"
    return None

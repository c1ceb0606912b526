"""`tonecheck test-rules`: every rule's own `flag:` and `pass:` examples.

A flag example must produce a finding of its rule; a pass example must not.
All rules of the packs under test run together, as they do for users, so an
example also proves that no overlapping rule of the same category hides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tonecheck.config import Config
from tonecheck.linter import Linter


@dataclass(frozen=True)
class ExampleFailure:
    rule: str
    path: str
    kind: str  # "flag" or "pass"
    text: str
    found: tuple[str, ...]

    def render(self) -> str:
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


def run_examples(packs: Sequence[Path] | None = None, *, model: str | None = None) -> ExampleResult:
    """Check the examples of the given packs (default: the built-in ones)."""
    if packs:
        config = Config(builtin=False, packs=[str(Path(p).resolve()) for p in packs], model=model)
    else:
        config = Config(model=model)
    linter = Linter(config=config)
    failures: list[ExampleFailure] = []
    count = 0
    for loaded in linter.rules:
        rule = loaded.rule
        for kind, texts in (("flag", rule.examples.flag), ("pass", rule.examples.pass_)):
            for text in texts:
                count += 1
                found = tuple(sorted({f.rule for f in linter.check(text).findings}))
                flagged = rule.id in found
                if flagged != (kind == "flag"):
                    failures.append(ExampleFailure(rule.id, str(loaded.path), kind, text, found))
    return ExampleResult(
        rules=len(linter.rules),
        examples=count,
        failures=tuple(failures),
        skipped=tuple(r.id for r in linter.skipped_rules),
    )

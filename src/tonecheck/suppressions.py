"""Inline suppressions that the customer never sees.

Macro and template authors sometimes need a phrase a rule flags (a legal
disclaimer that must say "liability", a quoted policy). They turn rules off in
the source with comments that neither HTML, Markdown nor Liquid render:

    <!-- tonecheck-disable liability.accept-responsibility -->  ...  <!-- tonecheck-enable -->
    <!-- tonecheck-disable-next-line isolating -->
    {% comment %}tonecheck-disable inflammatory{% endcomment %}

A directive names rule ids, id prefixes or categories (separated by spaces or
commas), or nothing for every rule. Like ruff's unused-noqa, a directive that
suppresses nothing is reported: a stale suppression would otherwise hide the
next real problem in that spot. That report is ``UNUSED``, a built-in rule like
any pack's: ``select``, ``ignore`` and ``severity`` name it, ``tonecheck rules``
lists it and ``tonecheck explain`` explains it. Its matching is done here,
not by the engine (it needs the other rules' results), so it has no patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pathlib import Path

from tonecheck.lines import LineIndex
from tonecheck.packs import LoadedRule
from tonecheck.schema import Examples, Rule, Severity, Suggestions
from tonecheck.selection import specificity

UNUSED_RULE = "tonecheck.unused-suppression"
UNUSED_CATEGORY = "tonecheck"
UNUSED_EXPLANATION = (
    "This suppression turns off rules where none of them fires any more. A stale "
    "suppression hides the next real problem written in that spot; remove it, or "
    "narrow it to the rule that still needs it."
)

# Built without validation: the pack format requires patterns, and this rule's
# "pattern" is the other rules' results. Its examples hold whatever rules are loaded.
UNUSED = LoadedRule(
    Rule.model_construct(
        id=UNUSED_RULE,
        category=UNUSED_CATEGORY,
        severity=Severity.warning,
        message="This suppression suppresses nothing; remove it.",
        explanation=UNUSED_EXPLANATION,
        # model_construct fills every other field (the pattern kinds) with its default.
        suggestions=Suggestions(advice="Delete the directive (the suggested fix), or narrow it to the rule that still fires."),
        examples=Examples.model_validate({
            "flag": [
                "<!-- tonecheck-disable --> Thanks for waiting, the refund is on its way.",
                "{% comment %}tonecheck-disable liability{% endcomment %}Your parcel left our warehouse today.",
            ],
            "pass": [
                "Thanks for waiting, the refund is on its way.",
                "<!-- internal note: refund approved --> Your parcel left our warehouse today.",
            ],
        }),
    ),
    pack="tonecheck",
    path=Path(__file__),
    line=1,
)

_BODY = r"\s*tonecheck-(?P<kind>disable-next-line|disable|enable)\b(?P<rules>[^<>{}]*?)\s*"
_DIRECTIVES = (
    re.compile(rf"<!--{_BODY}-->", re.I),
    re.compile(rf"\{{%-?\s*comment\s*-?%\}}{_BODY}\{{%-?\s*endcomment\s*-?%\}}", re.I),
)


@dataclass
class Suppression:
    """Rules (ids, prefixes or categories; empty = all) turned off for ``start:end`` of the text.

    ``directive`` is the comment's own span, for reporting it when unused; it is
    None for suppressions passed in through the API.
    """

    rules: tuple[str, ...]
    start: int
    end: int
    directive: tuple[int, int] | None = None
    used: bool = field(default=False, compare=False)

    def covers(self, rule: LoadedRule, offset: int) -> bool:
        if not self.start <= offset < self.end:
            return False
        # Entries name rules exactly as `select`/`ignore` do (ids, prefixes, categories, aliases).
        return not self.rules or any(specificity(entry, rule) is not None for entry in self.rules)


def _rules(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[\s,]+", text or "") if part)


def parse(text: str) -> list[Suppression]:
    """The suppressions written into ``text`` as comments."""
    if "tonecheck-" not in text:
        return []
    lines = LineIndex(text)
    found: list[Suppression] = []
    open_ranges: list[Suppression] = []
    directives = sorted((m for pattern in _DIRECTIVES for m in pattern.finditer(text)), key=lambda m: m.start())
    for directive in directives:
        kind = directive.group("kind").lower()
        rules = _rules(directive.group("rules"))
        span = directive.span()
        if kind == "disable-next-line":
            line, _ = lines.position(span[1] - 1)  # 1-based line the comment ends on
            start = lines.start(line + 1)
            end = lines.start(line + 2) - 1 if line + 1 < len(lines.starts) else len(text)
            found.append(Suppression(rules, start, end, span))
        elif kind == "disable":
            suppression = Suppression(rules, span[1], len(text), span)
            open_ranges.append(suppression)
            found.append(suppression)
        else:
            # An enable closes the disables it names (all of them when it names none).
            for suppression in list(open_ranges):
                if not rules or set(suppression.rules) <= set(rules):
                    suppression.end = span[0]
                    open_ranges.remove(suppression)
    return found


def from_api(entries: Iterable[str | Suppression], length: int) -> list[Suppression]:
    """API suppressions: a plain string turns that rule, prefix or category off for the whole text."""
    return [
        entry if isinstance(entry, Suppression) else Suppression(_rules(entry), 0, length)
        for entry in entries
    ]


def suppressed(suppressions: Sequence[Suppression], rule: LoadedRule, offset: int) -> bool:
    """Whether a finding of ``rule`` at ``offset`` is suppressed; marks every directive that covers it as used."""
    hit = False
    for suppression in suppressions:
        if suppression.covers(rule, offset):
            suppression.used = True
            hit = True
    return hit


__all__ = ["UNUSED", "UNUSED_RULE", "Suppression", "parse", "from_api", "suppressed"]

"""Which rules run, and at what severity: select/ignore by id, prefix or category.

The most specific entry wins (flake8's decision engine): `isolating` enables
every rule whose id starts with `isolating.`, and `isolating.only-one` in
`ignore` still turns that one rule off. On a tie, `ignore` wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tonecheck.packs import LoadedRule
from tonecheck.schema import Severity

ALL = "all"
EXACT = 1000  # the specificity of a rule's own id or alias: more than any prefix


def specificity(entry: str, loaded: LoadedRule) -> int | None:
    """How closely ``entry`` names ``loaded``: None when it does not name it at all."""
    rule = loaded.rule
    if entry == rule.id or entry in rule.aliases:
        return EXACT
    if rule.id.startswith(entry + "."):
        return entry.count(".") + 1
    if entry == rule.category:
        return 1
    if entry == ALL:
        return 0
    return None


def names_exactly(entry: str, loaded: LoadedRule) -> bool:
    """Whether ``entry`` is the rule's own id or one of its aliases (not a prefix or category)."""
    return specificity(entry, loaded) == EXACT


def _best(entries: Iterable[str], loaded: LoadedRule) -> int | None:
    scores = [s for s in (specificity(e, loaded) for e in entries) if s is not None]
    return max(scores) if scores else None


def is_enabled(loaded: LoadedRule, select: Sequence[str], ignore: Sequence[str]) -> bool:
    chosen = _best(select, loaded)
    dropped = _best(ignore, loaded)
    if dropped is not None and (chosen is None or dropped >= chosen):
        return False
    return chosen is not None or not select


def severity_for(loaded: LoadedRule, overrides: Mapping[str, Severity]) -> Severity:
    best: tuple[int, Severity] | None = None
    for entry, severity in overrides.items():
        score = specificity(entry, loaded)
        if score is not None and (best is None or score > best[0]):
            best = (score, severity)
    return best[1] if best else loaded.rule.severity


def unknown_entries(entries: Iterable[str], rules: Sequence[LoadedRule]) -> list[str]:
    """Entries that name no loaded rule, prefix or category (most likely typos)."""
    return [e for e in entries if e != ALL and not any(specificity(e, r) is not None for r in rules)]

"""`tonecheck eval`: precision and recall per core category on labeled replies.

Input is JSON Lines, one reply per line:
``{"id": "...", "text": "...", "labels": ["isolating"], "also_ok": ["denigrating"]}``.
Scoring is per reply and category: a true positive when a finding of a labeled
category is present; a false positive when a finding's category is neither in
``labels`` nor in ``also_ok``; a false negative when a labeled category has no
finding. Only the four core categories are scored, and of those only the
ones the run checked (``eval --select isolating`` scores isolating alone: a
category no enabled rule covers would count every label as a miss).

Precision is undefined when nothing was predicted, recall when nothing was
labeled, F1 when either is: they are None (``null`` in JSON, ``–`` in text),
never a flattering 1.0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from tonecheck.errors import InputError, first_problem
from tonecheck.models import Finding
from tonecheck.schema import CORE_CATEGORIES


class LabeledReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    text: str
    labels: list[str] = []
    also_ok: list[str] = []


@dataclass
class CategoryScore:
    category: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Error:
    """A miss or a false alarm, with what fired (or nothing, for a miss)."""

    kind: str  # "miss" or "false alarm"
    id: str
    category: str
    text: str
    findings: tuple[Finding, ...]


@dataclass
class Evaluation:
    scores: dict[str, CategoryScore] = field(default_factory=lambda: {c: CategoryScore(c) for c in CORE_CATEGORIES})
    errors: list[Error] = field(default_factory=list)
    replies: int = 0

    def to_json(self) -> dict:
        return {
            "replies": self.replies,
            "categories": {
                c: {
                    "tp": s.tp, "fp": s.fp, "fn": s.fn,
                    "precision": _rounded(s.precision), "recall": _rounded(s.recall), "f1": _rounded(s.f1),
                }
                for c, s in self.scores.items()
            },
            "errors": [
                {
                    "kind": e.kind, "id": e.id, "category": e.category, "text": e.text,
                    "findings": [{"rule": f.rule, "match": f.match, "start": f.start, "end": f.end} for f in e.findings],
                }
                for e in self.errors
            ],
        }


def read_labeled(path: Path) -> list[LabeledReply]:
    """Read a JSON Lines file; a bad line is an error naming the file and line."""
    replies: list[LabeledReply] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read labeled replies: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            replies.append(LabeledReply.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}", f"not valid JSON: {exc.msg}") from None
        except ValidationError as exc:
            problem = first_problem(exc)
            raise InputError(f"{path}:{number}", f"field `{problem.field}`: {problem.message}; expected "
                             '{"id": ..., "text": ..., "labels": [...], "also_ok": [...]}') from None
    return replies


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _shown(value: float | None, width: int, digits: int = 3) -> str:
    return f"{'–':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def score(
    replies: Sequence[LabeledReply],
    findings: Iterable[Sequence[Finding]],
    categories: Iterable[str] = CORE_CATEGORIES,
) -> Evaluation:
    """Score each reply's findings against its labels, in the core ``categories`` the run checked."""
    scored = [c for c in CORE_CATEGORIES if c in set(categories)]
    result = Evaluation(scores={c: CategoryScore(c) for c in scored})
    for reply, found in zip(replies, findings, strict=True):
        result.replies += 1
        by_category: dict[str, list[Finding]] = {}
        for f in found:
            by_category.setdefault(f.category, []).append(f)
        for category in scored:
            s = result.scores[category]
            present = category in by_category
            if present and category in reply.labels:
                s.tp += 1
            elif present and category not in reply.also_ok:
                s.fp += 1
                result.errors.append(Error("false alarm", reply.id, category, reply.text, tuple(by_category[category])))
            elif not present and category in reply.labels:
                s.fn += 1
                result.errors.append(Error("miss", reply.id, category, reply.text, ()))
    return result


def render_text(result: Evaluation) -> str:
    out = [f"{'category':<14} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8} {'F1':>6}"]
    for c, s in result.scores.items():
        out.append(f"{c:<14} {s.tp:>4} {s.fp:>4} {s.fn:>4} {_shown(s.precision, 10)} {_shown(s.recall, 8)} {_shown(s.f1, 6)}")
    if result.errors:
        out.append("")
    for e in result.errors:
        snippet = " ".join(e.text.split())
        snippet = snippet if len(snippet) <= 110 else snippet[:107] + "..."
        if e.kind == "miss":
            out.append(f"miss         {e.id}  {e.category}: no {e.category} rule fired on “{snippet}”")
        else:
            fired = ", ".join(f"{f.rule} on “{f.match}”" for f in e.findings)
            out.append(f"false alarm  {e.id}  {e.category}: {fired}  in “{snippet}”")
    out.append("")
    # A one-line recap last, so `tonecheck eval ... | tail -n 3` shows the verdict.
    out.append(f"{result.replies} replies scored; precision / recall per category:")
    out.append("  " + "  ".join(
        f"{c} {_shown(s.precision, 0, 2)}/{_shown(s.recall, 0, 2)}" for c, s in result.scores.items()
    ))
    return "\n".join(out) + "\n"

"""`tonecheck try`: what each part of a rule matched in a text, and which veto cancelled it.

A pack author asks "why does my rule (not) fire here?". The answer is the
engine's own steps (engine.CompiledRules.trace), shown against the text:
each trigger and part with what it matched, where the parts came together,
every veto that matched and whether it cancelled a candidate.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from tonecheck.cooccur import Span
from tonecheck.engine import RuleTrace
from tonecheck.inputs import Prepared


class _Text:
    def __init__(self, text: str, prepared: Prepared, doc: Doc):
        self.text, self.prepared, self.doc = text, prepared, doc
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def show(self, span: Span) -> str:
        start, end = self.chars(span)
        line = sum(1 for s in self.starts if s <= start)
        column = start - self.starts[line - 1] + 1
        return f"“{' '.join(self.text[start:end].split())}” ({line}:{column})"

    def chars(self, span: Span) -> tuple[int, int]:
        last = self.doc[span[1] - 1]
        return self.prepared.span(self.doc[span[0]].idx, last.idx + len(last.text))

    def many(self, spans: Sequence[Span]) -> str:
        return ", ".join(self.show(s) for s in spans) if spans else "no match"


def render(text: str, prepared: Prepared, doc: Doc, traces: Sequence[RuleTrace], *, every: bool) -> str:
    """The traces as text; with ``every`` False, rules that matched nothing are only counted."""
    where = _Text(text, prepared, doc)
    out: list[str] = []
    silent = 0
    for trace in traces:
        if not every and not (trace.triggers or any(trace.parts) or trace.combined):
            silent += 1
            continue
        out += _one(trace, where) + [""]
    if silent:
        out.append(f"{silent} other rule{'s' if silent != 1 else ''} matched nothing here.")
    if not traces:
        out.append("No rule selected; check the --rule id with `tonecheck rules`.")
    return "\n".join(out).rstrip("\n") + "\n"


def _one(trace: RuleTrace, where: _Text) -> list[str]:
    rule = trace.rule.rule
    lines = [f"{rule.id}  ({rule.category}, {rule.severity.value})"]
    if rule.phrases or rule.patterns or rule.tokens or rule.dependency:
        lines.append(f"  matched      {where.many(trace.triggers)}")
    if rule.all_:
        scope = rule.scope
        scoped = f"within {scope} tokens" if isinstance(scope, int) else f"in one {scope}"
        order = ", in order" if rule.order == "given" else ""
        for k, (text, found) in enumerate(zip(rule.all_, trace.parts), start=1):
            lines.append(f"  part {k} `{text}`: {where.many(found)}")
        together = where.many(trace.combined) if trace.combined else (
            "no: a part has no match" if not all(trace.parts) else f"no: the parts are not {scoped}{order}"
        )
        lines.append(f"  together ({scoped}{order}): {together}")
    for j, span in trace.vetoes:
        entry = rule.unless[j]
        label = ", ".join([*(f"`{p}`" for p in entry.patterns), *(["phrases"] if entry.phrases else []),
                           *(["tokens"] if entry.tokens else [])])
        cancelled = [c for c, k, v in trace.vetoed if k == j and v == span]
        effect = "cancelled " + where.many(cancelled) if cancelled else "cancelled nothing (outside its scope)"
        reach = (f"within {entry.after} tokens after" if entry.after is not None
                 else f"in the {entry.before} tokens before" if entry.before is not None
                 else f"within {entry.within}")
        lines.append(f"  unless {j + 1} ({label}, {reach}): {where.show(span)}: {effect}")
    if trace.reported:
        lines.append(f"  => reported: {where.many(trace.reported)}")
    elif trace.hits:
        lines.append(
            f"  => not reported: {where.many(trace.hits)} overlaps a more severe or longer finding of the same category"
        )
    elif trace.vetoed:
        lines.append("  => no finding: every match was vetoed")
    else:
        lines.append("  => no finding")
    return lines

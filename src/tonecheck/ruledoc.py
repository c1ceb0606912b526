"""A rule's and a word class's documentation, rendered for `explain`, `rules` and docs/rules.md.

The service's `GET /v1/rules` and `GET /v1/rules/{id}` answer the same
``RuleSummary`` rows as `rules --format json` and a ``RuleDoc`` with what
`explain` prints, so a rule reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from tonecheck.errors import ConfigError
from tonecheck.lexicons import BUILTIN, Lexicons, rule_lexicons
from tonecheck.models import Finding
from tonecheck.packs import LoadedLexicon, LoadedRule
from tonecheck.schema import Severity
from tonecheck.selection import names_exactly, specificity

# How many members `explain` prints of a word class before "... and N more".
SHOWN_MEMBERS = 24


class RuleSummary(BaseModel):
    """One row of the rule list (`tonecheck rules --format json`)."""

    id: str
    category: str
    severity: Severity = Field(description="After the configuration's `severity` overrides.")
    pack: str
    installed_from: str | None = Field(description="The Python distribution that installed the pack, if one did.")
    message: str = Field(description="The message template; `{match}` stands for the flagged words.")
    runs: bool = Field(description="False when the rule needs a parser or tagger the pipeline lacks, or is not selected.")
    lexicons: list[str] = Field(description="The word classes (`@name`) its patterns use.")


class RuleExamples(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    flag: list[str] = Field(description="Texts the rule flags.")
    pass_: list[str] = Field(alias="pass", description="Texts it must not flag.")


class RuleDoc(RuleSummary):
    """A rule's whole documentation: why it hurts, what to write instead, examples, how it matches."""

    explanation: str
    suggestions: list[str] = Field(description="Replacements offered for the flagged words.")
    advice: str | None
    examples: RuleExamples
    matching: list[str] = Field(description="How it matches, as the pack states it (`explain`'s \"How it matches\").")
    needs: list[str] = Field(description="Pipeline components the rule needs (`parser`, `tagger`), if any.")
    url: str = Field(description="The rule's section of the rules reference.")


def rule_url(rule_id: str, docs_url: str) -> str:
    """The rule's section in the rules reference (GitHub drops the dots from heading anchors)."""
    return f"{docs_url}#{rule_id.replace('.', '')}"


def short_description(loaded: LoadedRule) -> str:
    """The rule's message with ``…`` for the flagged words (SARIF's shortDescription)."""
    return loaded.rule.message.replace("{match}", "…")


def finding_markdown(f: Finding, docs_url: str) -> str:
    """A finding's explanation, better phrasings and documentation link, in Markdown (the editor's hover)."""
    parts = [f"**{f.message}**", f"`{f.rule}` · {f.category} · {f.severity.value}", f.explanation]
    if f.suggestions:
        parts.append("**Better phrasings:**\n" + "\n".join(f"- “{s}”" for s in f.suggestions))
    if f.advice:
        parts.append(f.advice.strip())
    parts.append(f"[Rule documentation]({rule_url(f.rule, docs_url)})")
    return "\n\n".join(p for p in parts if p)


def summary(loaded: LoadedRule, severity: Severity, runs: bool, installed_from: str | None = None) -> RuleSummary:
    rule = loaded.rule
    return RuleSummary(
        id=loaded.id, category=rule.category, severity=severity, pack=loaded.pack, installed_from=installed_from,
        message=rule.message, runs=runs, lexicons=rule_lexicons(loaded),
    )


def document(loaded: LoadedRule, severity: Severity, runs: bool, url: str, installed_from: str | None = None) -> RuleDoc:
    rule = loaded.rule
    return RuleDoc(
        **summary(loaded, severity, runs, installed_from).model_dump(),
        explanation=rule.explanation.strip(),
        suggestions=list(rule.suggestions.replace),
        advice=rule.suggestions.advice.strip() if rule.suggestions.advice else None,
        examples=RuleExamples(flag=rule.examples.flag_texts, pass_=list(rule.examples.pass_)),
        matching=how_it_matches(loaded),
        needs=sorted(rule.needs),
        url=url,
    )


def find_rule(rules: Iterable[LoadedRule], rule_id: str, listing: str = "run `tonecheck rules` to list them") -> LoadedRule:
    """The rule with exactly this id; a ConfigError naming the rules under it (or ``listing``) otherwise."""
    rules = list(rules)
    exact = [r for r in rules if names_exactly(rule_id, r)]
    if exact:
        return exact[0]
    close = sorted(r.id for r in rules if specificity(rule_id, r) is not None)
    hint = ("; rules under it: " + ", ".join(close[:10])) if close else f"; {listing}"
    raise ConfigError(None, None, f"no rule `{rule_id}`{hint}")


def how_it_matches(loaded: LoadedRule) -> list[str]:
    """The rule's matching, as a pack author wrote it (patterns, parts, vetoes)."""
    rule = loaded.rule
    lines: list[str] = []
    if rule.all_:
        scope = rule.scope
        where = f"within {scope} tokens" if isinstance(scope, int) else f"in one {scope}"
        order = ", in this order" if rule.order == "given" else ""
        lines.append(f"all of these {where}{order}: " + " + ".join(f"`{p}`" for p in rule.all_))
    lines += [f"pattern: `{p}`" for p in rule.patterns]
    if rule.phrases:
        lines.append(f"phrases ({rule.match}): " + ", ".join(f"“{p}”" for p in rule.phrases[:SHOWN_MEMBERS]) + _more(rule.phrases))
    if rule.tokens:
        lines.append(f"{len(rule.tokens)} spaCy token pattern{'s' if len(rule.tokens) != 1 else ''}")
    if rule.dependency:
        lines.append(f"{len(rule.dependency)} dependency pattern{'s' if len(rule.dependency) != 1 else ''}")
    for entry in rule.unless:
        what = [f"`{p}`" for p in entry.patterns] + [f"“{p}”" for p in entry.phrases[:8]]
        if entry.tokens:
            what.append(f"{len(entry.tokens)} token pattern{'s' if len(entry.tokens) != 1 else ''}")
        scope = entry.within
        where = f"within {scope} tokens before it" if isinstance(scope, int) else f"in its {scope}"
        if entry.after is not None:
            where = f"within {entry.after} tokens after it"
        if entry.before is not None:
            where = f"in the {entry.before} tokens before it"
        lines.append(f"unless {', '.join(what)}{_more(entry.phrases, 8)} {where}")
    return lines


def explain_text(loaded: LoadedRule, severity: Severity, lexicons: Lexicons) -> str:
    rule = loaded.rule
    out = [f"{rule.id}  ({rule.category}, {severity.value}; pack {loaded.pack}, {loaded.path}:{loaded.line})", ""]
    out.append(rule.explanation.strip())
    if rule.suggestions.replace:
        out += ["", "Try instead:"] + [f"  - {s}" for s in rule.suggestions.replace]
    if rule.suggestions.advice:
        out += ["", rule.suggestions.advice.strip()]
    out += ["", "Flagged:"] + [f"  ✗ {t}" for t in rule.examples.flag_texts]
    out += ["Not flagged:"] + [f"  ✓ {t}" for t in rule.examples.pass_]
    out += ["", "How it matches:"] + [f"  {line}" for line in how_it_matches(loaded)]
    used = rule_lexicons(loaded)
    if used:
        out += ["", "Word classes:"]
        for name in used:
            lexicon = lexicons.for_rule(name, loaded)
            if lexicon is not None:
                out.append(f"  @{name}: {members_line(lexicon, lexicons, loaded)}")
            elif name in BUILTIN:
                out.append(f"  @{name}: built in: {BUILTIN[name]}")
    return "\n".join(out) + "\n"


def members(lexicon: LoadedLexicon, lexicons: Lexicons, rule: LoadedRule | None = None) -> list[str]:
    """A word class's members as a reader sees them: words as written, lemmas as `~lemma`."""
    entries = lexicons.entries(lexicon, rule.lexicons if rule is not None else None)
    return [*entries.words, *(f"~{w}" for w in entries.lemmas)]


def members_line(lexicon: LoadedLexicon, lexicons: Lexicons, rule: LoadedRule | None = None) -> str:
    found = members(lexicon, lexicons, rule)
    return ", ".join(found[:SHOWN_MEMBERS]) + _more(found)


def lexicon_text(lexicon: LoadedLexicon, lexicons: Lexicons, users: Sequence[LoadedRule]) -> str:
    where = "shared" if lexicon.pack is None else f"pack {lexicon.pack}"
    out = [f"@{lexicon.name}  ({where}; {lexicon.path}:{lexicon.line})", ""]
    if lexicon.lexicon.description:
        out += [lexicon.lexicon.description.strip(), ""]
    if lexicon.lexicon.include:
        out.append("Includes: " + ", ".join(f"@{n}" for n in lexicon.lexicon.include))
    found = members(lexicon, lexicons)
    out.append(f"Members ({len(found)}; `~word` is every inflection of the word):")
    out += [f"  {line}" for line in _wrap(found)]
    out += ["", "Used by: " + (", ".join(r.id for r in users) or "no loaded rule")]
    return "\n".join(out) + "\n"


def rules_markdown(rows: Sequence[LoadedRule], lexicons: Lexicons) -> str:
    out = ["# tonecheck rules", "", "Generated by `tonecheck rules --format markdown`; do not edit by hand.", ""]
    for r in rows:
        rule = r.rule
        out += [f"### {r.id}", "", f"*{rule.category}*, {rule.severity.value}, pack `{r.pack}`", ""]
        out += [rule.explanation.strip(), ""]
        if rule.suggestions.replace:
            out.append("Try instead: " + "; ".join(f"“{s}”" for s in rule.suggestions.replace))
            out.append("")
        if rule.suggestions.advice:
            out += [rule.suggestions.advice.strip(), ""]
        out.append("Flagged: " + " / ".join(f"“{t}”" for t in rule.examples.flag_texts))
        out.append("")
        out.append("Not flagged: " + " / ".join(f"“{t}”" for t in rule.examples.pass_))
        out.append("")
        matching = how_it_matches(r)
        if rule.all_ or rule.patterns:
            out += ["How it matches: " + "; ".join(matching), ""]
    shared = sorted(lexicons, key=lambda x: x.name)
    if shared:
        out += ["## Word classes", "", "Shared lexicons every pack can use as `@name` (`~word`: every inflection).", ""]
        for lexicon in shared:
            users = [r.id for r in rows if lexicon.name in rule_lexicons(r) and lexicons.for_rule(lexicon.name, r) is lexicon]
            out += [f"### @{lexicon.name}", ""]
            if lexicon.lexicon.description:
                out += [lexicon.lexicon.description.strip(), ""]
            if lexicon.lexicon.include:
                out += ["Includes " + ", ".join(f"`@{n}`" for n in lexicon.lexicon.include) + ".", ""]
            out += [", ".join(members(lexicon, lexicons)), ""]
            out += ["Used by: " + (", ".join(f"`{u}`" for u in users) or "no built-in rule"), ""]
    return "\n".join(out)


def _more(items: Sequence[str], shown: int = SHOWN_MEMBERS) -> str:
    return f" … and {len(items) - shown} more" if len(items) > shown else ""


def _wrap(words: Sequence[str], width: int = 88) -> list[str]:
    lines, current = [], ""
    for word in words:
        piece = word if not current else f", {word}"
        if current and len(current) + len(piece) > width:
            lines.append(current + ",")
            current = word
        else:
            current += piece
    return lines + ([current] if current else [])

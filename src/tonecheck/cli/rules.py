"""The commands about the rules themselves: list them, explain one, try them on a text,
measure them on labeled replies, and run their own examples."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from tonecheck.cli.exits import Exit
from tonecheck.cli.linters import Linters, split_list
from tonecheck.cli.read import read_input


def cmd_rules(args: argparse.Namespace) -> int:
    import json

    from tonecheck.plugins import origin
    from tonecheck.ruledoc import rules_markdown

    linters = Linters(args)
    linter = linters.linter_for(linters.config_for(None))
    rows = sorted(linter.rules + linter.skipped_rules, key=lambda r: r.id)
    # Packs installed as Python packages say which distribution brought them.
    installed = {r.id: pack.distribution for r in rows if (pack := origin(r.path)) is not None}
    if args.format == "json":
        from tonecheck.ruledoc import summary

        data = [
            summary(r, linter.severities[r.id], r not in linter.skipped_rules, installed.get(r.id)).model_dump(mode="json")
            for r in rows
        ]
        print(json.dumps(data, indent=2))
    elif args.format == "markdown":
        print(rules_markdown(rows, linter.lexicons))
    else:
        width = max((len(r.id) for r in rows), default=10)
        cat_width = max((len(r.rule.category) for r in rows), default=10)
        print(f"{'RULE':<{width}}  {'CATEGORY':<{cat_width}}  SEVERITY  PACK")
        for r in rows:
            note = "  (needs " + ", ".join(sorted(r.rule.needs)) + ")" if r in linter.skipped_rules else ""
            if r.id in installed:
                note = f"  (installed: {installed[r.id]})" + note
            print(f"{r.id:<{width}}  {r.rule.category:<{cat_width}}  {linter.severities[r.id].value:<8}  {r.pack}{note}")
        _print_lexicons(rows, linter.lexicons)
    return Exit.OK


def _print_lexicons(rows: Sequence[Any], lexicons: Any) -> None:
    from tonecheck.lexicons import rule_lexicons

    shared = sorted(lexicons, key=lambda x: x.name)
    if not shared:
        return
    uses = {x.name: sum(1 for r in rows if x.name in rule_lexicons(r)) for x in shared}
    width = max(len(x.name) for x in shared) + 1
    print(f"\n{'LEXICON':<{width}}  MEMBERS  RULES  FILE")
    for x in shared:
        count = len(lexicons.entries(x).words) + len(lexicons.entries(x).lemmas)
        print(f"{'@' + x.name:<{width}}  {count:>7}  {uses[x.name]:>5}  {x.path.name}:{x.line}")
    print("\n`tonecheck explain @NAME` lists a word class's members.")


def cmd_explain(args: argparse.Namespace) -> int:
    from tonecheck.errors import ConfigError
    from tonecheck.lexicons import rule_lexicons
    from tonecheck.linter import load_catalogue
    from tonecheck.ruledoc import explain_text, find_rule, lexicon_text
    from tonecheck.selection import severity_for

    config = Linters(args).config_for(None)
    rules, lexicons = load_catalogue(config)
    if args.rule.startswith("@"):
        name = args.rule[1:]
        found = [x for x in lexicons if x.name == name]
        found += [x for r in rules for x in r.lexicons.values() if x.name == name and x not in found]
        if not found:
            raise ConfigError(None, None, f"no word class `{args.rule}`; `tonecheck rules` lists them")
        for lexicon in found:
            users = [r for r in rules if name in rule_lexicons(r) and lexicons.for_rule(name, r) is lexicon]
            sys.stdout.write(lexicon_text(lexicon, lexicons, users))
        return Exit.OK
    loaded = find_rule(rules, args.rule)
    sys.stdout.write(explain_text(loaded, severity_for(loaded, config.severity), lexicons))
    return Exit.OK


def cmd_try(args: argparse.Namespace) -> int:
    from tonecheck.errors import ConfigError
    from tonecheck.tracing import render

    linters = Linters(args)
    linter = linters.linter_for(linters.config_for(None))
    text = args.text if args.text is not None and args.text != "-" else read_input(None)
    wanted = split_list(args.rule)
    if wanted:
        known = {r.id for r in linter.rules}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise ConfigError(None, None, f"no enabled rule `{unknown[0]}`; `tonecheck rules` lists them")
    prepared, doc, traces = linter.trace(text, rules=wanted, input_format=args.input_format)
    sys.stdout.write(render(text, prepared, doc, traces, every=bool(wanted)))
    return Exit.OK


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from tonecheck.evaluate import read_labeled, render_text, score

    replies = read_labeled(args.labeled)
    linters = Linters(args)
    linter = linters.linter_for(linters.config_for(None))
    reports = linter.check_many(r.text for r in replies)
    # Only the categories some enabled rule checks: the others were not run, not missed.
    ran = {loaded.rule.category for loaded in linter.rules}
    result = score(replies, (report.findings for report in reports), categories=ran)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_text(result))
    return Exit.OK


def cmd_test_rules(args: argparse.Namespace) -> int:
    from tonecheck.rule_examples import run_examples

    result = run_examples(args.packs, model=args.model)
    for failure in result.failures:
        print(failure.render())
    skipped = f", {len(result.skipped)} skipped (pipeline lacks what they need)" if result.skipped else ""
    failed = len(result.failures)
    print(
        f"{result.rules} rules, {result.examples} examples and {result.fixes} suggestion fixes: "
        f"{result.examples + result.fixes - failed} passed, {failed} failed{skipped}"
    )
    return Exit.FINDINGS if result.failures else Exit.OK

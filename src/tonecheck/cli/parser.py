"""The command line's flags: one parser per command, each pointing at the function that runs it."""

from __future__ import annotations

import argparse
from pathlib import Path

from tonecheck.cli.check import cmd_check
from tonecheck.cli.frontends import cmd_audit, cmd_lsp, cmd_serve
from tonecheck.cli.rules import cmd_eval, cmd_explain, cmd_rules, cmd_test_rules, cmd_try
from tonecheck.input_formats import INPUT_FORMATS

# The keys of formatters.FORMATTERS (not imported here: it loads the engine, and --help stays instant).
FORMATS = ("text", "json", "sarif", "github", "junit", "checkstyle", "gitlab")
FAIL_LEVELS = ("error", "warning", "info", "hint", "never")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tonecheck",
        description="Lint customer-support reply drafts for tone before they are sent.",
    )
    parser.add_argument("--version", action="version", version=f"tonecheck {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, metavar="PATH", help="configuration file (.tonecheck.yaml or pyproject.toml)")
    common.add_argument("--pack", action="append", type=Path, metavar="PATH", help="extra rule pack file or folder (repeatable)")
    common.add_argument("--no-builtin", action="store_true", help="do not load the built-in packs")
    common.add_argument("--select", action="append", metavar="RULES", help="rule ids, prefixes or categories to run (comma-separated, repeatable)")
    common.add_argument("--ignore", action="append", metavar="RULES", help="rule ids, prefixes or categories to skip")
    common.add_argument("--model", metavar="NAME_OR_PATH", help="an installed spaCy pipeline to use instead of the rule-based default")
    for add in (_add_check, _add_rules, _add_explain, _add_try, _add_eval, _add_audit, _add_test_rules, _add_lsp, _add_serve):
        add(sub, common)
    return parser


# Each adds one command; `common` holds the flags of every command that loads rules.
def _add_check(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    check = sub.add_parser("check", parents=[common], help="lint files, folders or stdin")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or folders; `-` or nothing reads stdin")
    check.add_argument("--format", choices=FORMATS, help="output format (default: github under GitHub Actions, else text)")
    check.add_argument("--output-file", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--statistics", action="store_true", help="print the number of findings per rule instead of the findings (text or json)")
    check.add_argument("--quiet", "-q", action="store_true", help="print only the findings: no source lines, suggestions or summary")
    check.add_argument("--fail-on", choices=FAIL_LEVELS, help="lowest severity that exits 1 (default: warning)")
    check.add_argument("--include", action="append", metavar="GLOB", help="file globs to check inside folders (default: *.txt *.md *.eml *.html ...)")
    check.add_argument("--exclude", action="append", metavar="GLOB", help="git-style patterns of files or folders to skip inside folders (repeatable); .gitignore is respected too")
    check.add_argument("--input-format", choices=INPUT_FORMATS, help="what to skip (default auto: by file extension, then by content)")
    check.add_argument("--stdin-filename", metavar="NAME", help="the path stdin stands for: its input format, configuration and name in the report")
    check.set_defaults(run=cmd_check)


def _add_rules(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    rules = sub.add_parser("rules", parents=[common], help="list the rules with their id, category and severity")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rules.set_defaults(run=cmd_rules)


def _add_explain(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    explain = sub.add_parser("explain", parents=[common], help="explain a rule (why it hurts, what to write instead) or a word class (@name)")
    explain.add_argument("rule", metavar="RULE|@LEXICON")
    explain.set_defaults(run=cmd_explain)


def _add_try(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    trying = sub.add_parser("try", parents=[common], help="show what each part of a rule matched in a text, and which veto cancelled it")
    trying.add_argument("text", nargs="?", metavar="TEXT", help="the text to try (default: stdin)")
    trying.add_argument("--rule", action="append", metavar="ID", help="only these rule ids (repeatable); default every rule that matched something")
    trying.add_argument("--input-format", choices=INPUT_FORMATS, help="what to skip (default auto)")
    trying.set_defaults(run=cmd_try)


def _add_eval(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    evaluate = sub.add_parser("eval", parents=[common], help="precision and recall per category on labeled replies (JSON Lines)")
    evaluate.add_argument("labeled", type=Path, metavar="LABELED.jsonl")
    evaluate.add_argument("--format", choices=("text", "json"), default="text")
    evaluate.set_defaults(run=cmd_eval)


def _add_audit(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    audit = sub.add_parser("audit", parents=[common], help="lint an archive of past replies (CSV, JSON Lines, Parquet) and report where the tone problems are")
    audit.add_argument("input", metavar="INPUT", help="archive file: .csv, .jsonl/.ndjson or .parquet (CSV and JSON Lines may be .gz/.bz2/.xz)")
    audit.add_argument("--text-column", required=True, metavar="COL", help="column holding the reply text")
    audit.add_argument("--id-column", metavar="COL", help="column identifying each reply (copied into the findings)")
    audit.add_argument("--group-by", action="append", nargs="+", metavar="COL", help="columns to break findings down by, e.g. team agent channel")
    audit.add_argument("--time-column", metavar="COL", help="column with the reply's date or time, for the over-time chart")
    audit.add_argument("--out", metavar="FILE", help="write one record per finding to FILE (.jsonl or .parquet)")
    audit.add_argument("--html", metavar="FILE", help="write the HTML report to FILE")
    audit.add_argument("--input-format", choices=INPUT_FORMATS, help="what the text column holds (default auto)")
    audit.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores; with --dask local, Dask workers)")
    audit.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster whose scheduler is at ADDRESS, e.g. tcp://10.0.0.5:8786")
    audit.add_argument("--dask", choices=("local",), help="run on a Dask LocalCluster started for this audit")
    audit.add_argument("--chunk-rows", type=int, metavar="N", help="rows read at a time (default 5000), or per Dask partition (default 2000)")
    audit.add_argument("--progress", choices=("auto", "always", "never"), default="auto", help="progress bar on stderr (default auto: only on a terminal)")
    audit.set_defaults(run=cmd_audit)


def _add_test_rules(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    test_rules = sub.add_parser("test-rules", help="check every rule's own flag/pass examples")
    test_rules.add_argument("packs", nargs="*", type=Path, metavar="PACK", help="pack files or folders (default: the built-in packs)")
    test_rules.add_argument("--model", metavar="NAME_OR_PATH")
    test_rules.set_defaults(run=cmd_test_rules)


def _add_lsp(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    lsp = sub.add_parser("lsp", help="run the language server (stdio by default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    lsp.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default="WARNING", help="stderr logging level (default: WARNING)")
    lsp.set_defaults(run=cmd_lsp)


def _add_serve(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    serve = sub.add_parser("serve", parents=[common], help="run the HTTP check service and the draft page (pip install 'tonecheck[serve]')")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8700, help="port (default 8700; 0 picks a free one and prints it)")
    serve.add_argument("--workers", type=int, default=1, metavar="N", help="check worker processes, each with its own pipeline (default 1)")
    serve.add_argument("--token-file", type=Path, metavar="FILE", help="require `Authorization: Bearer <the token in FILE>` on every request but /healthz")
    serve.add_argument("--cors-origin", action="extend", nargs="+", metavar="ORIGIN", help="browser origins allowed to call the API, e.g. https://acme.zendesk.com (repeatable)")
    serve.add_argument("--max-body", type=int, default=1 << 20, metavar="BYTES", help="largest request body; larger ones get 413 (default 1048576)")
    serve.add_argument("--max-batch", type=int, default=100, metavar="N", help="most texts in one /v1/check-batch request (default 100)")
    serve.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="longest a check may take; then 503 and its worker is replaced (default 10)")
    serve.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info", help="stderr logging level (default: info)")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.set_defaults(run=cmd_serve)


def _version() -> str:
    from tonecheck import __version__

    return __version__

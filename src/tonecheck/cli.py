"""The `tonecheck` command line.

Exit codes (``Exit``): 0 nothing at or above the fail level, 1 findings at or
above it, 2 a usage, configuration, pack or input error. Heavy modules (spaCy)
are imported inside the commands that need them, so `--help` stays instant.
"""

from __future__ import annotations

import argparse
import errno
import fnmatch
import gc
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tonecheck.input_formats import INPUT_FORMATS

if TYPE_CHECKING:
    from tonecheck.config import Config
    from tonecheck.linter import Linter


class Exit(IntEnum):
    OK = 0
    FINDINGS = 1
    ERROR = 2


# The keys of formatters.FORMATTERS (not imported here: it loads the engine, and --help stays instant).
FORMATS = ("text", "json", "sarif", "github", "junit", "checkstyle", "gitlab")
FAIL_LEVELS = ("error", "warning", "info", "hint", "never")


def _split_list(values: list[str] | None) -> list[str] | None:
    """`--select a,b --select c` -> [a, b, c]; None when the flag was not given."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


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

    rules = sub.add_parser("rules", parents=[common], help="list the rules with their id, category and severity")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rules.set_defaults(run=cmd_rules)

    explain = sub.add_parser("explain", parents=[common], help="explain a rule (why it hurts, what to write instead) or a word class (@name)")
    explain.add_argument("rule", metavar="RULE|@LEXICON")
    explain.set_defaults(run=cmd_explain)

    trying = sub.add_parser("try", parents=[common], help="show what each part of a rule matched in a text, and which veto cancelled it")
    trying.add_argument("text", nargs="?", metavar="TEXT", help="the text to try (default: stdin)")
    trying.add_argument("--rule", action="append", metavar="ID", help="only these rule ids (repeatable); default every rule that matched something")
    trying.add_argument("--input-format", choices=INPUT_FORMATS, help="what to skip (default auto)")
    trying.set_defaults(run=cmd_try)

    evaluate = sub.add_parser("eval", parents=[common], help="precision and recall per category on labeled replies (JSON Lines)")
    evaluate.add_argument("labeled", type=Path, metavar="LABELED.jsonl")
    evaluate.add_argument("--format", choices=("text", "json"), default="text")
    evaluate.set_defaults(run=cmd_eval)

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

    test_rules = sub.add_parser("test-rules", help="check every rule's own flag/pass examples")
    test_rules.add_argument("packs", nargs="*", type=Path, metavar="PACK", help="pack files or folders (default: the built-in packs)")
    test_rules.add_argument("--model", metavar="NAME_OR_PATH")
    test_rules.set_defaults(run=cmd_test_rules)

    lsp = sub.add_parser("lsp", help="run the language server (stdio by default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    lsp.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default="WARNING", help="stderr logging level (default: WARNING)")
    lsp.set_defaults(run=cmd_lsp)

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
    return parser


def _version() -> str:
    from tonecheck import __version__

    return __version__


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    flags: dict[str, Any] = {
        "select": _split_list(args.select),
        "ignore": _split_list(args.ignore),
        "packs": [str(p) for p in args.pack] if args.pack else None,
        "builtin": False if args.no_builtin else None,
        "model": args.model,
    }
    if getattr(args, "fail_on", None):
        flags["fail_on"] = args.fail_on
    if getattr(args, "include", None):
        flags["include"] = _split_list(args.include)
    if getattr(args, "exclude", None):
        flags["exclude"] = _split_list(args.exclude)
    if getattr(args, "input_format", None):
        flags["input_format"] = args.input_format
    return {k: v for k, v in flags.items() if v is not None}


class _Linters:
    """One Linter per distinct configuration (files in different folders may differ)."""

    def __init__(self, args: argparse.Namespace):
        from tonecheck.linter_cache import LinterCache

        self.args = args
        self.cache = LinterCache(wrap_error=_name_the_flag)

    def config_for(self, start: Path | None) -> Config:
        from tonecheck.config import resolve_config
        from tonecheck.errors import ConfigError

        try:
            return resolve_config(start, config_file=self.args.config, overrides=_overrides(self.args))
        except ConfigError as exc:
            raise _name_the_flag(exc) from None

    def linter_for(self, config: Config) -> Linter:
        return self.cache.get(config)


# The flag that sets each setting, for errors in values that came from the command line.
_FLAGS = {
    "select": "--select", "ignore": "--ignore", "packs": "--pack", "builtin": "--no-builtin",
    "model": "--model", "fail_on": "--fail-on", "include": "--include", "input_format": "--input-format",
}


def _name_the_flag(exc: Any) -> Any:
    """A ConfigError about a setting no file set came from a flag: name the flag."""
    from tonecheck.errors import ConfigError

    setting = (exc.field or "").split(".")[0]
    if exc.path is None and setting in _FLAGS:
        return ConfigError(_FLAGS[setting], None, exc.detail, code=exc.code)
    return exc


@dataclass(frozen=True)
class Unchecked:
    """A path found that is not checked, and why; reported on stderr by name.

    ``error`` makes the exit code 2 (something could not be checked); a note
    (a folder reached a second time through a link) does not.
    """

    path: Path
    reason: str
    error: bool = True


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _not_regular(mode: int) -> str:
    kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "not a regular file")
    return f"{kind}, not a regular file; skipped without reading it (pipe text in with `-`)"


def _os_reason(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot be used, from the error that opening or stat-ing it raised."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; skipped"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(path):
            return f"broken symbolic link (to {os.readlink(path)}); skipped"
        return "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; skipped"
    return f"cannot read: {exc.strerror}"


def _stat(path: Path) -> os.stat_result | Unchecked:
    try:
        return os.stat(path)
    except OSError as exc:
        return Unchecked(path, _os_reason(path, exc))


def _walk(path: Path, config: Config) -> Iterator[Path | Unchecked]:
    """The regular files to check for a given path, and every path met that cannot be checked.

    A given file is checked whatever its name. A folder is searched recursively
    for the include globs, hidden names skipped; linked folders are searched
    once, never into a loop. Everything is stat-ed before it is opened:
    FIFOs, sockets and devices are reported, never read (a FIFO would block
    the run forever). Unreadable folders, loops and broken links are reported.
    A folder in which nothing matches says so.
    """
    info = _stat(path)
    if isinstance(info, Unchecked):
        yield info
        return
    if not stat.S_ISDIR(info.st_mode):
        yield path if stat.S_ISREG(info.st_mode) else Unchecked(path, _not_regular(info.st_mode))
        return
    try:
        os.scandir(path).close()
    except OSError as exc:
        yield Unchecked(path, f"cannot read folder ({exc.strerror}); its files were not checked")
        return
    from tonecheck.ignore import FileFilter

    skip = FileFilter(path, config.exclude, config.respect_gitignore)
    include = config.include
    seen = {(info.st_dev, info.st_ino): path}
    problems: list[Unchecked] = []
    found = 0

    def unreadable(exc: OSError) -> None:
        problems.append(Unchecked(Path(exc.filename or path), f"cannot read folder ({exc.strerror}); its files were not checked"))

    for root, dirs, files in os.walk(path, onerror=unreadable, followlinks=True):
        yield from problems
        problems.clear()
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not skip.skips(Path(root) / d, is_dir=True))
        followed = []
        for name in dirs:
            folder = Path(root) / name
            folder_info = _stat(folder)
            if isinstance(folder_info, Unchecked):
                yield folder_info
                continue
            key = (folder_info.st_dev, folder_info.st_ino)
            if key in seen:
                inside = Path(os.path.realpath(root))
                target = Path(os.path.realpath(folder))
                if target == inside or target in inside.parents:
                    yield Unchecked(folder, "symbolic link loop (leads back to a folder above it); not followed")
                else:
                    yield Unchecked(folder, f"the same folder as {seen[key]}; checked there once", error=False)
                continue
            seen[key] = folder
            followed.append(name)
        dirs[:] = followed
        for name in sorted(files):
            if name.startswith(".") or skip.skips(Path(root) / name, is_dir=False):
                continue
            if any(fnmatch.fnmatch(name, g) for g in include):
                file = Path(root) / name
                file_info = _stat(file)
                if isinstance(file_info, Unchecked):
                    yield file_info
                elif stat.S_ISREG(file_info.st_mode):
                    found += 1
                    yield file
                else:
                    yield Unchecked(file, _not_regular(file_info.st_mode))
            elif os.path.islink(Path(root) / name):
                # A link that is no folder may be a broken or looping link to one.
                link_info = _stat(Path(root) / name)
                if isinstance(link_info, Unchecked):
                    yield link_info
    yield from problems
    if not found and not problems:
        left_out = " (or every match is excluded or git-ignored)" if config.exclude or config.respect_gitignore else ""
        yield Unchecked(
            path, "no file in this folder matches the include globs (" + " ".join(include) + f"){left_out}; nothing was checked"
        )


def read_input(path: Path | None, name: str | None = None, input_format: str = "auto") -> str:
    """The text of a regular file or stdin; raise InputError saying why it cannot be read.

    The file is opened without blocking and checked to be a regular file
    before a byte is read, so a FIFO put in its place never hangs the run.
    A saved e-mail message may carry 8-bit bodies in other charsets: its bytes
    are kept (undecodable ones as surrogates) for the MIME parser, which reads
    each part in its own charset.
    """
    from tonecheck.errors import InputError

    name = name or ("-" if path is None else str(path))
    if path is None:
        return _decoded(sys.stdin.buffer.read(), name, input_format)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(name, _os_reason(path, exc)) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(name, "is a folder")
        if not stat.S_ISREG(mode):
            raise InputError(name, _not_regular(mode))
        try:
            data = handle.read()
        except OSError as exc:
            raise InputError(name, f"cannot read: {exc.strerror}") from None
    return _decoded(data, name, input_format)


def _decoded(data: bytes, name: str, input_format: str) -> str:
    from tonecheck.errors import InputError
    from tonecheck.inputs.decoding import decode

    try:
        return decode(data, name)
    except InputError:
        if input_format in ("auto", "email") and b"\x00" not in data[:8192]:
            from tonecheck.inputs import is_message

            text = data.decode("utf-8", "surrogateescape")
            if is_message(text):
                return text
        raise


def _output_format(args: argparse.Namespace) -> str:
    """The --format given, else `github` inside GitHub Actions (as yamllint does), else `text`."""
    if args.format:
        return args.format
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _use_color(args: argparse.Namespace) -> bool:
    """Colour on a terminal; NO_COLOR turns it off, FORCE_COLOR on (no-color.org, force-color.org)."""
    if args.output_file is not None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def cmd_check(args: argparse.Namespace) -> int:
    from tonecheck.errors import InputError
    from tonecheck.formatters import FORMATTERS, STATISTICS, Checked, Context
    from tonecheck.inputs import decoded_parts, format_for_path

    output_format = _output_format(args)
    if args.statistics and output_format not in STATISTICS:
        print(f"tonecheck: error: --statistics prints as {' or '.join(STATISTICS)}, not {output_format}", file=sys.stderr)
        return Exit.ERROR
    if args.stdin_filename and any(p != "-" for p in args.paths):
        print("tonecheck: error: --stdin-filename names what stdin holds; give no PATH (or `-`) with it", file=sys.stderr)
        return Exit.ERROR
    linters = _Linters(args)
    checked: list[Checked] = []
    input_errors = 0
    rules: dict[str, Any] = {}
    targets: list[Path | None] = [None if p == "-" else Path(p) for p in args.paths] or [None]
    # stdin standing for a file: configuration and input format come from that path.
    stdin_as = Path(args.stdin_filename) if args.stdin_filename else None
    docs_url: str | None = None

    for target in targets:
        config = linters.config_for(target if target is not None else stdin_as)
        docs_url = docs_url or config.docs_url
        files = [None] if target is None else list(_walk(target, config))
        for file in files:
            if isinstance(file, Unchecked):
                print(f"tonecheck: {'error' if file.error else 'note'}: {file.path}: {file.reason}", file=sys.stderr)
                if file.error:
                    input_errors += 1
                continue
            # Files inside a folder may sit under a closer configuration file.
            file_config = config if file is None or file == target else linters.config_for(file)
            linter = linters.linter_for(file_config)
            rules.update({r.id: r for r in linter.rules})
            name = str(file) if file is not None else str(stdin_as) if stdin_as is not None else "-"
            fmt = format_for_path(None if name == "-" else name, file_config.input_format)
            try:
                text = read_input(file, name, fmt)
            except InputError as exc:
                print(f"tonecheck: error: {exc}", file=sys.stderr)
                input_errors += 1
                continue
            report = linter.check(text, path=name, input_format=fmt)
            # Lines of decoded MIME parts, for showing findings in them.
            parts = decoded_parts(text) if any(f.part for f in report.findings) else {}
            checked.append(Checked(report, text, file_config.fail_on, parts))

    table = STATISTICS if args.statistics else FORMATTERS
    output = table[output_format](checked, Context(rules=rules, color=_use_color(args), quiet=args.quiet, **({"docs_url": docs_url} if docs_url else {})))
    if args.output_file is not None:
        try:
            args.output_file.write_text(output, encoding="utf-8")
        except OSError as exc:
            print(f"tonecheck: error: {args.output_file}: cannot write the report: {exc.strerror}", file=sys.stderr)
            return Exit.ERROR
    elif output:
        sys.stdout.write(output)
    failed = any(item.failing(f) for item in checked for f in item.report.findings)
    if input_errors:
        return Exit.ERROR
    return Exit.FINDINGS if failed else Exit.OK


def cmd_rules(args: argparse.Namespace) -> int:
    import json

    from tonecheck.lexicons import rule_lexicons
    from tonecheck.plugins import origin
    from tonecheck.ruledoc import rules_markdown

    linters = _Linters(args)
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

    config = _Linters(args).config_for(None)
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

    linters = _Linters(args)
    linter = linters.linter_for(linters.config_for(None))
    text = args.text if args.text is not None and args.text != "-" else read_input(None)
    wanted = _split_list(args.rule)
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
    linters = _Linters(args)
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


def cmd_audit(args: argparse.Namespace) -> int:
    # Imported here so that `tonecheck check` never loads pandas, pyarrow or Dask.
    from tonecheck.audit.command import run

    if (args.jobs is not None and args.jobs < 1) or (args.chunk_rows is not None and args.chunk_rows < 1):
        print("tonecheck: error: --jobs and --chunk-rows need a number of at least 1", file=sys.stderr)
        return Exit.ERROR
    if args.scheduler and args.dask:
        print("tonecheck: error: give --scheduler ADDRESS or --dask local, not both", file=sys.stderr)
        return Exit.ERROR
    return run(args, lambda: _Linters(args).config_for(None))


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


def cmd_lsp(args: argparse.Namespace) -> int:
    # Imported here so that `tonecheck check` never loads pygls.
    from tonecheck.lsp.server import start

    if args.tcp and not args.tcp.rpartition(":")[2].isdigit():
        print("tonecheck: error: --tcp needs HOST:PORT, e.g. 127.0.0.1:2087", file=sys.stderr)
        return Exit.ERROR
    start(tcp=args.tcp, log_level=args.log_level)
    return Exit.OK


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        # Imported here so that `tonecheck check` never loads FastAPI or uvicorn.
        from tonecheck.serve.command import run
    except ModuleNotFoundError as exc:
        if exc.name not in ("fastapi", "starlette", "uvicorn"):
            raise
        print(f"tonecheck: error: `tonecheck serve` needs {exc.name}: pip install 'tonecheck[serve]'", file=sys.stderr)
        return Exit.ERROR
    return run(args, lambda: _Linters(args).config_for(None))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from tonecheck.errors import TonecheckError

    # Everything imported so far (spaCy, pydantic, numpy: ~1 million objects)
    # lives as long as the process; frozen, the collector stops re-scanning it,
    # which cost a one-reply run ~0.1 s of full collections (measured).
    gc.freeze()

    try:
        return int(args.run(args))
    except TonecheckError as exc:
        from tonecheck.errors import SourceError

        print(f"tonecheck: error: {exc.with_code() if isinstance(exc, SourceError) else exc}", file=sys.stderr)
        return Exit.ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tonecheck check ... | head`
        return Exit.OK


if __name__ == "__main__":
    sys.exit(main())

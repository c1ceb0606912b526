"""`tonecheck check`: lint files, folders or stdin and print one report in the chosen format."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tonecheck.cli.exits import Exit
from tonecheck.cli.linters import Linters
from tonecheck.cli.read import read_input
from tonecheck.cli.walk import Unchecked, walk

if TYPE_CHECKING:
    from tonecheck.config import Config
    from tonecheck.formatters import Checked


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
    from tonecheck.formatters import FORMATTERS, STATISTICS, Context

    output_format = _output_format(args)
    if args.statistics and output_format not in STATISTICS:
        print(f"tonecheck: error: --statistics prints as {' or '.join(STATISTICS)}, not {output_format}", file=sys.stderr)
        return Exit.ERROR
    if args.stdin_filename and any(p != "-" for p in args.paths):
        print("tonecheck: error: --stdin-filename names what stdin holds; give no PATH (or `-`) with it", file=sys.stderr)
        return Exit.ERROR
    # stdin standing for a file: configuration and input format come from that path.
    run = _Run(Linters(args), Path(args.stdin_filename) if args.stdin_filename else None)
    for target in [None if p == "-" else Path(p) for p in args.paths] or [None]:
        run.check_target(target)

    table = STATISTICS if args.statistics else FORMATTERS
    docs_url = run.docs_url
    output = table[output_format](run.checked, Context(rules=run.rules, color=_use_color(args), quiet=args.quiet, **({"docs_url": docs_url} if docs_url else {})))
    if args.output_file is not None:
        try:
            args.output_file.write_text(output, encoding="utf-8")
        except OSError as exc:
            print(f"tonecheck: error: {args.output_file}: cannot write the report: {exc.strerror}", file=sys.stderr)
            return Exit.ERROR
    elif output:
        sys.stdout.write(output)
    failed = any(item.failing(f) for item in run.checked for f in item.report.findings)
    if run.input_errors:
        return Exit.ERROR
    return Exit.FINDINGS if failed else Exit.OK


@dataclass
class _Run:
    """What one `check` run has linted so far: the reports, the rules that ran, the inputs it could not read."""

    linters: Linters
    stdin_as: Path | None  # --stdin-filename
    checked: list[Checked] = field(default_factory=list)
    input_errors: int = 0
    rules: dict[str, Any] = field(default_factory=dict)
    docs_url: str | None = None

    def check_target(self, target: Path | None) -> None:
        """Lint a path given on the command line (None: stdin), every file under it if a folder."""
        config = self.linters.config_for(target if target is not None else self.stdin_as)
        self.docs_url = self.docs_url or config.docs_url
        files = [None] if target is None else list(walk(target, config))
        for file in files:
            if isinstance(file, Unchecked):
                print(f"tonecheck: {'error' if file.error else 'note'}: {file.path}: {file.reason}", file=sys.stderr)
                if file.error:
                    self.input_errors += 1
                continue
            # Files inside a folder may sit under a closer configuration file.
            self._check_file(file, config if file is None or file == target else self.linters.config_for(file))

    def _check_file(self, file: Path | None, file_config: Config) -> None:
        from tonecheck.errors import InputError
        from tonecheck.formatters import Checked
        from tonecheck.inputs import decoded_parts, format_for_path

        linter = self.linters.linter_for(file_config)
        self.rules.update({r.id: r for r in linter.rules})
        stdin_as = self.stdin_as
        name = str(file) if file is not None else str(stdin_as) if stdin_as is not None else "-"
        fmt = format_for_path(None if name == "-" else name, file_config.input_format)
        try:
            text = read_input(file, name, fmt)
        except InputError as exc:
            print(f"tonecheck: error: {exc}", file=sys.stderr)
            self.input_errors += 1
            return
        report = linter.check(text, path=name, input_format=fmt)
        # Lines of decoded MIME parts, for showing findings in them.
        parts = decoded_parts(text) if any(f.part for f in report.findings) else {}
        self.checked.append(Checked(report, text, file_config.fail_on, parts))

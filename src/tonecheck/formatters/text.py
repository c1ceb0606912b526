"""The text format: `path:line:col: severity rule message`, the source line, a caret, the advice."""

from __future__ import annotations

import io
from collections.abc import Sequence

from tonecheck.formatters.checked import Checked, Context, display_path
from tonecheck.schema import Severity

SEVERITY_STYLE = {Severity.error: "bold red", Severity.warning: "bold yellow", Severity.info: "bold blue", Severity.hint: "bold cyan"}

Line = list[tuple[str, str]]  # (text, rich style) segments of one output line


def render(lines: list[Line], color: bool) -> str:
    if not color:
        return "".join("".join(text for text, _ in line) + "\n" for line in lines)
    from rich.console import Console  # only when colour is on: rich costs import time
    from rich.text import Text

    console = Console(file=io.StringIO(), force_terminal=True, color_system="standard",
                      width=1 << 20, highlight=False, emoji=False, markup=False)
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(part, style=style or None)
        console.print(text, soft_wrap=True)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def format_text(checked: Sequence[Checked], context: Context) -> str:
    """`path:line:col: severity rule message`, the line, a caret, the suggestions."""
    out: list[Line] = []
    total = 0
    for item in checked:
        lines = item.text.splitlines()
        for f in item.report.findings:
            total += 1
            out.append([
                (display_path(item, f), "bold"), (f":{f.line}:{f.column}: ", ""),
                (f.severity.value, SEVERITY_STYLE[f.severity]), (" ", ""), (f.rule, "magenta"), (f" {f.message}", ""),
            ])
            if context.quiet:
                continue
            source_lines = item.parts[f.part].splitlines() if f.part and f.part in item.parts else lines
            source = source_lines[f.line - 1] if f.line - 1 < len(source_lines) else ""
            gutter = str(f.line)
            pad = " " * len(gutter)
            width = (f.end_column - f.column) if f.end_line == f.line else len(source) - f.column + 1
            out.append([(f"  {gutter} | ", "dim"), (source, "")])
            out.append([(f"  {pad} | ", "dim"), (" " * (f.column - 1), ""), ("^" * max(1, width), "bold red")])
            for suggestion in f.suggestions:
                # An empty replacement deletes the span (an unused suppression).
                out.append([(f"  {pad} = ", "dim"), ("try: ", "bold green"), (suggestion or "delete it", "green")])
            if f.advice:
                out.append([(f"  {pad} = ", "dim"), ("help: ", "bold"), (f.advice, "")])
            out.append([])
    if total and not context.quiet:
        files = sum(1 for item in checked if item.report.findings)
        out.append([(f"Found {total} problem{'s' if total != 1 else ''} in {files} input{'s' if files != 1 else ''}.", "bold")])
    return render(out, context.color) if out else ""

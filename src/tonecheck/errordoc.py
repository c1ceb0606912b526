"""docs/errors.md: every coded message of ``errors.Errors``, under the catalogue's own section comments.

Generated: ``python -m tonecheck.errordoc > docs/errors.md`` (tests check the
file is current). The catalogue's source is read for its comments (a section,
a note after a message); the messages come from the class itself.
"""

from __future__ import annotations

import inspect
import re
import sys

from tonecheck.errors import Errors


def catalogue_markdown() -> str:
    out = [
        "# Error codes",
        "",
        "Generated from `Errors` in `src/tonecheck/errors.py` by",
        "`python -m tonecheck.errordoc > docs/errors.md`; edit the catalogue, not this file.",
        "",
        "A pack or configuration error carries its code: the command line prints it after",
        "the message (`... [T203]`), and in Python it is the error's `.code`. A word in",
        "braces, such as `{key}`, stands for what the message names.",
    ]
    for line in inspect.getsource(Errors).splitlines():
        if section := re.match(r"\s*# -- (.+?) -+$", line):
            out += ["", f"## {section[1].capitalize()}", "", "| code | message |", "|---|---|"]
        elif entry := re.match(r"\s*(T\d+) = .*?(?:  # (.+))?$", line):
            out.append(f"| {entry[1]} | {_readable(getattr(Errors, entry[1]))}{f' ({entry[2]})' if entry[2] else ''} |")
    return "\n".join(out) + "\n"


def _readable(template: str) -> str:
    """The message as a reader sees it: `{entry!r}` as `{entry}`, `{{` as `{`, and `|` kept out of the table."""
    text = re.sub(r"\{(\w+)![rsa]\}", r"{\1}", str.__str__(template))
    return text.replace("{{", "{").replace("}}", "}").replace("|", "\\|")


if __name__ == "__main__":
    sys.stdout.write(catalogue_markdown())

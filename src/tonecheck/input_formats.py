"""The list of input formats: the one place it is written.

Kept apart from ``tonecheck.inputs`` (which parses HTML, Markdown and mail)
so that the command line can offer the choices without importing a parser.
"""

from __future__ import annotations

from typing import Literal, get_args

InputFormat = Literal["auto", "text", "email", "markdown", "html"]
INPUT_FORMATS: tuple[str, ...] = get_args(InputFormat)

__all__ = ["INPUT_FORMATS", "InputFormat"]

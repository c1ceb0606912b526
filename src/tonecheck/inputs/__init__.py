"""Reply-aware input: lint only what the agent wrote.

A draft often carries text the agent did not write: the customer's message quoted
below, an "On ... wrote:" block, a signature, markup, code, template placeholders
such as ``{{ticket.requester.name}}``. Linting those is a false alarm no user
forgives.

``prepare`` turns an input into a ``Prepared`` text for the engine. Plain text,
e-mail and Markdown are blanked in place (same length, so offsets need no map);
HTML is reduced to its visible text with entities decoded, and carries a map
from each prepared character back to the original source. A saved e-mail
message (headers, MIME parts; ``message.py``) becomes one prepared text per
message and per part that had to be decoded.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from dataclasses import replace

from tonecheck.input_formats import INPUT_FORMATS
from tonecheck.inputs.blanking import blank
from tonecheck.inputs.html import visible_text
from tonecheck.inputs.message import decoded_parts, is_message, prepare_message
from tonecheck.inputs.prepared import Prepared, without_cr


_EXTENSIONS = {
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown",
    ".eml": "email", ".mbox": "email",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "auto", ".text": "auto",
}

# A document that opens with a tag, or holds several paired tags, is HTML; a
# stray "<3" or "a < b" in a plain reply is not.
_HTML_START = re.compile(r"\A\s*(?:<!doctype\s+html|<html\b|<body\b|<div\b|<p\b|<table\b|<span\b|<br\b)", re.I)
_HTML_CLOSING = re.compile(r"</(?:p|div|span|b|i|strong|em|a|li|td|blockquote|body|html)\s*>", re.I)


def format_for_path(path: str | None, requested: str = "auto") -> str:
    """The input format for a file: the requested one, or by extension for `auto`."""
    if requested != "auto" or not path or path == "-":
        return requested
    return _EXTENSIONS.get(PurePath(path).suffix.lower(), "auto")


def sniff(text: str) -> str:
    """``html`` when the content is markup, else ``auto`` (plain text or mail)."""
    if "<" not in text:
        return "auto"
    if _HTML_START.match(text) or len(_HTML_CLOSING.findall(text, 0, 20_000)) >= 2:
        return "html"
    return "auto"


def prepare(text: str, input_format: str = "auto") -> Prepared:
    """The text to lint, and the way back to ``text``'s offsets."""
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"unknown input format `{input_format}`; use one of {', '.join(INPUT_FORMATS)}")
    if text.startswith("\ufeff"):
        # A byte-order mark left in the text (a file read with encoding="utf-8")
        # is invisible: lint it as a space, so the first word is still a word
        # and every offset still points into ``text``.
        text = " " + text[1:]
    # A saved message opens with its headers: checked before the markup sniff,
    # since an HTML body holds closing tags too.
    if input_format in ("auto", "email") and is_message(text):
        return prepare_message(text, _body)
    if input_format == "auto":
        input_format = sniff(text)
    if input_format == "html":
        visible = visible_text(text)
        return _blanked(Prepared(visible.text, visible.starts, visible.ends), "html")
    return _blanked(Prepared(text), input_format)


def _blanked(extracted: Prepared, input_format: str) -> Prepared:
    extracted = without_cr(extracted)
    blanked = blank(extracted.text, input_format)
    # Most replies have nothing to blank: keep the (frozen) Prepared as it is.
    return extracted if blanked == extracted.text else replace(extracted, text=blanked)


def _body(text: str, kind: str) -> Prepared:
    """One body of a message: the e-mail conventions for plain text, the HTML path for HTML."""
    if kind == "html":
        visible = visible_text(text)
        return _blanked(Prepared(visible.text, visible.starts, visible.ends), "html")
    return _blanked(Prepared(text), "email")


__all__ = ["INPUT_FORMATS", "Prepared", "decoded_parts", "format_for_path", "is_message", "prepare", "sniff"]

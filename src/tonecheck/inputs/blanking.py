"""Same-length blanking: templates, mail quotes, signatures, inline Markdown.

A draft often carries text the agent did not write: the customer's message quoted
below, an "On ... wrote:" block, a signature, a code block, template placeholders
such as ``{{ticket.requester.name}}``. Linting those is a false alarm no user
forgives.

Every skipped region is replaced by the same number of characters (spaces, with
newlines kept), so offsets in the prepared text are offsets in the original:
findings need no mapping and ``original[start:end] == match`` holds by
construction. A placeholder becomes a same-length run of letters, so it still
stands in as a word: "{{customer.first_name}}, you're the only one" still flags.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tonecheck.inputs.markdown import blank_blocks

# -- what each format skips ---------------------------------------------------

# Mail clients put the attribution on one line, or wrap it onto a second one.
_ATTRIBUTION = re.compile(r"^[ \t]*On\b[^\n]{0,300}?(?:\n[^\n]{0,120}?)?\bwrote:[ \t]*\r?$", re.M)
_OUTLOOK = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*Original Message[ \t]*-{2,}|_{8,}[ \t]*\r?$|From:[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*(?:Sent|Date):)",
    re.M | re.I,
)
_SIGNATURE = re.compile(r"^-- ?\r?$", re.M)
_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*", re.M)
_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_INLINE_CODE = re.compile(r"(`+)[^`\n]+?\1")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_LINK_TARGET = re.compile(r"(?<=\])\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_TEMPLATE_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.S)
_TEMPLATE_TAG = re.compile(r"\{%.*?%\}", re.S)
_PLACEHOLDER = re.compile(r"\{\{\{?.*?\}?\}\}", re.S)


# A single line break inside a paragraph (hard-wrapped mail, chat input) is a
# space to the reader; turning it into one lets phrases match across the wrap.
# Mail often ends lines with CRLF: the CR goes with the break.
_SOFT_BREAK = re.compile(r"(?<=\S)([ \t]*)(\r?\n)(?=[ \t]*\S)")


def _unwrap(text: str) -> str:
    if "\n" not in text:
        return text
    return _SOFT_BREAK.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)


# Every Unicode space separator (category Zs) is a space to the reader: `&nbsp;`
# in HTML, U+202F in French punctuation, U+2009 from word processors. spaCy splits
# words only at U+0020 and makes the others tokens of their own, so "Calm&nbsp;down"
# would not match "calm down". One character for one keeps every offset.
_SPACES = dict.fromkeys(
    [0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000], " "
)


def _plain_spaces(text: str) -> str:
    return text if text.isascii() else text.translate(_SPACES)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _word(match: re.Match[str]) -> str:
    # A same-length run of letters: one token that no rule matches, so the
    # sentence around a placeholder still reads as a sentence.
    text = match.group(0)
    if "\n" in text:
        return _blank(match)
    return "X" + "x" * (len(text) - 1)


Step = tuple[tuple[str, ...], Callable[[str], str]]


def _when(markers: tuple[str, ...], step: Callable[[str], str]) -> Step:
    """Run ``step`` only on texts holding one of ``markers`` (lower case): most replies hold none."""
    return markers, step


def _blank_rest(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        found = pattern.search(text)
        if not found:
            return text
        start = found.start()
        return text[:start] + re.sub(r"[^\n]", " ", text[start:])

    return apply


def _sub(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> Callable[[str], str]:
    return lambda text: pattern.sub(repl, text)


_TEMPLATES = [
    _when(("{%",), _sub(_TEMPLATE_COMMENT, _blank)),
    _when(("{%",), _sub(_TEMPLATE_TAG, _blank)),
    _when(("{{",), _sub(_PLACEHOLDER, _word)),
]
_EMAIL = [
    _when(("wrote:",), _blank_rest(_ATTRIBUTION)),
    _when(("original message", "___", "from:"), _blank_rest(_OUTLOOK)),
    _when(("--",), _blank_rest(_SIGNATURE)),
    _when((">",), _sub(_QUOTED_LINE, _blank)),
]
_MARKDOWN = [
    ((), blank_blocks),  # fences, indented code, block quotes
    _when(("<!--",), _sub(_HTML_COMMENT, _blank)),
    _when(("<",), _sub(_HTML_TAG, _blank)),
    _when(("`",), _sub(_INLINE_CODE, _blank)),
    _when(("](",), _sub(_LINK_TARGET, _blank)),
]
_PLAIN_CODE = [
    _when(("```", "~~~"), _sub(_FENCE, _blank)),
    _when(("`",), _sub(_INLINE_CODE, _blank)),
    _when(("<!--",), _sub(_HTML_COMMENT, _blank)),
]

_STEPS: dict[str, list[Step]] = {
    "text": _TEMPLATES,
    "email": _TEMPLATES + _EMAIL,
    # Block structure is read before tags become spaces that would look like indented code.
    "markdown": _MARKDOWN + _TEMPLATES,
    # Code first, so a ">" or "wrote:" inside a code block does not cut the reply.
    "auto": _TEMPLATES + _PLAIN_CODE + _EMAIL,
    # Applied to the visible text that html.visible_text extracted.
    "html": _TEMPLATES + _EMAIL,
}


def blank(text: str, input_format: str) -> str:
    """``text`` with what the agent did not write blanked, same length."""
    prepared = text
    lowered = text.lower()
    for markers, step in _STEPS[input_format]:
        if markers:
            for marker in markers:  # ten steps per reply; most replies hold no marker
                if marker in lowered:
                    break
            else:
                continue
        prepared = step(prepared)
    prepared = _unwrap(_plain_spaces(prepared))
    assert len(prepared) == len(text)  # offsets must stay valid
    return prepared

"""E-mail messages (``.eml``, ``.mbox``): the agent's text out of a MIME message.

A message saved from a mail client is headers, then a body that may be
multipart, transfer-encoded (base64, quoted-printable) and in any charset.
Python's ``email`` package parses it (``policy.default``, the RFC 5322 and MIME
rules mail clients follow); this module decides what to lint and where each
character came from:

- headers, attachments and non-text parts are never linted;
- ``multipart/alternative`` lints its ``text/plain`` alternative, or the HTML one
  (through the HTML path) when there is no plain one; other multiparts lint
  every inline text part (Apple Mail splits a body around inline images);
- an ``.mbox`` is a sequence of messages, each "From " line starting one; a body
  line the mbox escaped as ">From " is read as "From " (the ">" is blanked in
  place, so offsets still point into the file), not as a quoted reply.

Offsets: where a part's decoded text is exactly the characters in the file (a
7bit or 8bit body in UTF-8 or ASCII, the usual case), findings point into the
file itself, as for any other input. Otherwise (base64, quoted-printable that
changed something, another charset) a finding names the MIME ``part`` and its
offsets point into that part's decoded text.

The body conventions of mail drafts (quoted lines, "On ... wrote:", forwarded
headers, signatures) are applied to every linted body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from tonecheck.inputs.prepared import Builder, Prepared

# A field name is printable ASCII without the colon (RFC 5322 section 3.6.8).
_FIELD = re.compile(r"([!-9;-~]+)[ \t]*:")
# Fields that only a message header carries; a draft that opens with "Note: ..."
# names none of them.
_MESSAGE_FIELDS = {
    "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "received",
    "return-path", "reply-to", "sender", "in-reply-to", "references", "delivered-to",
    "content-type", "content-transfer-encoding", "x-mailer", "thread-topic", "thread-index",
}
_MBOX_FROM = re.compile(r"^From [^\n]*\n", re.M)
# mboxo and mboxrd write a body line starting "From " as ">From " (">>From " for one
# that already had a ">"): one ">" comes off again when the message is read.
_ESCAPED_FROM = re.compile(r"^>(>*From )", re.M)
# Most drafts fail on their first characters ("Hi Sam,"): no line split needed.
_OPENING = re.compile(r"\ufeff?(?:From |[!-9;-~]+[ \t]*:)")
_HEADER_END = re.compile(rb"\r?\n\r?\n")

# How a linted body is prepared: (text, "plain" | "html") -> Prepared of that text.
Prepare = Callable[[str, str], Prepared]


def is_message(text: str) -> bool:
    """Whether ``text`` is a saved message or an mbox: it opens with a header block naming From: and another message field."""
    if not _OPENING.match(text):
        return False
    lines = text.lstrip("\ufeff").split("\n", 200)[:200]
    if lines and lines[0].startswith("From ") and not _FIELD.match(lines[0]):
        lines = lines[1:]  # the mbox separator line
    names: set[str] = set()
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            break
        if line[0] in " \t":
            if not names:
                return False
            continue
        field = _FIELD.match(line)
        if not field:
            return False
        names.add(field.group(1).lower())
    else:
        if len(lines) == 200:
            return False  # no end of the header block in sight
    return "from" in names and len(names & _MESSAGE_FIELDS) >= 2


@dataclass(frozen=True)
class _Body:
    """One linted body: where it is in the message, and how it came out of it."""

    section: str          # IMAP-style part number: "1", "2.1"
    kind: str             # "plain" or "html"
    text: str             # decoded text
    raw_at: int | None    # offset of the same characters in the message text, when they are the same


def prepare_message(text: str, prepare: Prepare) -> Prepared:
    """Every message of ``text`` (one, or an mbox's) as prepared units, headers and attachments left out."""
    units: list[Prepared] = []
    mbox = _MBOX_FROM.match(text) is not None
    for number, (start, chunk) in enumerate(_messages(text), 1):
        units.extend(_units(chunk, start, f"{number}/" if mbox else "", prepare))
    if not units:
        return Prepared("")
    return Prepared(
        units[0].text, units[0].starts, units[0].ends, units[0].offset, units[0].part,
        units[0].source, units[0].directives, tuple(units[1:]),
    )


def decoded_parts(text: str) -> dict[str, str]:
    """The decoded text of each MIME part that findings name (for showing their lines)."""
    found: dict[str, str] = {}
    mbox = _MBOX_FROM.match(text) is not None
    for number, (_, chunk) in enumerate(_messages(text), 1):
        label = f"{number}/" if mbox else ""
        for body in _bodies(chunk):
            if body.raw_at is None:
                found[label + body.section] = body.text
    return found


def _messages(text: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of each message: the whole text, or each message of an mbox without its "From " line."""
    separators = list(_MBOX_FROM.finditer(text))
    if not separators or separators[0].start() != 0:
        yield 0, text
        return
    for i, separator in enumerate(separators):
        end = separators[i + 1].start() if i + 1 < len(separators) else len(text)
        yield separator.end(), text[separator.end():end]


def _units(chunk: str, offset: int, label: str, prepare: Prepare) -> list[Prepared]:
    """The raw unit of one message (its bodies in place, the rest blank) and one unit per decoded part."""
    bodies = _bodies(chunk)
    if label:  # a message of an mbox
        bodies = [_unescaped(body) for body in bodies]
    in_place = [b for b in bodies if b.raw_at is not None]
    decoded = [b for b in bodies if b.raw_at is None]
    units = []
    if in_place:
        units.append(_in_place(chunk, in_place, offset, prepare))
    for body in decoded:
        unit = prepare(body.text, body.kind)
        units.append(Prepared(unit.text, unit.starts, unit.ends, 0, label + body.section, body.text))
    return units


def _in_place(chunk: str, bodies: list[_Body], offset: int, prepare: Prepare) -> Prepared:
    """The message with every body prepared where it stands and everything else (headers, other parts) blank."""
    pieces: list[tuple[Prepared, int]] = []  # (prepared piece, where its original starts)
    directives: list[str] = []
    position = 0
    for body in sorted(bodies, key=lambda b: b.raw_at or 0):
        at = body.raw_at or 0
        gap = _blank(chunk[position:at])
        pieces += [(Prepared(gap), position), (prepare(body.text, body.kind), at)]
        directives += [gap, body.text]
        position = at + len(body.text)
    tail = _blank(chunk[position:])
    pieces.append((Prepared(tail), position))
    directives.append(tail)
    if all(piece.starts is None for piece, _ in pieces):
        # Every piece kept its length: the prepared message lines up with the original.
        text, starts, ends = "".join(piece.text for piece, _ in pieces), None, None
    else:
        builder = Builder()
        for piece, at in pieces:
            builder.mapped(piece, at)
        built = builder.build()
        text, starts, ends = built.text, built.starts, built.ends
    return Prepared(text, starts, ends, offset, None, None, "".join(directives))


def _unescaped(body: _Body) -> _Body:
    """An mbox body with its ">From " lines read back as "From "."""
    if body.raw_at is not None:  # in place: the ">" becomes a space, every offset stays
        text = _ESCAPED_FROM.sub(lambda m: " " + m.group(1), body.text)
    else:
        text = _ESCAPED_FROM.sub(r"\1", body.text)
    return _Body(body.section, body.kind, text, body.raw_at)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _bodies(chunk: str) -> list[_Body]:
    """The linted bodies of one message, in file order."""
    raw = chunk.encode("utf-8", "surrogateescape")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    header_end = _HEADER_END.search(raw)
    cursor = header_end.end() if header_end else len(raw)
    bodies = []
    for section, part in _lintable(message, ""):
        text = _decoded(part)
        if not text.strip():
            continue
        # Parts appear in the file in walk order, so each body is looked for after the last.
        body_bytes = _raw_bytes(part)
        found = raw.find(body_bytes, cursor) if body_bytes else -1
        raw_at = None
        if found >= 0:
            cursor = found + len(body_bytes)
            if body_bytes.decode("utf-8", "surrogateescape") == text:
                raw_at = len(raw[:found].decode("utf-8", "surrogateescape"))
        kind = "html" if part.get_content_type() == "text/html" else "plain"
        bodies.append(_Body(section, kind, text, raw_at))
    return bodies


_ENCODED = {"quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"}


def _raw_bytes(part: Message) -> bytes:
    """The part's body as it is in the file (still transfer-encoded)."""
    if str(part.get("content-transfer-encoding", "")).strip().lower() in _ENCODED:
        payload = part.get_payload(decode=False)
        try:
            return payload.encode("ascii") if isinstance(payload, str) else b""
        except UnicodeEncodeError:  # 8-bit bytes inside an encoded body: not locatable
            return b""
    # 7bit, 8bit, binary: "decoding" returns the bytes as they came.
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _decoded(part: Message) -> str:
    """The part's text: transfer encoding and charset undone (unknown charsets read as UTF-8)."""
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
    except (LookupError, ValueError, AssertionError):
        content = None
    if isinstance(content, str):
        return content
    data = part.get_payload(decode=True) or b""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)


def _lintable(part: Message, section: str) -> Iterator[tuple[str, Message]]:
    """(section, part) for every text part worth linting under ``part``."""
    # Attachments, and messages inside this one (a forwarded mail), are not the agent's words.
    if part.get_content_disposition() == "attachment" or part.get_content_maintype() == "message":
        return
    ctype = part.get_content_type()
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        numbered = [(f"{section}.{i}" if section else str(i), child) for i, child in enumerate(children, 1)]
        if ctype == "multipart/alternative":
            # Alternatives say the same thing: lint one, the plain text if there is one.
            options = [list(_lintable(child, number)) for number, child in numbered]
            for wanted in ("text/plain", None):
                for found in options:
                    if found and (wanted is None or any(p.get_content_type() == wanted for _, p in found)):
                        yield from found
                        return
            return
        for number, child in numbered:
            yield from _lintable(child, number)
        return
    if ctype in ("text/plain", "text/html"):
        yield (section or "1"), part

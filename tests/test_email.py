"""Saved e-mail (.eml, .mbox) through the `email` package, in real CLI runs.

The messages are built with the standard library's ``email`` API in the shapes
Gmail, Outlook and Apple Mail export (their headers, multipart structure,
transfer encodings, charsets, line ends and reply quoting) and saved as files.
Every finding is checked against the file: offsets into the file itself where
the part is stored as is, or into the named MIME part's decoded text.
"""

from __future__ import annotations

import json
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tonecheck import Linter

from conftest import run_cli

WHEN = format_datetime(datetime(2025, 2, 3, 10, 41, tzinfo=timezone.utc))


def lint(path: Path, *args: str) -> tuple[int, list[dict]]:
    proc = run_cli("check", str(path), "--format", "json", *args, cwd=path.parent)
    assert proc.returncode in (0, 1), proc.stderr
    [result] = json.loads(proc.stdout)["results"]
    return proc.returncode, result["findings"]


def section(message: Message, number: str) -> Message:
    """The MIME part at an IMAP-style section number ("1", "2.1"), found independently of tonecheck."""
    part = message
    for index in number.split("."):
        if part.is_multipart():
            part = part.get_payload()[int(index) - 1]
        else:
            assert index == "1"
    return part


def assert_located(path: Path, findings: list[dict]) -> None:
    """Each finding's offsets point at its match: in the file, or in the decoded part it names."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", "surrogateescape")
    for f in findings:
        if f["part"] is None:
            assert text[f["start"]:f["end"]] == f["match"], f
            line = text.split("\n")[f["line"] - 1]
            assert line[f["column"] - 1:].startswith(f["match"].split("\n")[0].rstrip("\r")), f
        else:
            message = BytesParser(policy=policy.default).parsebytes(raw)
            decoded = section(message, f["part"]).get_content()
            assert decoded[f["start"]:f["end"]] == f["match"], f


def save(path: Path, message: EmailMessage, *, crlf: bool) -> Path:
    path.write_bytes(message.as_bytes(policy=policy.SMTP if crlf else policy.default))
    return path


# -- the new user's first try ----------------------------------------------------


def test_a_saved_message_is_linted_below_its_headers(tmp_path):
    """The issue's case: a .eml with the usual headers used to be blanked whole and exit 0."""
    message = EmailMessage()
    message["From"] = "Sam Ortiz <sam@support.example.com>"
    message["To"] = "Chris Patel <chris@example.com>"
    message["Date"] = WHEN
    message["Subject"] = "You're the only customer who complained"  # headers are never linted
    message.set_content("Hi Chris,\n\nYou're the only customer who has had this problem.\n\nSam\n")
    path = save(tmp_path / "reply.eml", message, crlf=False)
    code, findings = lint(path)
    assert code == 1
    assert [(f["rule"], f["match"], f["line"], f["part"]) for f in findings] == [
        ("isolating.you-alone", "You're the only customer", 11, None),  # 7 header lines, a blank, then the body
    ]
    assert_located(path, findings)


# -- Gmail: multipart/alternative, both parts quoted-printable, CRLF ------------------


def gmail_message() -> EmailMessage:
    message = EmailMessage()
    for name, value in [
        ("Delivered-To", "chris@example.com"),
        ("Received", "by 2002:a05:6a10:8e0e:b0:5d1:2b3c:4d5e with SMTP id k14csp123456pxb; Mon, 3 Feb 2025 02:41:07 -0800 (PST)"),
        ("X-Google-Smtp-Source", "AGHT+IF3x7Qe5pXhTm1hZ2Vz"),
        ("MIME-Version", "1.0"),
        ("References", "<CAF=abc123@mail.gmail.com>"),
        ("In-Reply-To", "<CAF=abc123@mail.gmail.com>"),
        ("From", "Sam Ortiz <sam.ortiz@gmail.com>"),
        ("Date", WHEN),
        ("Message-ID", "<CAH+def456=XyZ@mail.gmail.com>"),
        ("Subject", "Re: Refund for order #48213"),
        ("To", "Chris Patel <chris@example.com>"),
    ]:
        message[name] = value
    plain = (
        "Hi Chris,\n\n"
        "I’ve refunded the late fee — you’ll see it in 3–5 working days. Honestly, you’re the only customer "
        "who has had this problem, so please calm down.\n\n"
        "Best,\nSam\n\n"
        "On Mon, 3 Feb 2025 at 09:12, Chris Patel <chris@example.com> wrote:\n"
        "> This is ridiculous. Calm down? You are the worst company and you're the only one who can fix it.\n"
    )
    html = (
        '<div dir="ltr"><div>Hi Chris,</div><div><br></div><div>I’ve refunded the late fee. Honestly, '
        "you’re the only customer who has had this problem, so please calm down.</div></div><br>"
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 3 Feb 2025 at 09:12, Chris Patel '
        '&lt;<a href="mailto:chris@example.com">chris@example.com</a>&gt; wrote:<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">This is ridiculous. Calm down?</blockquote></div>\n'
    )
    message.set_content(plain, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def test_gmail_export_lints_the_plain_alternative_decoded_and_not_the_quote(tmp_path):
    path = save(tmp_path / "gmail.eml", gmail_message(), crlf=True)
    raw = path.read_bytes().decode("ascii")
    assert "=E2=80=99" in raw and "=\r\n" in raw  # quoted-printable, with soft line breaks
    code, findings = lint(path)
    assert code == 1
    # Only the plain alternative (part 1), decoded: the soft line break no longer splits a word,
    # and nothing from the quoted customer message or the HTML alternative.
    assert [(f["rule"].split(".")[0], f["match"], f["part"]) for f in findings] == [
        ("isolating", "you’re the only customer", "1"),
        ("inflammatory", "calm down", "1"),
    ]
    assert findings[0]["line"] == 3
    assert_located(path, findings)


def test_text_output_names_the_part_and_shows_its_decoded_line(tmp_path):
    path = save(tmp_path / "gmail.eml", gmail_message(), crlf=True)
    out = run_cli("check", "gmail.eml", cwd=tmp_path).stdout.splitlines()
    assert out[0].startswith("gmail.eml#1:3:")
    assert out[1].startswith("  3 | I’ve refunded the late fee — you’ll see it in 3–5 working days.")


def test_html_alternative_is_linted_when_there_is_no_plain_one(tmp_path):
    message = gmail_message()
    html_only = EmailMessage()
    for name in ("From", "To", "Date", "Subject", "Message-ID"):
        html_only[name] = message[name]
    html_only.set_content(
        "<p>Hi Chris,</p>\n<p>I have re-sent the invoice.\nCalm&nbsp;down, it is on its way.</p>\n"
        "<blockquote>you're the only one, wrote the customer</blockquote>\n",
        subtype="html",
    )
    assert html_only["Content-Transfer-Encoding"] == "7bit"
    path = save(tmp_path / "html-only.eml", html_only, crlf=False)
    code, findings = lint(path)
    # 7bit UTF-8 HTML is in the file as is: offsets into the file, through the HTML path
    # (the non-breaking space counts as a space, the blockquote is skipped).
    assert [(f["rule"], f["match"], f["part"]) for f in findings] == [("inflammatory.command", "Calm&nbsp;down", None)]
    assert_located(path, findings)


# -- Outlook: multipart/mixed with an attachment, 7bit us-ascii, CRLF, Outlook reply header ---


def outlook_message() -> EmailMessage:
    message = EmailMessage()
    for name, value in [
        ("From", "Support Team <support@contoso.com>"),
        ("To", "Chris Patel <chris@example.com>"),
        ("Subject", "RE: Damaged parcel"),
        ("Thread-Topic", "Damaged parcel"),
        ("Thread-Index", "AQHbdXJ0c3VwcG9ydA=="),
        ("Date", WHEN),
        ("Message-ID", "<DB9PR01MB1234ABCD@DB9PR01MB1234.eurprd01.prod.outlook.com>"),
        ("Accept-Language", "en-GB, en-US"),
        ("Content-Language", "en-GB"),
        ("X-MS-Has-Attach", "yes"),
        ("X-MS-TNEF-Correlator", ""),
        ("MIME-Version", "1.0"),
    ]:
        message[name] = value
    plain = (
        "Hello Chris,\n\n"
        "We have looked at the photos. This is entirely our fault and we will cover all damages.\n\n"
        "Kind regards,\nSupport Team\n\n"
        "________________________________\n"
        "From: Chris Patel <chris@example.com>\n"
        "Sent: Monday, February 3, 2025 9:12 AM\n"
        "To: Support Team <support@contoso.com>\n"
        "Subject: Damaged parcel\n\n"
        "Calm down? You are the only customer service that cannot read a photo.\n"
    )
    message.set_content(plain, charset="us-ascii", cte="7bit")
    message.add_alternative(
        "<html><body><p>Hello Chris,</p><p>This is entirely our fault and we will cover all damages.</p></body></html>",
        subtype="html", cte="quoted-printable",
    )
    message.add_attachment(
        b"Driver note: the customer is the only one who complained, tell them to calm down.",
        maintype="text", subtype="plain", filename="driver-note.txt",
    )
    message.add_attachment(b"%PDF-1.4 you're the only customer\n%%EOF", maintype="application", subtype="pdf", filename="label.pdf")
    return message


def test_outlook_export_points_into_the_file_and_skips_attachments_and_the_quoted_mail(tmp_path):
    path = save(tmp_path / "outlook.eml", outlook_message(), crlf=True)
    raw = path.read_bytes().decode("utf-8")
    assert "\r\n" in raw and 'filename="driver-note.txt"' in raw
    code, findings = lint(path)
    assert code == 1
    # 7bit ASCII: offsets and lines are the file's own. The attachments (a text one too)
    # and everything under the Outlook reply header are left out.
    assert [(f["rule"], f["match"], f["part"]) for f in findings] == [
        ("liability.our-fault", "is entirely our fault", None),
        ("liability.cover-all-damages", "cover all damages", None),
    ]
    assert all(raw.count("\n", 0, f["start"]) + 1 == f["line"] for f in findings)
    assert_located(path, findings)


def test_github_annotations_for_an_eml_point_at_real_file_lines(tmp_path):
    path = save(tmp_path / "outlook.eml", outlook_message(), crlf=True)
    out = run_cli("check", "outlook.eml", "--format", "github", cwd=tmp_path).stdout.splitlines()
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    for annotation in out:
        line = int(annotation.split("line=")[1].split(",")[0])
        assert "entirely our fault" in lines[line - 1] or "cover all damages" in lines[line - 1]


# -- Apple Mail: multipart/mixed split around an inline image, 8bit UTF-8, LF ----------


def apple_message() -> EmailMessage:
    message = EmailMessage()
    for name, value in [
        ("From", "Sam Ortiz <sam@icloud.com>"),
        ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3731.500.231\\))"),
        ("Subject", "Re: Your café order"),
        ("Date", WHEN),
        ("In-Reply-To", "<1B2C3D4E@example.com>"),
        ("To", "Chris Patel <chris@example.com>"),
        ("Message-Id", "<9A8B7C6D-1234-4ABC-9DEF-0123456789AB@icloud.com>"),
        ("X-Mailer", "Apple Mail (2.3731.500.231)"),
    ]:
        message[name] = value
    message.make_mixed()
    first = EmailMessage()
    first.set_content("Hi Chris,\n\nHere’s the photo of your café order — honestly, you’re the only one who has had this problem.\n",
                      charset="utf-8", cte="8bit")
    image = EmailMessage()
    image.set_content(b"\x89PNG\r\n\x1a\nyou're the only one", maintype="image", subtype="png",
                      disposition="inline", filename="IMG_0412.png")
    second = EmailMessage()
    second.set_content(
        "It is only a minor issue, so please be patient.\n\n"
        "> On 3 Feb 2025, at 09:12, Chris Patel <chris@example.com> wrote:\n"
        ">\n> Calm down and read my message.\n",
        charset="us-ascii", cte="7bit",
    )
    for part in (first, image, second):
        message.attach(part)
    return message


def test_apple_mail_export_lints_every_inline_text_part_in_place(tmp_path):
    path = save(tmp_path / "apple.eml", apple_message(), crlf=False)
    code, findings = lint(path)
    assert code == 1
    assert [(f["rule"].split(".")[0], f["match"], f["part"]) for f in findings] == [
        ("isolating", "you’re the only one", None),
        ("denigrating", "only a minor issue", None),
    ]
    assert_located(path, findings)  # non-ASCII before the match: offsets count characters, not bytes


def test_a_latin1_message_is_read_in_its_own_charset(tmp_path):
    message = EmailMessage()
    message["From"] = "Kundenservice <service@example.de>"
    message["To"] = "chris@example.com"
    message["Subject"] = "Ihre Bestellung"
    message["Date"] = WHEN
    message.set_content("Grüße aus München. Honestly, you're the only customer who has complained.\n",
                        charset="iso-8859-1", cte="8bit")
    path = save(tmp_path / "latin1.eml", message, crlf=False)
    assert b"Gr\xfc\xdfe" in path.read_bytes()  # not UTF-8: a plain .txt like this is refused
    code, findings = lint(path)
    assert code == 1
    assert [(f["match"], f["part"]) for f in findings] == [("you're the only customer", "1")]
    assert_located(path, findings)


def test_base64_body_is_decoded_and_offsets_point_into_it(tmp_path):
    message = EmailMessage()
    message["From"] = "a@example.com"
    message["To"] = "b@example.com"
    message["Subject"] = "Re: login"
    message.set_content("Thanks for the logs.\nYou're the only customer who has had this problem.\n", cte="base64")
    path = save(tmp_path / "b64.eml", message, crlf=False)
    assert "You're" not in path.read_text()
    code, findings = lint(path)
    assert [(f["match"], f["part"], f["line"], f["column"]) for f in findings] == [("You're the only customer", "1", 2, 1)]
    assert_located(path, findings)


# -- mbox ---------------------------------------------------------------------------


def test_mbox_is_a_sequence_of_messages(tmp_path):
    first = EmailMessage()
    first["From"] = "sam@example.com"
    first["To"] = "chris@example.com"
    first["Subject"] = "Re: one"
    first["Date"] = WHEN
    first.set_content("As far as I can see, we guarantee delivery tomorrow.\n")
    second = EmailMessage()
    second["From"] = "sam@example.com"
    second["To"] = "pat@example.com"
    second["Subject"] = "Re: two"
    second.set_content("Please calm down, the refund is on its way.\n", cte="base64")
    third = EmailMessage()
    third["From"] = "sam@example.com"
    third["To"] = "lee@example.com"
    third["Subject"] = "Re: three"
    third.set_content("All sorted, thanks for waiting.\n")
    path = tmp_path / "sent.mbox"
    with path.open("wb") as out:
        for message in (first, second, third):
            out.write(b"From sam@example.com Mon Feb  3 10:41:00 2025\n")
            out.write(message.as_bytes(policy=policy.default) + b"\n")
    code, findings = lint(path)
    assert code == 1
    assert [(f["rule"].split(".")[0], f["part"]) for f in findings] == [("liability", None), ("inflammatory", "2/1")]
    text = path.read_text()
    assert text[findings[0]["start"]:findings[0]["end"]] == findings[0]["match"] == "we guarantee delivery"
    assert findings[1]["match"] == "calm down"


def test_mbox_escaped_from_lines_are_the_agents_words_not_quotes(tmp_path):
    # mboxo/mboxrd write a body line that starts with "From " as ">From ", which the
    # reply conventions would otherwise blank as a quoted line.
    path = tmp_path / "sent.mbox"
    path.write_bytes(
        b"From sam@example.com Mon Feb  3 10:41:00 2025\n"
        b"From: sam@example.com\nTo: chris@example.com\nSubject: Re: one\n\n"
        b"Thanks for the photos.\n"
        b">From what I can see, you're the only customer who has had this problem.\n"
        b"> On Monday you wrote: calm down\n\n"
        b"From sam@example.com Mon Feb  3 11:02:00 2025\n"
        b"From: sam@example.com\nTo: pat@example.com\nSubject: Re: two\n\n"
        b"All sorted.\n"
    )
    code, findings = lint(path)
    assert code == 1
    assert [(f["rule"].split(".")[0], f["line"]) for f in findings] == [("isolating", 7)]
    assert_located(path, findings)


# -- what is and is not a message ----------------------------------------------------


@pytest.mark.parametrize("draft", [
    "Note: you're the only customer who has complained.\n\nThanks",
    "From: the support team\nYou're the only customer who has complained.",
    "Subject: refund\n\nYou're the only customer who has complained.",
])
def test_drafts_that_merely_start_like_headers_are_still_drafts(linter, draft):
    # A header block needs From: and another message field; otherwise it is prose.
    assert [f.part for f in linter.check(draft, input_format="email").findings] == [None]


def test_api_reads_messages_and_txt_files_holding_one(linter, tmp_path):
    raw = outlook_message().as_string(policy=policy.SMTP)
    assert [f.rule for f in linter.check(raw, input_format="email").findings] == [
        "liability.our-fault", "liability.cover-all-damages",
    ]
    assert linter.check(raw).findings == linter.check(raw, input_format="email").findings  # auto sees the headers
    path = tmp_path / "pasted.txt"
    path.write_text(raw, newline="")
    code, findings = lint(path)
    assert [f["rule"] for f in findings] == ["liability.our-fault", "liability.cover-all-damages"]


def test_inline_suppressions_inside_a_message_body(tmp_path):
    message = EmailMessage()
    message["From"] = "sam@example.com"
    message["To"] = "chris@example.com"
    message["Subject"] = "Terms"
    message.set_content(
        "<p><!-- tonecheck-disable-next-line liability -->\nWe accept liability for the delay as set out in section 4.</p>"
        "<p><!-- tonecheck-disable isolating --></p>",
        subtype="html",
    )
    path = save(tmp_path / "terms.eml", message, crlf=False)
    code, findings = lint(path)
    assert [(f["rule"], f["match"]) for f in findings] == [
        ("tonecheck.unused-suppression", "<!-- tonecheck-disable isolating -->"),
    ]
    assert_located(path, findings)


def test_many_messages_through_check_many_match_check(linter):
    texts = [gmail_message().as_string(policy=policy.SMTP), outlook_message().as_string(), "ur the only one"]
    assert [r.findings for r in linter.check_many(texts, input_format="email")] == [
        linter.check(t, input_format="email").findings for t in texts
    ]


def test_an_attachment_only_message_has_nothing_to_lint(tmp_path):
    message = EmailMessage()
    message["From"] = "sam@example.com"
    message["To"] = "chris@example.com"
    message["Subject"] = "Label"
    message.add_attachment(b"you're the only customer", maintype="text", subtype="plain", filename="note.txt")
    path = save(tmp_path / "label.eml", message, crlf=False)
    assert lint(path) == (0, [])


def test_an_encoding_that_changed_nothing_still_points_into_the_file():
    # Quoted-printable of plain ASCII short lines is the text itself: no part needed.
    linter = Linter(builtin=False, packs=[str(Path(__file__).parent / "packs" / "basic.yaml")])
    message = EmailMessage()
    message["From"] = "sam@example.com"
    message["To"] = "chris@example.com"
    message["Subject"] = "Hi"
    message.set_content("ur the only one\n", cte="quoted-printable")
    raw = message.as_string()
    [finding] = linter.check(raw, input_format="email").findings
    assert (finding.rule, finding.part, raw[finding.start:finding.end]) == ("basic.only-one", None, "ur the only one")


def test_findings_in_decoded_parts_are_placed_on_the_file_by_file_located_formats(tmp_path):
    from test_formatters import validate_sarif

    path = save(tmp_path / "gmail.eml", gmail_message(), crlf=True)
    sarif = json.loads(run_cli("check", "gmail.eml", "--format", "sarif", cwd=tmp_path).stdout)
    validate_sarif(sarif)
    result = sarif["runs"][0]["results"][0]
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert result["properties"]["part"] == "1" and result["message"]["text"].startswith("(MIME part 1, line 3, column 75) ")
    github = run_cli("check", "gmail.eml", "--format", "github", cwd=tmp_path).stdout.splitlines()
    assert github[0].startswith("::error file=gmail.eml,title=isolating.you-alone::(MIME part 1, line 3, column 75) ")


def test_the_language_server_path_gives_the_same_findings_and_puts_part_ones_at_the_top(linter):
    from tonecheck.lsp.convert import PositionMap, to_diagnostics

    for message in (gmail_message(), outlook_message()):
        raw = message.as_string(policy=policy.SMTP)
        expected = linter.check(raw, input_format="email").findings
        assert linter.incremental().check(raw, "email") == expected
    raw = gmail_message().as_string(policy=policy.SMTP)
    [first, _] = to_diagnostics(linter.incremental().check(raw, "email"), PositionMap(raw), docs_url="https://x")
    assert (first.range.start.line, first.range.start.character, first.range.end.character) == (0, 0, 0)
    assert first.message.startswith("(MIME part 1, line 3) ")


def test_a_forwarded_message_inside_the_reply_is_not_linted(tmp_path):
    forwarded = EmailMessage()
    forwarded["From"] = "Chris Patel <chris@example.com>"
    forwarded["To"] = "support@example.com"
    forwarded["Subject"] = "Broken again"
    forwarded.set_content("Calm down? You're the only company that cannot ship a kettle.\n")
    message = EmailMessage()
    message["From"] = "Sam Ortiz <sam@example.com>"
    message["To"] = "billing@example.com"
    message["Subject"] = "Fwd: Broken again"
    message.set_content("Forwarding Chris's mail below; the refund is approved.\n")
    message.add_attachment(forwarded, disposition="inline")  # message/rfc822, shown inline
    path = save(tmp_path / "forward.eml", message, crlf=False)
    assert "message/rfc822" in path.read_text()
    assert lint(path) == (0, [])

"""Only the agent's own words are linted; offsets still point into the original."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tonecheck.inputs import format_for_path, prepare

from conftest import PACKS, run_cli

BAD = "ur the only one"


def found(test_linter, text, fmt="auto"):
    return [(f.rule, f.match) for f in test_linter.check(text, input_format=fmt).findings]


def test_quoted_lines_attribution_blocks_and_signatures_are_skipped(test_linter):
    mail = (
        "Hi Chris,\n\nI've unlocked your account.\n\n"
        "On Thu, 6 Feb 2025, Chris Patel wrote:\n"
        "ur the only one who gets this wrong\n"
        "> and ur the only one again\n"
    )
    assert found(test_linter, mail) == []
    quoted = "> ur the only one, said the customer\n\nHi Jordan, your parcel is on the van."
    assert found(test_linter, quoted) == []
    signed = "Thanks!\n-- \nSam, ur the only one support agent\n"
    assert found(test_linter, signed) == []
    outlook = "Done.\n\n-----Original Message-----\nFrom: A\nSent: Monday\nur the only one\n"
    assert found(test_linter, outlook) == []


def test_code_blocks_and_inline_code_are_skipped(test_linter):
    text = "```\nlog: ur the only one\n```\nThat log line is harmless; `ur the only one` too."
    assert found(test_linter, text) == []


def test_placeholders_stand_in_as_words(test_linter):
    text = "{{customer.first_name}}, ur the only one who can't log in."
    [(rule, match)] = found(test_linter, text)
    assert match == BAD
    assert found(test_linter, "Hi {{ticket.requester.name}}, thanks for writing.") == []
    assert found(test_linter, "{% comment %}ur the only one{% endcomment %}Thanks!") == []


def test_html_tags_scripts_and_blockquotes_are_skipped(test_linter):
    html = (
        "<html><head><style>.x{}</style></head><body><p>Hi Sam,</p>"
        "<blockquote>ur the only one, wrote the customer</blockquote>"
        '<p title="ur the only one">All sorted.</p><script>var a = "ur the only one";</script>'
        "<p>But <b>ur the only one</b> with a refund today.</p></body></html>"
    )
    [(rule, match)] = found(test_linter, html, "html")
    assert match == BAD


def test_plain_text_format_keeps_quotes(test_linter):
    assert found(test_linter, "> ur the only one", "text") == [("basic.only-one", BAD)]


@pytest.mark.parametrize(
    "path,expected",
    [("a.md", "markdown"), ("a.HTML", "html"), ("a.eml", "email"), ("a.txt", "auto"), ("-", "auto"), (None, "auto")],
)
def test_format_by_extension(path, expected):
    assert format_for_path(path) == expected
    assert format_for_path(path, "text") == "text"


def test_cli_input_format_flag(tmp_path):
    draft = tmp_path / "reply.txt"
    draft.write_text("> ur the only one\nHello")
    args = ["--no-builtin", "--pack", str(PACKS / "basic.yaml")]
    assert run_cli("check", str(draft), *args).returncode == 0
    assert run_cli("check", str(draft), "--input-format", "text", *args).returncode == 1


_plain = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<>{}`%\r"), max_size=40).map(
    lambda s: s.replace("\n", " ")
)


@settings(max_examples=60, deadline=None)
@given(before=_plain, after=_plain, fmt=st.sampled_from(["auto", "text", "email", "markdown", "html"]),
       wrap=st.sampled_from(["{}", "<p>{}</p>", "**{}**", "Hi {{{{name}}}}, {}", "\n\n{}\n\n"]))
def test_reported_span_is_exactly_the_phrase_in_the_original(test_linter, before, after, fmt, wrap):
    body = wrap.format(f"{before}. {BAD}. {after}")
    text = body if fmt != "email" else body + "\n\nOn Mon, Sam wrote:\n> ur the only one\n"
    prepared = prepare(text, fmt)
    assert len(prepared) == len(text)
    matches = [f for f in test_linter.check(text, input_format=fmt).findings if f.rule == "basic.only-one"]
    assert matches, (text, prepared)
    for f in matches:
        assert text[f.start:f.end] == f.match == BAD

"""Only the agent's own words are linted; offsets still point into the original."""

from __future__ import annotations

import pytest
import html as html_module
import re

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


# -- the position property: random documents of each format around a known phrase

_WORDS = ["thanks", "order", "refund", "today", "we", "sent", "your", "parcel", "café", "naïve", "🙂", "日本",
          "ticket", "update", "soon", "and", "the", "is", "on", "way", "🚀"]
_sentence = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(lambda ws: " ".join(ws).capitalize() + ".")
_prose = st.lists(_sentence, max_size=3).map(" ".join)
_placeholder = st.sampled_from(["{{customer.first_name}}", "{{ ticket.id }}", "{{{agent}}}", "{% if vip %}"])
# Where each format may hide the phrase: none of these may be flagged.
_HIDDEN = {
    "text": ["{{ '" + BAD + "' }}", "{% comment %}" + BAD + "{% endcomment %}"],
    "email": ["\n\n> " + BAD + "\n"],
    "markdown": ["\n\n```\n" + BAD + "\n```\n\n", "`" + BAD + "`", "[a link](https://x.io/" + BAD.replace(" ", "-") + ")",
                 "<!-- " + BAD + " -->", "\n\n> " + BAD + "\n\n", "\n\n    " + BAD + "\n\n"],
    "html": ["<blockquote>" + BAD + "</blockquote>", '<a title="' + BAD + '">x</a>', "<!-- " + BAD + " -->",
             "<script>'" + BAD + "'</script>", "<style>/* " + BAD + " */</style>"],
}
_HTML_SPELLINGS = [BAD, "&#117;r the only one", "ur the only&#x20;one", "ur <b>the only</b> one", "ur the <i>only</i> one"]


@st.composite
def _document(draw, fmt):
    """(text, phrase as written): the phrase once in the agent's words, maybe also hidden."""
    phrase = draw(st.sampled_from(_HTML_SPELLINGS)) if fmt == "html" else BAD
    parts = [draw(_prose), draw(_placeholder) + ",", phrase + ".", draw(_prose)]
    if fmt == "markdown":
        parts[2] = draw(st.sampled_from(["{}", "**{}**", "*{}*", "- {}", "## {}"])).format(parts[2])
    if fmt == "html":
        parts = [draw(st.sampled_from(["<p>{}</p>", "<div>{}</div>", "{}"])).format(p) for p in parts]
        parts[0] = draw(st.sampled_from(["", "&amp; ", "Tom &amp; Jerry&rsquo;s ", "&lt;3 "])) + parts[0]
    hidden = draw(st.lists(st.sampled_from(_HIDDEN[fmt] + _HIDDEN["text"]), max_size=2))
    before = draw(st.integers(0, len(hidden)))
    text = " ".join(hidden[:before] + parts + hidden[before:])
    if fmt == "email":
        # An attribution or a signature hides everything after it, so it comes last.
        text += draw(st.sampled_from(["", "\n\nOn Mon, 3 Feb 2025, Sam <s@x.io> wrote:\n" + BAD + "\n",
                                      "\n-- \nSam, " + BAD + "\n", "\n-----Original Message-----\n" + BAD]))
    return text, phrase


def _visible(span: str) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]*>", "", span)).split())


@pytest.mark.parametrize("fmt", ["text", "email", "markdown", "html", "auto"])
def test_reported_span_is_exactly_the_phrase_in_the_original(test_linter, fmt):
    source = "text" if fmt == "auto" else fmt

    @settings(max_examples=40, deadline=None)
    @given(_document(source))
    def check(document):
        text, phrase = document
        found = [f for f in test_linter.check(text, input_format=fmt).findings if f.rule == "basic.only-one"]
        assert len(found) == 1, (text, found)
        f = found[0]
        assert text[f.start:f.end] == f.match == phrase
        assert _visible(f.match) == BAD
        lines = text.split("\n")
        assert lines[f.line - 1][f.column - 1:].startswith(phrase.split("\n")[0])

    check()


# -- realistic samples, one per format ----------------------------------------

HELPDESK_HTML = """<div dir="ltr"><p>Hi {{ticket.requester.first_name}},</p>
<p>I&rsquo;ve re-sent the invoice &amp; refunded the late fee. Honestly, you&#39;re the only customer
who has had this problem, so please calm down.</p>
<p>Best,<br>Sam</p>
<div class="gmail_quote">On Mon, 3 Feb 2025 at 09:12, Chris wrote:<br>
<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">
<p>This is ridiculous, your app is pathetic and I want my money back NOW.</p>
</blockquote></div></div>
<style>p { color: #333 } /* calm down */</style>"""

MARKDOWN_MACRO = """## Password reset

Hi {{ customer.name }}, thanks for the logs.

```
ERROR: calm down, retry limit reached for user (you're the only one)
```

Run `tonecheck --calm-down` and see [the guide](https://help.example.com/calm-down).

> Customer wrote: you are all idiots.

Honestly, you're the only one who has reported this.
"""

PLAIN_EMAIL = """Hi Chris,

I've refunded the late fee; you'll see it in 3-5 days. Please calm down.

Sam
--
Sam Ortiz | Support | calm down, we're on it

On Mon, 3 Feb 2025, Chris Patel <chris@example.com> wrote:
> You are the worst company. You're the only one who can fix this, calm down.
"""

LIQUID_MACRO = """{% comment %}Macro: refund declined. Calm down is banned here.{% endcomment %}
Hi {{ ticket.requester.first_name | default: "there" }},
{% if ticket.priority == "urgent" %}{{ customer.first_name }}, you're the only one who has asked for this.{% endif %}
{% assign calm = "calm down" %}Thanks for your patience.
"""


def rules_found(linter, text, fmt):
    return [(f.rule, f.match) for f in linter.check(text, input_format=fmt).findings]


def test_helpdesk_html_reply_with_quoted_customer_message(linter):
    found = linter.check(HELPDESK_HTML, input_format="html").findings
    assert [f.rule.split(".")[0] for f in found] == ["isolating", "inflammatory"]
    assert found[0].match == "you&#39;re the only customer"
    assert found[1].match == "calm down"
    assert all(f.start > HELPDESK_HTML.index("<p>I&rsquo;ve") for f in found)
    assert found[1].end < HELPDESK_HTML.index("gmail_quote")  # nothing from the quote, nothing from <style>
    assert '"you\'re the only customer"' in found[0].message  # decoded in the message
    assert linter.check(HELPDESK_HTML).findings == found  # auto recognises the markup


def test_markdown_macro_with_code_block(linter):
    # Only the last line is the agent's: the fence, inline code, link target and quote are not.
    found = linter.check(MARKDOWN_MACRO, input_format="markdown").findings
    assert [(f.rule, f.match, f.line, f.column) for f in found] == [
        ("isolating.you-alone", "you're the only one", 13, 11)
    ]


def test_plain_email_with_attribution_and_signature(linter):
    found = linter.check(PLAIN_EMAIL, input_format="email").findings
    assert [(f.rule.split(".")[0], f.match, f.line) for f in found] == [("inflammatory", "calm down", 3)]


def test_liquid_macro(linter):
    found = linter.check(LIQUID_MACRO, input_format="text").findings
    assert [(f.rule.split(".")[0], f.line) for f in found] == [("isolating", 3)]
    assert found[0].match.startswith("you're the only one")


# -- inline suppressions ---------------------------------------------------------


def test_disable_enable_block_and_unused_report(test_linter):
    text = (
        "<!-- tonecheck-disable basic.only-one -->\nur the only one\n<!-- tonecheck-enable -->\n"
        "ur the only one again\n<!-- tonecheck-disable isolating -->\nAll fixed.\n"
    )
    found = test_linter.check(text, input_format="markdown").findings
    assert [(f.rule, f.line) for f in found] == [("basic.only-one", 4), ("tonecheck.unused-suppression", 5)]
    unused = found[1]
    assert unused.match == "<!-- tonecheck-disable isolating -->"
    assert "isolating" in unused.message and unused.suggestions == [""]


def test_disable_next_line_and_liquid_comment(test_linter):
    text = "<!-- tonecheck-disable-next-line -->\nur the only one\nur the only one\n"
    assert [f.line for f in test_linter.check(text).findings] == [3]
    liquid = "{% comment %}tonecheck-disable basic{% endcomment %}Hi {{name}}, ur the only one."
    assert test_linter.check(liquid, input_format="text").findings == []
    html = "<p>Hi</p><!-- tonecheck-disable-next-line basic.only-one -->\n<p>ur the only one</p>"
    assert test_linter.check(html, input_format="html").findings == []


def test_api_suppressions_for_compose_boxes(test_linter):
    assert test_linter.check("ur the only one", suppressions=["isolating"]).findings == []
    assert test_linter.check("ur the only one", suppressions=["basic.only-one"]).findings == []
    # An API suppression is policy applied to many texts: unused is not an error there.
    assert test_linter.check("All fixed.", suppressions=["isolating"]).findings == []
    assert len(test_linter.check("ur the only one", suppressions=["denigrating"]).findings) == 1


def test_unused_suppression_can_be_ignored(tmp_path):
    from tonecheck import Linter

    quiet = Linter(builtin=False, packs=[str(PACKS / "basic.yaml")], ignore=["tonecheck.unused-suppression"])
    assert quiet.check("<!-- tonecheck-disable -->All fixed.").findings == []


def test_cli_reads_html_by_extension_and_reports_original_positions(tmp_path):
    reply = tmp_path / "reply.html"
    reply.write_text(HELPDESK_HTML, encoding="utf-8")
    proc = run_cli("check", str(reply), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    import json

    findings = json.loads(proc.stdout)["results"][0]["findings"]
    assert [(f["line"], f["match"]) for f in findings] == [(2, "you&#39;re the only customer"), (3, "calm down")]
    assert all(HELPDESK_HTML[f["start"]:f["end"]] == f["match"] for f in findings)


# -- Unicode spaces and CRLF line ends ---------------------------------------------

SPACES = ["\u00a0", "\u2007", "\u202f", "\u2009", "\u2002", "\u200a", "\u3000", "\u205f"]


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("fmt", ["text", "email", "markdown", "auto"])
def test_unicode_spaces_count_as_spaces_in_every_format(linter, fmt, space):
    text = f"Hi Sam,\n\nPlease calm{space}down, your refund is on its way."
    [finding] = [f for f in linter.check(text, input_format=fmt).findings if f.rule == "inflammatory.command"]
    assert text[finding.start:finding.end] == finding.match == f"calm{space}down"
    assert (finding.line, finding.column) == (3, 8)


@pytest.mark.parametrize("entity", ["&nbsp;", "&#160;", "&#xA0;", "&thinsp;", "&#8239;", "\u00a0"])
def test_nbsp_in_html_counts_as_a_space(linter, entity):
    html = f"<p>Hi Sam,</p><p>Calm{entity}down, please.</p>"
    [finding] = linter.check(html, input_format="html").findings
    assert finding.rule == "inflammatory.command"
    assert html[finding.start:finding.end] == finding.match == f"Calm{entity}down"


def test_crlf_line_ends_wrap_like_lf_and_keep_offsets(linter, tmp_path):
    text = "Hi Sam,\r\n\r\nThanks for waiting. Please calm\r\ndown, and note you're the only\r\ncustomer who asked.\r\n"
    found = linter.check(text).findings
    assert [(f.rule.split(".")[0], f.line) for f in found] == [("inflammatory", 3), ("isolating", 4)]
    assert all(text[f.start:f.end] == f.match for f in found)
    assert found[0].match == "calm\r\ndown"
    # The same through the CLI, with the file's own bytes.
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode())
    import json

    data = json.loads(run_cli("check", str(path), "--format", "json").stdout)
    assert [(f["start"], f["end"]) for f in data["results"][0]["findings"]] == [(f.start, f.end) for f in found]

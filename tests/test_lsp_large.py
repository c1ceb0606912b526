"""The language server under load it must survive: big documents, and broken message framing.

The real server over stdio, driven by pytest-lsp (helpers from test_lsp.py).
Nothing is timed: a big document must not hold up a small one, which is
checked by the order in which their diagnostics arrive; closing it must stop
its work, which is checked by the server's own CPU time staying flat after
the close (read from /proc).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from lsprotocol import types

from test_lsp import BASIC, DEADLINE, ONLY_ONE, OPTIONS, REPO, change, open_doc, published, rng, start, until, workspace  # noqa: F401 (fixture)

SAMPLE = REPO / "tests" / "data" / "agent-replies-sample.jsonl"


def big_text(size: int) -> str:
    """Real replies joined with paragraph breaks, a flagged sentence in every 50th paragraph."""
    rows = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    parts, total, i = [], 0, 0
    while total < size:
        part = ONLY_ONE if i % 50 == 7 else rows[i % len(rows)]
        parts.append(part)
        total += len(part) + 2
        i += 1
    return "\n\n".join(parts)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def logs(client, needle: str) -> list[str]:
    return [m.message for m in client.log_messages if needle in m.message]


@pytest.mark.asyncio
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the server's CPU time from /proc (Linux)")
async def test_a_5_mb_document_never_holds_up_a_small_one_and_closing_it_stops_its_work(workspace: Path):
    client = await start(workspace, OPTIONS)
    try:
        big = open_doc(client, workspace / "thread.txt", big_text(5_000_000))
        small = open_doc(client, workspace / "reply.txt", ONLY_ONE)
        assert len(await published(client, small, 1)) == 1
        assert not [p for p in client.published if p.uri == big], "the small document waited for the big one"
        await until(lambda: logs(client, "thread.txt has"), "the server saying how it lints the big document")
        assert "is linted paragraph by paragraph in the background" in logs(client, "thread.txt has")[0]
        # A second small document, opened while the big one is still being linted, is not held up either.
        other = open_doc(client, workspace / "other.txt", "Hi.\n" + ONLY_ONE)
        assert len(await published(client, other, 1)) == 1
        assert not [p for p in client.published if p.uri == big]

        pid = client._server.pid
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=big)))
        await until(lambda: logs(client, "stopped linting thread.txt (version 1): it was closed"), "the lint to stop")
        await asyncio.sleep(0.5)  # the step in progress finishes
        before = cpu_seconds(pid)
        await asyncio.sleep(2.0)
        assert cpu_seconds(pid) - before < 0.5, "the server kept working on a closed document"
        assert not [p for p in client.published if p.uri == big and p.diagnostics]
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_a_large_document_is_linted_only_where_it_changed(workspace: Path):
    from tonecheck import Linter
    from tonecheck.inputs import prepare
    from tonecheck.incremental import pieces

    client = await start(workspace, {**OPTIONS, "largeDocumentChars": 2_000})
    try:
        text = big_text(60_000)
        uri = open_doc(client, workspace / "long.txt", text)
        first = await published(client, uri, 1)
        expected = Linter(builtin=False, packs=[BASIC]).check(text).findings
        assert [(d.range.start.line, d.range.start.character) for d in first] == [(f.line - 1, f.column - 1) for f in expected]
        total = len(pieces(prepare(text).text))  # paragraphs, and lines within them
        await until(lambda: logs(client, "long.txt (version 1): linted"), "the first pass")
        assert logs(client, "long.txt (version 1): linted")[0].endswith(f"linted {total:,} of {total:,} paragraphs; 0 unchanged")
        # One edit in one paragraph: only that paragraph is linted again.
        line = text[: text.index(ONLY_ONE)].count("\n")
        change(client, uri, 2, rng((line, 0), (line, 6)), "We're")
        second = await published(client, uri, 2)
        assert len(second) == len(first) - 1
        assert logs(client, "long.txt (version 2): linted")[0].endswith(f"linted 1 of {total:,} paragraphs; {total - 1:,} unchanged")
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_a_change_stops_the_lint_of_the_old_version(workspace: Path):
    from tonecheck import Linter

    client = await start(workspace, {**OPTIONS, "debounceMs": 0})
    try:
        text = big_text(3_000_000)
        uri = open_doc(client, workspace / "thread.txt", text)
        await until(lambda: logs(client, "thread.txt has"), "the big lint to start")
        change(client, uri, 2, rng((0, 0), (0, 0)), "Hello. ")
        await until(lambda: logs(client, "stopped linting thread.txt (version 1): it changed"), "the old lint to stop")
        diagnostics = await published(client, uri, 2)
        expected = Linter(builtin=False, packs=[BASIC]).check_many(["Hello. " + p for p in text.split("\n\n")[:1]] + text.split("\n\n")[1:])
        assert len(diagnostics) == sum(len(r.findings) for r in expected)
        assert [p.version for p in client.published if p.uri == uri] == [2], "an old version was published"
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_a_large_document_that_can_only_be_linted_whole_says_why(workspace: Path):
    client = await start(workspace, {**OPTIONS, "largeDocumentChars": 2_000})
    try:
        html = "<html><body>" + "".join(f"<p>{ONLY_ONE} {i}</p>\n" for i in range(200)) + "</body></html>"
        uri = open_doc(client, workspace / "page.html", html, language="html")
        assert await published(client, uri, 1) == []
        shown = [m.message for m in client.messages if "page.html is not linted" in m.message]
        assert shown and "it is HTML" in shown[0] and "Raise largeDocumentChars to lint it anyway" in shown[0]
    finally:
        await client.shutdown_session()
        await client.stop()


async def raw_frame(client, body: bytes, length: int) -> None:
    """Write one message with a given (possibly wrong) Content-Length straight to the server's stdin."""
    client._server.stdin.write(b"Content-Length: %d\r\n\r\n" % length + body)
    await client._server.stdin.drain()


def _notification(uri: str, text: str) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "plaintext", "version": 1, "text": text}}}).encode()


@pytest.mark.asyncio
@pytest.mark.parametrize("error", [-10, +25], ids=["too short", "too long"])
async def test_a_wrong_content_length_does_not_silence_the_server(workspace: Path, error: int):
    client = await start(workspace, OPTIONS)
    try:
        bad = (workspace / "bad.txt").as_uri()
        body = _notification(bad, ONLY_ONE)
        await raw_frame(client, body, len(body) + error)
        # The next well-formed messages are read and answered.
        uri = open_doc(client, workspace / "after.txt", ONLY_ONE)
        assert len(await published(client, uri, 1)) == 1
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=3),
        ))
        assert hover is not None and "basic.only-one" in hover.contents.value
        if error > 0:  # a body read too long still held the whole message: it was handled
            assert len(await published(client, bad, 1)) == 1
    finally:
        # A server that lost the framing would never answer `shutdown`: fail, do not hang.
        await asyncio.wait_for(client.shutdown_session(), DEADLINE)
        await client.stop()

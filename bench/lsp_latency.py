"""Language server latency: didChange -> publishDiagnostics on a 1,000-word draft.

    python bench/lsp_latency.py                 # 200 edits, the default debounce
    python bench/lsp_latency.py --edits 500 --debounce-ms 50

Starts the real server (`tonecheck lsp`) over stdio, opens a draft of about
1,000 words of real agent replies (../shared/data/agent-replies.jsonl; the
examples/ folder when that is absent), then types: each edit inserts a word at
a random place (every fifth one a phrase a rule flags), sends didChange, and
waits for the diagnostics of that version before the next edit. The latency of
an edit is the time from sending didChange to receiving its diagnostics, minus
the debounce delay the server waits on purpose. The first `warmup` edits are
not counted (first-use caches). Target: p95 <= 30 ms.

For comparison it also reports the engine's time to lint the whole draft once
(`Linter.check`, in this process): what every edit would cost without the
server's paragraph reuse.

`measure()` returns the numbers as a dict; bench/run.py calls it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REPLIES = REPO.parent / "shared" / "data" / "agent-replies.jsonl"
WORDS = ["really", "today", "again", "please", "kindly", "soon", "also", "now"]
FLAGGED = "You're the only one who has complained"


def draft(words: int) -> str:
    """About ``words`` words of real replies, one paragraph each."""
    if REPLIES.is_file():
        rows = [json.loads(line)["text"] for line in REPLIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        rows = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.txt"))]
    parts: list[str] = []
    count = 0
    while count < words:
        row = rows[len(parts) % len(rows)].strip()
        parts.append(row)
        count += len(row.split())
    return "\n\n".join(parts) + "\n"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(words: int = 1000, edits: int = 200, debounce_ms: int | None = None, warmup: int = 5, seed: int = 1) -> dict:
    """p50/p95 didChange -> diagnostics latency in ms, debounce subtracted."""
    return asyncio.run(_measure(words, edits, debounce_ms, warmup, seed))


async def _measure(words: int, edits: int, debounce_ms: int | None, warmup: int, seed: int) -> dict:
    from tonecheck import Linter
    from tonecheck.lsp.convert import PositionMap
    from tonecheck.lsp.settings import ServerSettings

    debounce = ServerSettings().debounce_ms if debounce_ms is None else debounce_ms
    text = draft(words)
    initial_words = len(text.split())
    rng = random.Random(seed)
    arrived: dict[int, float] = {}
    waiting: dict[int, asyncio.Event] = {}

    client = LanguageClient("tonecheck-bench", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None and params.version not in arrived:
            arrived[params.version] = time.perf_counter()
            if params.version in waiting:
                waiting[params.version].set()

    async def diagnostics_for(version: int) -> float:
        event = waiting.setdefault(version, asyncio.Event())
        if version not in arrived:
            await asyncio.wait_for(event.wait(), 120)
        return arrived[version]

    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "XDG_CONFIG_HOME": str(Path(folder) / "config")}
        await client.start_io(sys.executable, "-m", "tonecheck.cli", "lsp", env=env, cwd=folder)
        await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            )),
            root_uri=Path(folder).as_uri(),
            initialization_options={"debounceMs": debounce},
        ))
        client.initialized(types.InitializedParams())
        uri = (Path(folder) / "draft.txt").as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text)
        ))
        await diagnostics_for(1)

        latencies: list[float] = []
        for version in range(2, edits + warmup + 2):
            spaces = [i for i, ch in enumerate(text) if ch == " "]
            at = rng.choice(spaces) + 1
            word = (FLAGGED if version % 5 == 0 else rng.choice(WORDS)) + " "
            position = PositionMap(text).position(at)
            text = text[:at] + word + text[at:]
            sent = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(start=position, end=position), text=word,
                )],
            ))
            received = await diagnostics_for(version)
            if version - 2 >= warmup:
                latencies.append((received - sent) * 1000 - debounce)

        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()

    linter = Linter()
    text = draft(words)
    full = []
    for _ in range(10):
        start = time.perf_counter()
        linter.check(text)
        full.append((time.perf_counter() - start) * 1000)

    return {
        "words": initial_words,
        "edits": len(latencies),
        "debounce_ms": debounce,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "whole_draft_lint_ms": round(statistics.median(full), 1),
        "target_p95_ms": 30,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--debounce-ms", type=int, default=None, help="server debounce (default: the server's default)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    result = measure(args.words, args.edits, args.debounce_ms)
    if args.json:
        print(json.dumps(result))
        return
    print(f"didChange -> diagnostics on a {result['words']}-word draft, {result['edits']} edits, "
          f"debounce {result['debounce_ms']} ms subtracted:")
    print(f"  p50 {result['p50_ms']} ms   p95 {result['p95_ms']} ms   max {result['max_ms']} ms   (target p95 <= 30 ms)")
    print(f"  whole-draft lint for comparison: {result['whole_draft_lint_ms']} ms")


if __name__ == "__main__":
    main()

"""One Linter shared by many threads gives exactly what one thread gives.

A threaded web server or helpdesk integration builds one Linter and calls it
from every request thread. The threads run in a fresh process (as a server
starts), so the vocabulary, the tokenizer's caches and the engine's lazily built
Matchers are all cold when the threads first reach them: that is where an
unguarded Linter went wrong (Matchers used before their patterns were added).
Each reply also carries a word no other reply has, so the vocabulary keeps
growing while the threads read it. The reference is computed here, in another
process, one reply at a time.

Run as a script, this file is that fresh process: it prints every thread's
reports as JSON Lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
THREADS = 8
PER_THREAD = 2_000


def corpus(thread: int) -> list[str]:
    """2,000 replies: the real agent replies and harmful ones (the dev set's and the rules' own examples)."""
    from tonecheck.linter import Linter

    real = [json.loads(line)["text"] for line in (DATA / "agent-replies-sample.jsonl").open(encoding="utf-8")]
    labeled = [json.loads(line)["text"] for line in (DATA / "dev-set.jsonl").open(encoding="utf-8")]
    flagged = [text for rule in Linter().rules for text in rule.rule.examples.flag]
    pool = real + labeled + flagged
    # The threads walk the replies in step, so they reach each cold rule together.
    return [f"{pool[i % len(pool)]} Ref zq{thread}x{i}." for i in range(PER_THREAD)]


def _threaded() -> None:
    from tonecheck import Linter

    # Switch threads every 10 µs instead of every 5 ms, so that they interleave
    # inside the pipeline's work rather than between whole checks.
    sys.setswitchinterval(1e-5)
    texts = {t: corpus(t) for t in range(THREADS)}
    linter = Linter()
    start = threading.Barrier(THREADS)

    def run(thread: int) -> list[str]:
        start.wait()
        if thread % 2:  # half the threads stream batches, half check one reply at a time
            reports = linter.check_many(texts[thread], batch_size=64)
        else:
            reports = (linter.check(text) for text in texts[thread])
        return [report.model_dump_json() for report in reports]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(run, range(THREADS)))
    for thread, reports in enumerate(results):
        for report in reports:
            print(json.dumps({"thread": thread, "report": report}))


def test_one_linter_shared_by_eight_threads_gives_the_serial_results(linter):
    proc = subprocess.run(
        [sys.executable, __file__], capture_output=True, text=True, timeout=600, cwd=DATA.parent.parent
    )
    assert proc.returncode == 0, proc.stderr
    got: dict[int, list[str]] = {t: [] for t in range(THREADS)}
    for line in proc.stdout.splitlines():
        record = json.loads(line)
        got[record["thread"]].append(record["report"])

    findings = 0
    for thread in range(THREADS):
        texts = corpus(thread)
        assert len(got[thread]) == len(texts), f"thread {thread} returned {len(got[thread])} reports"
        for i, (text, report) in enumerate(zip(texts, got[thread])):
            expected = linter.check(text)
            findings += len(expected.findings)
            assert report == expected.model_dump_json(), f"thread {thread}, reply {i} differs: {text!r}"
    # The comparison means something only if the replies are flagged often.
    assert findings > 3_000


if __name__ == "__main__":
    _threaded()

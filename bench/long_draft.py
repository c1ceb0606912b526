"""Long drafts: does the pipeline stay linear in the length of one document?

    python bench/long_draft.py            # 200 KB, 2 MB and 10 MB
    python bench/long_draft.py --quick    # 100 KB and 1 MB
    python bench/long_draft.py --check    # also the whole check: pipeline, matching, findings

Builds one document from the real replies in ../shared/data/agent-replies.jsonl
(or the sample in tests/data/) joined with paragraph breaks, prepares it as the
linter does, and times tonecheck's pipeline on it (tokenizer, sentence starts,
lemmas): the part every check pays before matching. Each size is timed in
process CPU time, best of a few rounds, and compared with the smallest: 10x the
input should cost at most 11x the time. Before sentence starts were set in one
array pass, every paragraph break was a `Token.is_sent_start` assignment that
made spaCy scan the whole document, and 1 MB took 21 s.

With `--check` it also times `Linter.check` on the same documents with the
built-in packs: preparing the input, the pipeline, matching every rule sentence
by sentence, co-occurrence, vetoes and building the findings. The same 11x
target holds: a rule step that looked at the whole document per sentence would
show here and not in the pipeline alone.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from tonecheck import Linter
from tonecheck.inputs import prepare
from tonecheck.nlp import get_pipeline

HERE = Path(__file__).resolve().parent
SOURCES = (HERE.parent.parent / "shared" / "data" / "agent-replies.jsonl", HERE.parent / "tests" / "data" / "agent-replies-sample.jsonl")


def draft(size: int) -> str:
    source = next(p for p in SOURCES if p.is_file())
    rows = [json.loads(line)["text"] for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    parts, total, i = [], 0, 0
    while total < size:
        parts.append(rows[i % len(rows)])
        total += len(rows[i % len(rows)]) + 2
        i += 1
    return "\n\n".join(parts)[:size]


def best_time(job, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        job()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 KB and 1 MB only")
    parser.add_argument("--check", action="store_true", help="also time the whole Linter.check")
    args = parser.parse_args(argv)
    sizes = [100_000, 1_000_000] if args.quick else [200_000, 2_000_000, 10_000_000]
    nlp = get_pipeline(None)
    nlp(prepare(draft(10_000)).text)  # warm the vocabulary and lookup tables
    texts = {size: draft(size) for size in sizes}
    prepared = {size: prepare(text).text for size, text in texts.items()}  # outside the timing, as before
    worst = report(
        "pipeline on one long draft (real replies joined with paragraph breaks), best CPU time:",
        [(size, best_time(lambda: nlp(prepared[size]), rounds(size))) for size in sizes],
    )
    if args.check:
        linter = Linter()
        linter.check(draft(10_000))  # compile the rules once, outside the timing
        worst = max(worst, report(
            "whole check (built-in packs) on the same drafts, best CPU time:",
            [(size, best_time(lambda: linter.check(texts[size]), rounds(size))) for size in sizes],
        ))
    verdict = "pass" if worst <= 11 else "miss"
    print(f"target: at most 11x the time per 10x input: {verdict} (worst {worst:.2f}x)")
    return 0 if verdict == "pass" else 1


def rounds(size: int) -> int:
    return 3 if size <= 2_000_000 else 2


def report(title: str, results: list[tuple[int, float]]) -> float:
    """Print each size's time against the smallest; return the worst growth per 10x input."""
    base_size, base_time = results[0]
    print(title)
    worst = 0.0
    for size, seconds in results:
        ratio = seconds / base_time
        per_10x = ratio ** (1 / max(1e-9, math.log10(size / base_size))) if size != base_size else 1.0
        worst = max(worst, per_10x)
        print(f"  {size / 1e6:5.1f} MB  {seconds:7.2f} s   {ratio:6.2f}x the {base_size / 1e6:.1f} MB time"
              + (f"  ({per_10x:.2f}x per 10x input)" if size != base_size else ""))
    return worst


if __name__ == "__main__":
    raise SystemExit(main())

"""tonecheck's benchmark: speed and memory as ratios against baselines measured in the same run.

    python bench/run.py            # full run (a few minutes), writes bench/RESULTS.md
    python bench/run.py --quick    # one short round, for a smoke test

Items 1-9 are the performance issue's; the last line is the archive audit's speed.

Paired timings are the best of alternating rounds, others medians; every target is a ratio between two
things measured here, now, on this machine: absolute numbers on a shared 2-core
machine drift with the neighbours' load, ratios much less.

Corpus: the 1,136 real replies in ../shared/data/agent-replies.jsonl, repeated
to the sizes needed. proselint, the peer, runs in its own virtual environment
(bench/.venv-proselint, created on first use) so it never touches tonecheck's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REPLIES = REPO.parent / "shared" / "data" / "agent-replies.jsonl"
PROSELINT_ENV = HERE / ".venv-proselint"


def corpus(n: int) -> list[str]:
    rows = [json.loads(line)["text"] for line in REPLIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [rows[i % len(rows)] for i in range(n)]


def words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def paired_times(first, second, rounds: int, clock=time.process_time) -> tuple[float, float]:
    """Best-of-``rounds`` times of two jobs, run alternately.

    On a shared 2-core machine a neighbour's burst slows whichever job is
    running; alternating spreads bursts over both, and the best round is the
    one least disturbed (as timeit does). Single-process jobs are timed in
    this process's CPU time, which a neighbour cannot inflate by taking the
    core away; multi-process jobs need wall time. Measured here: single wall
    rounds of the same job varied by 2x under load.
    """
    a, b = [], []
    for _ in range(rounds):
        for fn, times in ((first, a), (second, b)):
            start = clock()
            fn()
            times.append(clock() - start)
    return min(a), min(b)


# -- the measurements -----------------------------------------------------------


def floor_pipeline():
    """Bare spaCy: blank English, sentencizer, spaCy's own lookup lemmatizer."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def measure_throughput(texts: list[str], rounds: int) -> dict[str, float]:
    from tonecheck import Linter

    nlp = floor_pipeline()
    linter = Linter()
    list(linter.check_many(texts[:50]))  # warm caches, as a long-running service would be
    floor, ours = paired_times(
        lambda: list(nlp.pipe(texts, batch_size=128)), lambda: list(linter.check_many(texts, batch_size=128)), rounds
    )
    n_words = words(texts)
    return {
        "floor_wps": n_words / floor,
        "tonecheck_wps": n_words / ours,
        "tonecheck_rps": len(texts) / ours,
        "ratio_floor": floor / ours,
    }


def generated_pack(path: Path, n: int) -> None:
    """n extra rules, half phrase and half token rules, on made-up words (no matches)."""
    rules = []
    for i in range(n):
        kind = (
            f'    phrases: ["zq{i} alpha", "zq{i} beta gamma"]\n'
            if i % 2
            else f"    tokens:\n      - [{{LOWER: zq{i}}}, {{LOWER: {{IN: [delta, epsilon]}}}}]\n"
        )
        rules.append(
            f"  - id: gen.rule-{i}\n    category: style\n    severity: info\n"
            f"    message: generated\n    explanation: generated for the benchmark\n{kind}"
            f"    suggestions: {{advice: none}}\n"
            f"    examples: {{flag: [zq{i} alpha, zq{i} delta], pass: [a, b]}}\n"
        )
    path.write_text(
        "pack: gen\nversion: '1'\nlanguage: en\ncategories: {style: generated}\nrules:\n" + "".join(rules),
        encoding="utf-8",
    )


def measure_rule_scaling(texts: list[str], rounds: int) -> float:
    from tonecheck import Linter

    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "gen.yaml"
        generated_pack(pack, 1000)
        base = Linter()
        more = Linter(packs=[str(pack)])
        assert len(more.rules) >= len(base.rules) + 1000
        list(base.check_many(texts[:20]))
        list(more.check_many(texts[:20]))
        t_base, t_more = paired_times(lambda: list(base.check_many(texts)), lambda: list(more.check_many(texts)), rounds)
    return t_more / t_base


def measure_input_scaling(texts: list[str], rounds: int) -> float:
    from tonecheck import Linter

    linter = Linter()
    list(linter.check_many(texts[:20]))
    t1, t10 = paired_times(lambda: list(linter.check_many(texts)), lambda: list(linter.check_many(texts * 10)), rounds)
    return t10 / t1


def measure_processes(texts: list[str], rounds: int) -> float:
    from tonecheck import Linter

    linter = Linter()
    t1, t2 = paired_times(
        lambda: list(linter.check_many(texts, n_process=1, batch_size=256)),
        lambda: list(linter.check_many(texts, n_process=2, batch_size=256)),
        rounds,
        clock=time.perf_counter,
    )
    return t1 / t2


def run_timed(cmd: list[str], stdin: bytes | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, input=stdin, capture_output=True, check=False, cwd=REPO)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def measure_cold_start(rounds: int) -> dict[str, float]:
    """Best of alternating rounds; the ratio is of CPU time, which neighbours cannot inflate."""
    tonecheck = [str(Path(sys.executable).parent / "tonecheck"), "check", "-"]
    bare = [sys.executable, "-c", "import spacy; spacy.blank('en')"]
    reply = b"Thanks for your patience, the replacement ships today."
    bares, ours = [], []
    for _ in range(rounds):
        bares.append(run_timed(bare))
        ours.append(run_timed(tonecheck, reply))
    return {
        "bare_s": min(w for w, _ in bares),
        "cli_s": min(w for w, _ in ours),
        "bare_cpu_s": min(c for _, c in bares),
        "cli_cpu_s": min(c for _, c in ours),
        "ratio": min(c for _, c in ours) / min(c for _, c in bares),
    }


# The interpreter's own peak: VmHWM of its address space. ru_maxrss is not that on
# Linux: it survives execve, so a child started from this (large) process reported
# this process's size (measured: 311 MB for a child whose VmHWM was 9 MB).
PEAK_PROBE = """
import resource, sys
try:
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # no /proc: the best there is
print(peak, file=sys.stderr)
"""


def peak_rss_mb(code: str, stdin: bytes | None = None) -> float:
    """Peak RSS of a fresh interpreter running `code`, measured by that interpreter itself (in KB, printed last)."""
    probe = code + "\n" + PEAK_PROBE
    proc = subprocess.run([sys.executable, "-c", probe], input=stdin, capture_output=True, cwd=REPO, check=True)
    return int(proc.stderr.decode().strip().splitlines()[-1]) / 1024


def measure_memory(n_batch: int) -> dict[str, float]:
    cli = "import sys; from tonecheck.cli import main; sys.argv=['tonecheck','check','-']\ntry:\n    main()\nexcept SystemExit:\n    pass"
    batch = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        from tonecheck import Linter
        rows = [json.loads(l)["text"] for l in Path({str(REPLIES)!r}).read_text().splitlines() if l.strip()]
        texts = (rows[i % len(rows)] for i in range({n_batch}))
        for _ in Linter().check_many(texts):
            pass
        """
    )
    return {
        "cli_one_reply_mb": peak_rss_mb(cli, b"Thanks, your refund is on its way."),
        "batch_mb": peak_rss_mb(batch),
    }


PROSELINT_PROBE = textwrap.dedent(
    """
    import json, sys, time
    from proselint.registry import CheckRegistry
    from proselint.checks import __register__
    from proselint.config import DEFAULT
    from proselint.tools import LintFile
    CheckRegistry().register_many(__register__)
    texts = json.load(sys.stdin)
    rounds = int(sys.argv[1])
    LintFile("warm", texts[0]).lint(DEFAULT)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            LintFile("reply", text).lint(DEFAULT)
        times.append(time.perf_counter() - start)
    times.sort()
    print(times[len(times) // 2])
    """
)


def ensure_proselint() -> Path | None:
    python = PROSELINT_ENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PROSELINT_ENV)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "proselint"], capture_output=True)
        if done.returncode != 0:
            return None
    return python


def measure_proselint(texts: list[str], rounds: int) -> float | None:
    python = ensure_proselint()
    if python is None:
        return None
    proc = subprocess.run(
        [str(python), "-c", PROSELINT_PROBE, str(rounds)],
        input=json.dumps(texts).encode(), capture_output=True, check=True,
    )
    return words(texts) / float(proc.stdout.decode().strip())


def measure_lsp(edits: int) -> dict[str, float]:
    """didChange -> diagnostics latency of the real server over stdio (bench/lsp_latency.py)."""
    sys.path.insert(0, str(HERE))
    from lsp_latency import measure

    return measure(words=1000, edits=edits)


def measure_audit(rows: int) -> dict[str, float]:
    """`tonecheck audit` rows/s with one process, all cores, and a Dask LocalCluster (bench/audit_bench.py)."""
    sys.path.insert(0, str(HERE))
    from audit_bench import measure

    return measure(rows=rows)


def measure_serve(requests: int) -> dict:
    """`tonecheck serve` under 16 clients, and one served check vs a CLI run (bench/serve_load.py)."""
    sys.path.insert(0, str(HERE))
    from serve_load import measure

    return measure(requests=requests)


# -- report ---------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import spacy

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, spaCy {spacy.__version__}; "
        f"load average at start {load:.2f}"
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round on smaller corpora (smoke test)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md", help="where to write the report")
    args = parser.parse_args(argv)

    rounds = 1 if args.quick else 5
    base = corpus(300 if args.quick else 2000)
    big = corpus(2000 if args.quick else 20000)

    rows: list[tuple[str, str, str, str]] = []  # (what, measured, target, verdict)
    t = measure_throughput(base, rounds)
    rows.append(("1. floor: blank en + sentencizer + lookup lemmatizer", f"{t['floor_wps']:,.0f} words/s", "", ""))
    rows.append((
        "2. tonecheck check_many, all built-in packs",
        f"{t['tonecheck_wps']:,.0f} words/s, {t['tonecheck_rps']:,.0f} replies/s; {t['ratio_floor']:.2f}x the floor",
        ">= 0.8x", verdict(t["ratio_floor"] >= 0.8),
    ))
    p = measure_proselint(base, rounds)
    if p is None:
        rows.append(("3. proselint, same corpus", "not measured: proselint could not be installed", ">= 2x", "MISS"))
    else:
        ratio = t["tonecheck_wps"] / p
        rows.append(("3. proselint, same corpus", f"{p:,.0f} words/s; tonecheck is {ratio:.2f}x", ">= 2x", verdict(ratio >= 2)))
    r = measure_rule_scaling(base, rounds)
    rows.append(("4. built-in packs + 1,000 generated rules", f"{r:.2f}x the time", "<= 1.5x", verdict(r <= 1.5)))
    s = measure_input_scaling(base, rounds)
    rows.append(("5. 10x input", f"{s:.2f}x the time", "<= 11x", verdict(s <= 11)))
    m = measure_processes(big, rounds)
    rows.append((f"6. n_process=2 vs 1, {len(big):,} replies", f"{m:.2f}x faster", ">= 1.7x", verdict(m >= 1.7)))
    c = measure_cold_start(3 if args.quick else 7)
    rows.append((
        "7. CLI cold start, one reply, vs `import spacy; spacy.blank('en')`",
        f"CPU {c['cli_cpu_s']:.2f} s vs {c['bare_cpu_s']:.2f} s: {c['ratio']:.2f}x (wall {c['cli_s']:.2f} s vs {c['bare_s']:.2f} s)",
        "<= 1.3x", verdict(c["ratio"] <= 1.3),
    ))
    mem = measure_memory(len(big))
    rows.append(("8a. peak RSS, CLI on one reply", f"{mem['cli_one_reply_mb']:.0f} MB", "<= 250 MB", verdict(mem["cli_one_reply_mb"] <= 250)))
    rows.append((f"8b. peak RSS, {len(big):,}-reply batch", f"{mem['batch_mb']:.0f} MB", "<= 250 MB", verdict(mem["batch_mb"] <= 250)))
    lsp = measure_lsp(50 if args.quick else 200)
    rows.append((
        "9. language server didChange -> diagnostics, 1,000-word draft, debounce subtracted",
        f"p50 {lsp['p50_ms']:.1f} ms, p95 {lsp['p95_ms']:.1f} ms over {lsp['edits']} edits (debounce {lsp['debounce_ms']} ms)",
        "p95 <= 30 ms", verdict(lsp["p95_ms"] <= 30),
    ))
    audit = measure_audit(2000 if args.quick else 13632)
    rows.append((
        f"audit: `tonecheck audit`, {int(audit['rows']):,} replies (JSON Lines)",
        f"{audit['jobs_1_rows_per_s']:,.0f} rows/s with 1 process, {audit['jobs_all_rows_per_s']:,.0f} with {int(audit['cores'])}, "
        f"{audit.get('dask_rows_per_s', float('nan')):,.0f} on a Dask LocalCluster",
        "", "",
    ))

    serve = measure_serve(4000 if args.quick else 20000)
    rows.append((
        f"10. `tonecheck serve`, {serve['requests']:,} real replies from {serve['clients']} clients",
        f"{serve['rps']:,.0f} requests/s, p50 {serve['p50_ms']:.1f} ms, p95 {serve['p95_ms']:.1f} ms, {serve['errors']} errors; "
        f"RSS {serve['rss_before_mb']:.0f} -> {serve['rss_after_mb']:.0f} MB",
        "p95 <= 25 ms, 0 errors", verdict(serve["p95_ms"] <= 25 and serve["errors"] == 0),
    ))
    rows.append((
        "11. one served check vs `tonecheck check -`, same draft",
        f"{serve['served_ms']:.1f} ms vs {serve['cli_ms']:.0f} ms: {serve['cli_ratio']:.0f}x",
        ">= 50x", verdict(serve["cli_ratio"] >= 50),
    ))

    table = ["| measurement | result | target | |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c_} | {d} |" for a, b, c_, d in rows]
    report = "\n".join(
        [
            "# Benchmark results",
            "",
            f"Written by `python bench/run.py{' --quick' if args.quick else ''}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            f"Machine: {machine()}. Best of {rounds} alternating round(s) for paired timings (1-2, 4, 5 in process CPU time; 6 in wall time), medians elsewhere; corpus: real support replies "
            f"({words(base):,} words in {len(base):,} replies; {len(big):,} replies for 6 and 8b).",
            "",
            *table,
            "",
        ]
    )
    print(report)
    args.results.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

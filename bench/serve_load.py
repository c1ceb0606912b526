"""Load on `tonecheck serve`: 16 clients, 20,000 real replies, over loopback.

    python bench/serve_load.py                       # the targets' setting
    python bench/serve_load.py --workers 2 --clients 32 --requests 5000

Starts the real service (`tonecheck serve --port 0`) and, once it is ready,
sends the real agent replies of ../shared/data/agent-replies.jsonl (tests/data's
sample when that is absent), repeated to --requests, from --clients concurrent
keep-alive clients (aiohttp, in this process), each sending its next reply when
the previous answer arrived. The load is bounded: it stops after --requests
and sends nothing but to 127.0.0.1.

Reported: requests/s, latency p50/p95/p99 (send to last byte), errors (any
answer but 200 with a report, or a failed connection), CPU time per request of
the HTTP process, the check workers and the clients (what the two cores are
shared between; unlike latency, a busy neighbour barely moves it), the service's memory
(RSS of the server and its workers) after a warm-up and after the run. Then,
in the same run, one check of one real draft served by the idle service against
`tonecheck check -` on the same draft, the one-shot run a pre-send hook pays
(median of rounds each). Targets on the 2-core machine: p95 <= 25 ms at 16
clients, 0 errors, a served check >= 50x faster than the one-shot run.

`measure()` returns the numbers as a dict.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REPLIES = REPO.parent / "shared" / "data" / "agent-replies.jsonl"
SAMPLE = REPO / "tests" / "data" / "agent-replies-sample.jsonl"
DRAFT = "Hi Sam, I'm sorry the parcel is late. You're the only customer who has complained, so please calm down."


def replies() -> list[str]:
    path = REPLIES if REPLIES.is_file() else SAMPLE
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _start(workers: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(REPO / ".no-user-config")}
    server = subprocess.Popen(
        [sys.executable, "-m", "tonecheck.cli", "serve", "--port", "0", "--workers", str(workers), "--log-level", "warning"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    assert server.stderr is not None
    for line in server.stderr:
        found = re.search(r"listening on (http://\S+?) ", line)
        if found:
            return server, found.group(1)
    raise RuntimeError(f"tonecheck serve did not start (exit code {server.wait()})")


def _rss_mb(server: subprocess.Popen) -> float:
    process = psutil.Process(server.pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 1e6


def _cpu(server: subprocess.Popen) -> tuple[float, float]:
    """CPU seconds so far of the HTTP process and of its check workers."""
    process = psutil.Process(server.pid)

    def used(p: psutil.Process) -> float:
        times = p.cpu_times()
        return times.user + times.system

    return used(process), sum(used(c) for c in process.children(recursive=True))


async def _ready(session: aiohttp.ClientSession, url: str, workers: int) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{url}/healthz") as answer:
                if answer.status == 200 and (await answer.json())["workers_ready"] == workers:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the service was not ready within 180 s")


async def _load(session: aiohttp.ClientSession, url: str, texts: list[str], clients: int) -> dict:
    bodies = iter([json.dumps({"text": t}).encode() for t in texts])
    latencies: list[float] = []
    errors: list[str] = []
    headers = {"Content-Type": "application/json"}

    async def client() -> None:
        for body in bodies:  # the clients share one iterator: each takes the next reply
            started = time.perf_counter()
            try:
                async with session.post(f"{url}/v1/check", data=body, headers=headers) as answer:
                    payload = await answer.read()
                    if answer.status != 200 or b'"schema_version":1' not in payload:
                        errors.append(f"HTTP {answer.status}: {payload[:200]!r}")
            except aiohttp.ClientError as exc:
                errors.append(repr(exc))
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - started
    return {"wall": wall, "latencies": latencies, "errors": errors}


async def _served_once(session: aiohttp.ClientSession, url: str, rounds: int) -> float:
    times = []
    body = json.dumps({"text": DRAFT}).encode()
    for _ in range(rounds):
        started = time.perf_counter()
        async with session.post(f"{url}/v1/check", data=body, headers={"Content-Type": "application/json"}) as answer:
            await answer.read()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _cli_once(rounds: int) -> float:
    times = []
    env = {**os.environ, "XDG_CONFIG_HOME": str(REPO / ".no-user-config")}
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tonecheck.cli", "check", "-"], input=DRAFT.encode(),
                       capture_output=True, cwd=REPO, env=env, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(requests: int = 20_000, clients: int = 16, workers: int = 1, warmup: int = 500) -> dict:
    rows = replies()
    texts = [rows[i % len(rows)] for i in range(requests)]
    server, url = _start(workers)

    async def run() -> dict:
        connector = aiohttp.TCPConnector(limit=clients)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
            await _ready(session, url, workers)
            await _load(session, url, rows[:warmup], clients)  # first-use caches, connections
            rss_before = _rss_mb(server)
            cpu_before, client_before = _cpu(server), time.process_time()
            load = await _load(session, url, texts, clients)
            cpu_after, client_after = _cpu(server), time.process_time()
            rss_after = _rss_mb(server)
            load["cpu"] = [(a - b) / requests for a, b in zip(cpu_after, cpu_before)] + [(client_after - client_before) / requests]
            served = await _served_once(session, url, 50)
        return {**load, "rss_before": rss_before, "rss_after": rss_after, "served": served}

    try:
        result = asyncio.run(run())
    finally:
        server.terminate()
        server.wait(30)
    cli = _cli_once(5)
    latencies = result["latencies"]
    return {
        "requests": requests,
        "clients": clients,
        "workers": workers,
        "rps": requests / result["wall"],
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p95_ms": _percentile(latencies, 0.95) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "errors": len(result["errors"]),
        "first_errors": result["errors"][:3],
        "cpu_us": {name: t * 1e6 for name, t in zip(("http", "workers", "clients"), result["cpu"])},
        "rss_before_mb": result["rss_before"],
        "rss_after_mb": result["rss_after"],
        "served_ms": result["served"] * 1000,
        "cli_ms": cli * 1000,
        "cli_ratio": cli / result["served"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    r = measure(args.requests, args.clients, args.workers)
    cores = os.cpu_count()
    print(f"tonecheck serve --workers {r['workers']}, {r['requests']:,} real replies from {r['clients']} clients "
          f"on loopback, {cores} cores (clients included)")
    print(f"  {r['rps']:,.0f} requests/s   p50 {r['p50_ms']:.1f} ms   p95 {r['p95_ms']:.1f} ms   p99 {r['p99_ms']:.1f} ms"
          f"   (target p95 <= 25 ms: {'pass' if r['p95_ms'] <= 25 else 'miss'})")
    print(f"  errors: {r['errors']}   (target 0: {'pass' if r['errors'] == 0 else 'miss'})"
          + (f"  first: {r['first_errors']}" if r["errors"] else ""))
    cpu = r["cpu_us"]
    print(f"  CPU per request: HTTP process {cpu['http']:.0f} µs, check workers {cpu['workers']:.0f} µs, "
          f"the clients {cpu['clients']:.0f} µs")
    print(f"  memory (server and workers): {r['rss_before_mb']:.0f} MB after warm-up, {r['rss_after_mb']:.0f} MB after the run")
    print(f"  one draft: served {r['served_ms']:.1f} ms, `tonecheck check -` {r['cli_ms']:.0f} ms: "
          f"{r['cli_ratio']:.0f}x   (target >= 50x: {'pass' if r['cli_ratio'] >= 50 else 'miss'})")


if __name__ == "__main__":
    main()

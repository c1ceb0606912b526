"""Archive-audit throughput: rows/s for 1 process, all cores, and a Dask LocalCluster of 2 workers.

    python bench/audit_bench.py              # 13,632 rows (the 1,136 real replies, 12 times)
    python bench/audit_bench.py --rows 2000  # quicker

The corpus is ../shared/data/agent-replies.jsonl repeated to the size asked for,
written as a JSON Lines archive and audited end to end (read, lint, findings
file). Each configuration is warmed first (linters built, cluster started and
its workers' linters built), so the numbers are the steady state a long audit
sees; cluster start-up is reported on its own. ``measure()`` returns the numbers
as a dict for bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPLIES = HERE.parent.parent / "shared" / "data" / "agent-replies.jsonl"


def write_corpus(path: Path, rows: int) -> Path:
    replies = [json.loads(line) for line in REPLIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(rows):
            r = replies[i % len(replies)]
            f.write(json.dumps({"id": f"{r['id']}#{i}", "text": r["text"], "brand": r["brand"]}) + "\n")
    return path


def measure(rows: int = 13632, dask_workers: int = 2) -> dict[str, float]:
    """Rows per second of `audit_file` with 1 process and all cores, and of `audit_dask` on a LocalCluster."""
    from tonecheck import Linter
    from tonecheck.audit import AuditSpec, audit_file
    from tonecheck.audit.run import default_jobs

    cores = default_jobs()
    spec = AuditSpec("text", id_column="id", group_by=("brand",))
    results: dict[str, float] = {"rows": float(rows), "cores": float(cores)}
    with tempfile.TemporaryDirectory() as tmp:
        archive = write_corpus(Path(tmp) / "replies.jsonl", rows)
        warm = write_corpus(Path(tmp) / "warm.jsonl", 200)
        out = Path(tmp) / "findings.jsonl"
        linter = Linter()
        for label, jobs in (("jobs_1", 1), ("jobs_all", cores)):
            audit_file(warm, spec, linter=linter, jobs=jobs, progress=False)
            result = audit_file(archive, spec, linter=linter, jobs=jobs, out=out, progress=False)
            results[f"{label}_rows_per_s"] = result.rows_per_second
            results["findings"] = float(result.summary.findings)
        try:
            from distributed import LocalCluster

            from tonecheck.audit.distributed import audit_dask
        except ImportError:
            return results
        started = time.perf_counter()
        with LocalCluster(n_workers=dask_workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster:
            results["dask_cluster_start_s"] = time.perf_counter() - started
            audit_dask(warm, spec, scheduler=cluster.scheduler_address, config=linter.config,
                       progress=False, chunk_rows=50)
            result = audit_dask(archive, spec, scheduler=cluster.scheduler_address, config=linter.config,
                                out=out, progress=False)
            results["dask_workers"] = float(dask_workers)
            results["dask_rows_per_s"] = result.rows_per_second
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=13632)
    args = parser.parse_args(argv)
    r = measure(args.rows)
    cores = int(r["cores"])
    print(f"audit of {int(r['rows']):,} real replies (JSON Lines in, findings JSON Lines out), "
          f"{int(r['findings']):,} findings, on {os.uname().machine} with {cores} cores")
    print(f"  --jobs 1                 {r['jobs_1_rows_per_s']:8,.0f} rows/s")
    print(f"  --jobs {cores:<3} (all cores)   {r['jobs_all_rows_per_s']:8,.0f} rows/s")
    if "dask_rows_per_s" in r:
        print(f"  Dask LocalCluster ({int(r['dask_workers'])} workers) {r['dask_rows_per_s']:8,.0f} rows/s "
              f"(cluster start {r['dask_cluster_start_s']:.1f} s, not included)")
    else:
        print("  Dask: not installed (pip install 'tonecheck[dask]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())

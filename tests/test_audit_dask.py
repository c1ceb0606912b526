"""The audit on a real Dask cluster (two worker processes on loopback) equals the single-process run."""

from __future__ import annotations

import pytest

pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from audit_data import archive_rows, with_non_text, write_csv, write_jsonl, write_parquet  # noqa: E402
from conftest import run_cli  # noqa: E402

ARGS = ("--text-column", "text", "--id-column", "id", "--group-by", "brand,channel", "--time-column", "sent_at")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask-archive")
    rows = archive_rows()
    return {
        "jsonl": write_jsonl(with_non_text(rows), folder / "replies.jsonl"),
        "csv": write_csv(rows, folder / "replies.csv"),
        "parquet": write_parquet(with_non_text(rows), folder / "replies.parquet", row_group_size=60),
    }


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_cluster_findings_equal_the_single_process_run(cluster, archives, fmt, linter, tmp_path):
    from tonecheck.audit import AuditSpec, audit_file
    from tonecheck.audit.summary import render_text

    spec = AuditSpec("text", id_column="id", group_by=("brand", "channel"), time_column="sent_at")
    local_out, dask_out = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    local = audit_file(archives[fmt], spec, linter=linter, jobs=1, out=local_out, progress=False)
    proc = run_cli("audit", str(archives[fmt]), *ARGS, "--out", str(dask_out), "--chunk-rows", "60",
                   "--scheduler", cluster.scheduler_address)
    assert proc.returncode == 0, proc.stderr
    assert f"Dask at {cluster.scheduler_address}, 2 workers" in proc.stdout
    assert local_out.stat().st_size > 1000
    assert dask_out.read_bytes() == local_out.read_bytes()
    # the same counts, groups, days and example replies
    assert proc.stdout.startswith(render_text(local.summary, source=str(archives[fmt])))


def test_both_workers_lint_partitions(cluster, archives):
    """The JSON Lines archive is split into several partitions, linted by both workers, each building its linter once."""
    from tonecheck.audit import AuditSpec
    from tonecheck.audit.distributed import archive_dataframe, worker_linter
    from tonecheck.audit.sources import Source
    from tonecheck.config import resolve_config

    spec = AuditSpec("text", group_by=("brand",))
    ddf = archive_dataframe(Source(archives["jsonl"], spec), chunk_rows=60)
    assert ddf.npartitions >= 4
    config = resolve_config()
    with distributed.Client(cluster) as client:
        parts = [client.compute(p) for p in ddf.to_delayed()]
        assert sum(len(f.result()) for f in parts) == len(archive_rows()) + 2
        linters = client.run(lambda: id(worker_linter(config)))
        again = client.run(lambda: id(worker_linter(config)))
    assert len(linters) == 2 and linters == again


def test_dask_dataframe_function_equals_audit_dataframe(cluster, linter):
    import dask.dataframe as dd
    import pandas as pd

    from tonecheck.audit import AuditSpec, audit_dataframe
    from tonecheck.audit.distributed import audit_dask_dataframe

    frame = pd.DataFrame(archive_rows(80))
    local = audit_dataframe(frame, "text", group_by=["brand"], linter=linter)
    spec = AuditSpec("text", group_by=("brand",))
    with distributed.Client(cluster) as client:
        remote = audit_dask_dataframe(dd.from_pandas(frame, npartitions=3), spec, client, config=linter.config)
    assert remote.summary.to_dict() == local.summary.to_dict()
    assert remote.summary.findings == len(local.findings) > 0


def test_dask_local_starts_its_own_cluster(archives, tmp_path):
    out = tmp_path / "f.jsonl"
    proc = run_cli("audit", str(archives["jsonl"]), *ARGS, "--out", str(out), "--dask", "local", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "Dask at tcp://127.0.0.1:" in proc.stdout and ", 2 workers" in proc.stdout
    assert out.stat().st_size > 1000


def test_unreachable_scheduler_is_an_error(archives):
    proc = run_cli("audit", str(archives["csv"]), "--text-column", "text", "--scheduler", "tcp://127.0.0.1:9")
    assert proc.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr

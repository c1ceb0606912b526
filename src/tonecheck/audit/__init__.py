"""Archive audit: lint a helpdesk's past replies at scale and report where the tone problems are.

    from tonecheck.audit import audit_dataframe, audit_file, AuditSpec

    result = audit_dataframe(df, "text", group_by=["team"], time_column="sent_at", html="report.html")
    result.findings          # a DataFrame, one row per finding
    result.summary.to_dict() # counts per category, rule, group and day

Modules, one concern each: ``sources`` (chunked CSV / JSON Lines / Parquet
readers), ``records`` (what a row and a finding record are), ``run`` (the local
audit over ``Linter.check_many``), ``summary`` (bounded, mergeable counts),
``report`` and ``charts`` (the HTML report), ``writers`` (the findings file),
``distributed`` (the same audit on a Dask cluster; needs ``tonecheck[dask]``).
pandas and pyarrow come with ``tonecheck[audit]`` and are imported only when used.
"""

from tonecheck.audit.records import AuditSpec
from tonecheck.audit.run import AuditResult, audit_dataframe, audit_file, iter_records
from tonecheck.audit.summary import AuditSummary

__all__ = ["AuditResult", "AuditSpec", "AuditSummary", "audit_dataframe", "audit_file", "iter_records"]

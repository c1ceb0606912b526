"""The findings file: one record per finding, as JSON Lines or Parquet, written chunk by chunk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tonecheck.audit.records import AuditSpec
from tonecheck.errors import InputError

OUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
INT_FIELDS = ("row", "start", "end", "line", "column")


def out_format(path: Path) -> str:
    fmt = OUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(str(path), "unknown findings format; name it .jsonl or .parquet")
    return fmt


def check_writable(path: Path) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(str(path), f"cannot write: folder {parent} does not exist")


class FindingsWriter:
    """Appends finding records to a .jsonl or .parquet file; ``close()`` finishes it."""

    def __init__(self, path: Path, spec: AuditSpec):
        self.path = path
        self.format = out_format(path)
        check_writable(path)
        self.fields = spec.record_fields
        self.count = 0
        self._file: Any = None
        self._parquet: Any = None
        if self.format == "jsonl":
            self._file = open(path, "w", encoding="utf-8", newline="\n")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            self._schema = pa.schema(
                [(name, pa.int64() if name in INT_FIELDS else pa.string()) for name in self.fields]
            )
            self._parquet = pq.ParquetWriter(path, self._schema)

    def write(self, records: list[dict[str, Any]]) -> None:
        self.count += len(records)
        if self._file is not None:
            self._file.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        elif records:
            import pyarrow as pa

            columns = {name: [r[name] for r in records] for name in self.fields}
            self._parquet.write_table(pa.table(columns, schema=self._schema))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._parquet is not None:
            self._parquet.close()  # an audit without findings still leaves a valid, empty file

    def __enter__(self) -> FindingsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

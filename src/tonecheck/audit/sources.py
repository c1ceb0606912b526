"""Archive readers: CSV, JSON Lines and Parquet, in chunks, only the columns asked for.

Every reader yields chunks as ``{column: [python values]}``: plain ``str``,
``int``, ``None``, ``datetime``... whatever the file holds, without dtype
guessing, so a row reads the same locally and on a Dask worker. Memory stays flat:
one chunk at a time is held, whatever the archive's size.

The format comes from the extension: ``.csv``; ``.jsonl`` / ``.ndjson``;
``.parquet`` / ``.pq``. CSV and JSON Lines may be compressed (``.gz``, ``.bz2``,
``.xz``). A missing file, a missing column or a malformed file is an
``InputError`` that names it (exit code 2).
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from tonecheck.audit.records import AuditSpec
from tonecheck.errors import InputError

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
COMPRESSIONS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
CHUNK_ROWS = 5000
SCAN_RECORDS = 100  # JSON Lines has no header: a column must appear in one of the first records

Chunk = dict[str, list[Any]]


def format_of(path: Path) -> tuple[str, str | None]:
    """(format, compression suffix or None) from the file name."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = suffixes.pop() if suffixes and suffixes[-1] in COMPRESSIONS else None
    fmt = FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None or (compression and fmt == "parquet"):
        raise InputError(
            str(path),
            "unknown archive format; name it .csv, .jsonl (or .ndjson) or .parquet "
            "(CSV and JSON Lines may end in .gz, .bz2 or .xz)",
        )
    return fmt, compression


def _open_binary(path: Path, compression: str | None) -> IO[bytes]:
    return COMPRESSIONS[compression](path, "rb") if compression else open(path, "rb")


class Source:
    """An archive file checked for readability and the spec's columns."""

    def __init__(self, path: str | os.PathLike[str], spec: AuditSpec):
        self.path = Path(path)
        self.name = str(path)
        self.spec = spec
        self.format, self.compression = format_of(self.path)
        if not self.path.exists():
            raise InputError(self.name, "no such file")
        if self.path.is_dir():
            raise InputError(self.name, "is a folder; give one archive file")
        try:
            self.columns = self._columns()
        except InputError:
            raise
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise InputError(self.name, f"cannot read as {self.format}: {exc}") from None
        missing = [c for c in spec.columns if c not in self.columns]
        if missing:
            role = _role(spec, missing[0])
            listed = ", ".join(self.columns[:30]) + (" ..." if len(self.columns) > 30 else "")
            raise InputError(self.name, f"no column `{missing[0]}` (the {role}); its columns are: {listed}")

    # -- columns ------------------------------------------------------------------

    def _columns(self) -> list[str]:
        if self.format == "parquet":
            import pyarrow.parquet as pq

            try:
                return list(pq.ParquetFile(self.path).schema_arrow.names)
            except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...
                raise InputError(self.name, f"not a readable Parquet file: {exc}") from None
        if self.format == "csv":
            import pandas as pd

            try:
                header = pd.read_csv(self.path, nrows=0, encoding="utf-8-sig", compression=_pandas_compression(self.compression))
            except pd.errors.EmptyDataError:
                raise InputError(self.name, "empty file: no header row") from None
            except pd.errors.ParserError as exc:
                raise InputError(self.name, f"not readable as CSV: {exc}") from None
            return [str(c) for c in header.columns]
        seen: dict[str, None] = {}
        with _open_binary(self.path, self.compression) as raw:
            for n, record in enumerate(_jsonl_records(raw, self.name)):
                seen.update(dict.fromkeys(record))
                if n + 1 >= SCAN_RECORDS:
                    break
        return list(seen)

    # -- reading ------------------------------------------------------------------

    def estimate_rows(self) -> int | None:
        """The number of rows, exact for Parquet, from a newline count otherwise; None when compressed."""
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(self.path).metadata.num_rows
        if self.compression:
            return None
        lines = 0
        last = b"\n"
        with open(self.path, "rb") as f:
            while block := f.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        lines += last != b"\n"
        return max(0, lines - (1 if self.format == "csv" else 0))

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[Chunk]:
        """The archive's rows, ``rows`` at a time, as column -> values for the spec's columns."""
        readers = {"csv": self._csv_chunks, "jsonl": self._jsonl_chunks, "parquet": self._parquet_chunks}
        try:
            yield from readers[self.format](rows)
        except InputError:
            raise
        except (OSError, ValueError, UnicodeDecodeError, EOFError) as exc:
            raise InputError(self.name, f"cannot read as {self.format}: {exc}") from None

    def _csv_chunks(self, rows: int) -> Iterator[Chunk]:
        import pandas as pd

        reader = pd.read_csv(
            self.path, usecols=self.spec.columns, dtype=str, keep_default_na=False, na_values=[],
            chunksize=rows, encoding="utf-8-sig", compression=_pandas_compression(self.compression),
        )
        try:
            with reader:
                for frame in reader:
                    yield {c: frame[c].tolist() for c in self.spec.columns}
        except pd.errors.ParserError as exc:
            raise InputError(self.name, f"not readable as CSV: {exc}") from None

    def _jsonl_chunks(self, rows: int) -> Iterator[Chunk]:
        with _open_binary(self.path, self.compression) as raw:
            batch: list[dict[str, Any]] = []
            for record in _jsonl_records(raw, self.name):
                batch.append(record)
                if len(batch) >= rows:
                    yield columns_of(batch, self.spec.columns)
                    batch = []
            if batch:
                yield columns_of(batch, self.spec.columns)

    def _parquet_chunks(self, rows: int) -> Iterator[Chunk]:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=rows, columns=self.spec.columns):
            yield {c: batch.column(c).to_pylist() for c in self.spec.columns}


def _role(spec: AuditSpec, column: str) -> str:
    if column == spec.text_column:
        return "--text-column"
    if column == spec.id_column:
        return "--id-column"
    if column == spec.time_column:
        return "--time-column"
    return "--group-by column"


def _pandas_compression(compression: str | None) -> str | None:
    return {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", None: None}[compression]


def _jsonl_records(lines: Iterable[bytes], name: str, first_line: int = 1) -> Iterator[dict[str, Any]]:
    """JSON objects, one per non-blank line; a malformed line is an InputError naming it."""
    for n, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            record = json.loads(line.lstrip(b"\xef\xbb\xbf") if n == 1 else line)
        except ValueError as exc:
            raise InputError(name, f"line {n} is not valid JSON ({exc})") from None
        if not isinstance(record, dict):
            raise InputError(name, f"line {n} is not a JSON object")
        yield record


def columns_of(records: list[dict[str, Any]], columns: list[str]) -> Chunk:
    """Records -> column -> values (a missing key reads as None)."""
    return {c: [r.get(c) for r in records] for c in columns}


def jsonl_block(block: bytes, columns: list[str], name: str) -> Chunk:
    """Parse one newline-delimited block of a JSON Lines file (a Dask partition)."""
    return columns_of(list(_jsonl_records(block.splitlines(), name, first_line=1)), columns)


def parquet_row_group(path: str, index: int, columns: list[str]) -> Chunk:
    """One row group of a Parquet file (a Dask partition)."""
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path).read_row_group(index, columns=columns)
    return {c: table.column(c).to_pylist() for c in columns}

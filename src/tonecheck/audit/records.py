"""What an audit reads from each row, and the record it writes for each finding.

Archive cells arrive as plain Python values (the readers in ``sources`` build
object columns), so the same row gives the same record whichever reader, chunk
size or Dask partition it came through.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

# Fields every finding record has, in output order; group columns and the id and
# time columns slot in after `row`.
# `part` names the MIME part of an e-mail row whose decoded text `start`/`end` point
# into (null when they point into the row's text itself, as for every other format).
FINDING_FIELDS = ("rule", "category", "severity", "match", "start", "end", "line", "column", "part")
FIXED_FIELDS = ("row", "id", "time", *FINDING_FIELDS)

# Why a row was not linted.
EMPTY = "empty"          # missing, null or only whitespace
NON_TEXT = "non-text"    # a number, list, object or boolean where the reply should be


@dataclass(frozen=True)
class AuditSpec:
    """Which columns of the archive mean what. Only these columns are ever read."""

    text_column: str
    id_column: str | None = None
    group_by: tuple[str, ...] = ()
    time_column: str | None = None
    input_format: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "group_by", tuple(dict.fromkeys(self.group_by)))

    @property
    def columns(self) -> list[str]:
        """The input columns to read, each once."""
        wanted = [self.text_column, self.id_column, *self.group_by, self.time_column]
        return list(dict.fromkeys(c for c in wanted if c))

    @property
    def group_fields(self) -> dict[str, str]:
        """Group column -> its field name in the records (`group_<name>` if it would clash)."""
        return {g: (f"group_{g}" if g in FIXED_FIELDS else g) for g in self.group_by}

    @property
    def record_fields(self) -> list[str]:
        out = ["row"]
        if self.id_column:
            out.append("id")
        out += list(self.group_fields.values())
        if self.time_column:
            out.append("time")
        return out + list(FINDING_FIELDS)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas' NA and NaT, without importing pandas here
    return type(value).__name__ in ("NAType", "NaTType")


def cell_text(value: Any) -> str | None:
    """A group or id cell as text; None when missing or empty."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return cell_text(value.item())
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def body_of(value: Any) -> str | None | tuple[str]:
    """The reply text of a cell, or why it cannot be linted (a 1-tuple holding the reason)."""
    if is_missing(value):
        return (EMPTY,)
    if not isinstance(value, str):
        return (NON_TEXT,)
    if not value.strip():
        return (EMPTY,)
    return value


_UNIX_SECONDS = re.compile(r"-?\d+(?:\.\d+)?")
_DATE_DIGITS = re.compile(r"\d{8}")  # yyyymmdd


def parse_time(value: Any) -> datetime | None:
    """A cell of the time column as an aware UTC datetime, or None when unreadable.

    Accepts datetimes, dates, ISO 8601 and other common date strings, and numbers
    as Unix seconds, also written as text (a CSV column, or JSON `"1717430400"`).
    Eight digits are a date (`20240603`), not seconds into 1970.
    """
    if is_missing(value) or isinstance(value, bool):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes, datetime, date)):
        value = value.item()
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _UNIX_SECONDS.fullmatch(text) and not _DATE_DIGITS.fullmatch(text):
        return parse_time(float(text))
    try:
        return parse_time(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    from dateutil import parser as dateparser  # a pandas dependency; only for non-ISO dates

    try:
        return parse_time(dateparser.parse(text))
    except (ValueError, OverflowError):
        return None


@dataclass
class Row:
    """One archive row, normalised."""

    row: int                      # 0-based position among the data rows
    body: str | None              # the reply, or None when skipped
    skipped: str | None           # EMPTY / NON_TEXT, or None when linted
    id: str | None = None
    groups: dict[str, str | None] = field(default_factory=dict)
    time: datetime | None = None
    time_given: bool = False      # the time cell held something (parsed or not)


def rows_of(columns: dict[str, Sequence[Any]], spec: AuditSpec, first_row: int = 0) -> list[Row]:
    """Normalise a chunk given as column name -> values (all the same length)."""
    texts = columns[spec.text_column]
    out: list[Row] = []
    for i, raw in enumerate(texts):
        body = body_of(raw)
        row = Row(
            row=first_row + i,
            body=None if isinstance(body, tuple) else body,
            skipped=body[0] if isinstance(body, tuple) else None,
        )
        if spec.id_column:
            row.id = cell_text(columns[spec.id_column][i])
        for g in spec.group_by:
            row.groups[g] = cell_text(columns[g][i])
        if spec.time_column:
            cell = columns[spec.time_column][i]
            row.time_given = not is_missing(cell)
            row.time = parse_time(cell)
        out.append(row)
    return out


def finding_record(row: Row, finding: Any, spec: AuditSpec) -> dict[str, Any]:
    """The output record for one finding of a row, fields in ``spec.record_fields`` order."""
    record: dict[str, Any] = {"row": row.row}
    if spec.id_column:
        record["id"] = row.id
    for column, name in spec.group_fields.items():
        record[name] = row.groups.get(column)
    if spec.time_column:
        record["time"] = row.time.isoformat() if row.time else None
    record.update(
        rule=finding.rule,
        category=finding.category,
        severity=finding.severity.value,
        match=finding.match,
        start=finding.start,
        end=finding.end,
        line=finding.line,
        column=finding.column,
        part=finding.part,
    )
    return record

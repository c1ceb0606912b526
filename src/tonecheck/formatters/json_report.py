"""The JSON format: the versioned report document (models.ReportDocument), one for every input."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tonecheck.formatters.checked import Checked, Context
from tonecheck.models import ReportDocument


def format_json(checked: Sequence[Checked], context: Context) -> str:
    payload = ReportDocument.of(item.report for item in checked).model_dump(mode="json")
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

"""The service's request and error bodies.

The answer to a check is the CLI's wire format, ``tonecheck.models.ReportDocument``
(README, "JSON output"); nothing here redefines it. This module imports only
pydantic and the configuration types, so the worker processes can share it.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field

from tonecheck.config import InputFormat


class _Options(BaseModel):
    # A misspelt option ("suppression", "inputFormat") is an error, not silently nothing.
    model_config = ConfigDict(extra="forbid")

    input_format: InputFormat | None = Field(
        default=None, description="What to skip before linting; default: the service configuration's (normally `auto`)."
    )
    select: list[str] | None = Field(
        default=None, description="Rule ids, prefixes or categories to run, instead of the configuration's."
    )
    ignore: list[str] | None = Field(
        default=None, description="Rule ids, prefixes or categories to skip, instead of the configuration's."
    )
    suppressions: list[str] = Field(
        default_factory=list, description="Rule ids, prefixes or categories turned off for this text (as `Linter.check`)."
    )


class CheckRequest(_Options):
    """One draft to check."""

    text: str = Field(description="The draft, as the agent wrote it (plain text, e-mail, Markdown or HTML).")


class BatchRequest(_Options):
    """Several drafts checked with the same options; the reports come back in the same order."""

    texts: list[str] = Field(description="The drafts; at most the service's batch limit (default 100).")


class ErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status, repeated.")
    message: str = Field(description="What is wrong and what to do.")
    field: str | None = Field(default=None, description="The request field at fault (`text`, `texts[2]`, `select`, ...).")


class ErrorBody(BaseModel):
    """Every error the service answers: 4xx for the request, 5xx for the service."""

    error: ErrorDetail


def error_json(status: int, message: str, field: str | None = None) -> bytes:
    return json.dumps(
        {"error": {"status": status, "message": message, "field": field}}, ensure_ascii=False
    ).encode("utf-8")

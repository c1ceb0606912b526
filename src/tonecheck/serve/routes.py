"""The endpoints: checks and rules under ``/v1``, and ``/healthz``.

A check's answer is the CLI's wire format (``ReportDocument``), produced by the
worker and passed on as it is; the route only validates the request and picks
the worker (pool.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from tonecheck import __version__
from tonecheck.errors import ConfigError
from tonecheck.models import ReportDocument
from tonecheck.formatters import rule_url
from tonecheck.ruledoc import RuleDoc, RuleSummary, document, find_rule
from tonecheck.serve.models import BatchRequest, CheckRequest, ErrorBody

router = APIRouter()


class ApiError(Exception):
    """A request the service refuses, with the field at fault."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


_ERRORS = {
    400: {"model": ErrorBody, "description": "The body is not JSON."},
    401: {"model": ErrorBody, "description": "No token, or the wrong one (with `--token-file`)."},
    413: {"model": ErrorBody, "description": "The body is over the limit (default 1 MiB)."},
    422: {"model": ErrorBody, "description": "A field is missing, of the wrong type, or names no rule; `field` says which."},
    503: {"model": ErrorBody, "description": "The check took too long and was stopped, or no worker is ready yet."},
}


async def _check(request: Request, texts: list[str], options: CheckRequest | BatchRequest) -> Response:
    payload = {"texts": texts, **options.model_dump(include={"input_format", "select", "ignore", "suppressions"})}
    status, body = await request.app.state.pool.check(payload)
    return Response(body, status_code=status, media_type="application/json")


@router.post("/v1/check", response_model=ReportDocument, responses=_ERRORS, summary="Check one draft")
async def check(body: CheckRequest, request: Request) -> Response:
    """The report of `tonecheck check --format json` for one text: same fields, same offsets
    (0-based code points into `text`), with `path` null."""
    return await _check(request, [body.text], body)


@router.post("/v1/check-batch", response_model=ReportDocument, responses=_ERRORS, summary="Check several drafts")
async def check_batch(body: BatchRequest, request: Request) -> Response:
    """One report per text in `results`, in the order of `texts`."""
    limit = request.app.state.options.max_batch
    if len(body.texts) > limit:
        raise ApiError(422, f"at most {limit} texts per request (got {len(body.texts)}); split the batch", "texts")
    return await _check(request, body.texts, body)


@router.get("/v1/rules", response_model=list[RuleSummary], summary="List the rules")
async def rules(request: Request) -> list[RuleSummary]:
    """The rules this service runs: what `tonecheck rules --format json` prints for its configuration."""
    return request.app.state.rules


@router.get("/v1/rules/{rule_id}", response_model=RuleDoc, responses={404: {"model": ErrorBody}}, summary="Explain a rule")
async def rule(rule_id: str, request: Request) -> RuleDoc:
    """Why the rule's phrasing hurts, what to write instead, and examples (as `tonecheck explain`)."""
    state = request.app.state
    try:
        loaded = find_rule(state.all_rules, rule_id, listing="GET /v1/rules lists them")
    except ConfigError as exc:
        raise ApiError(404, exc.detail, "rule_id") from None
    return document(loaded, state.severities[loaded.id], loaded.id in state.running, rule_url(loaded.id))


@router.get("/healthz", summary="Readiness", responses={503: {"description": "Still loading, or no worker could start."}})
async def healthz(request: Request) -> JSONResponse:
    """200 once a worker has loaded the pipeline and packs and can check; 503 before that."""
    status = request.app.state.pool.status
    if status.ready:
        state = "ready"
    else:
        state = "failed" if status.error else "loading"
    body = {
        "status": state,
        "workers_ready": status.ready,
        "workers": status.size,
        "restarts": status.restarts,
        "version": __version__,
    }
    if status.error and not status.ready:
        body["error"] = status.error
    return JSONResponse(body, status_code=200 if status.ready else 503)

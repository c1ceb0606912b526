"""The endpoints: checks and rules under ``/v1``, and ``/healthz``.

A check's answer is the CLI's wire format (``ReportDocument``), produced by the
worker and passed on as it is; the route only validates the request and picks
the worker (pool.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from tonecheck import __version__
from tonecheck.errors import ConfigError
from tonecheck.models import ReportDocument
from tonecheck.ruledoc import RuleDoc, RuleSummary, document, find_rule, rule_url
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


# The check endpoints and their bodies (app.py answers the valid ones without the router).
CHECKS: dict[str, type[CheckRequest] | type[BatchRequest]] = {"/v1/check": CheckRequest, "/v1/check-batch": BatchRequest}


def validated(body: bytes, content_type: str, model: type[CheckRequest] | type[BatchRequest], max_batch: int) -> int:
    """The characters to check in a check request's ``body``; ApiError or RequestValidationError if it is not one.

    The body is validated straight from its bytes (pydantic's JSON parser, no
    dict in between) and then sent to the worker as it came: on the hot path
    this halves what the HTTP process spends per check. The errors are the
    same ones FastAPI would raise, so the same handler answers them.
    """
    if "json" not in content_type:
        raise ApiError(415, f"send the body as JSON with `Content-Type: application/json` "
                       f"(got {content_type or 'no Content-Type'})", "Content-Type")
    if not body.strip():
        raise ApiError(422, 'the body is missing: send a JSON object such as {"text": "..."}', "body")
    try:
        checked = model.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    if isinstance(checked, CheckRequest):
        return len(checked.text)
    if len(checked.texts) > max_batch:
        raise ApiError(422, f"at most {max_batch} texts per request (got {len(checked.texts)}); split the batch", "texts")
    return sum(map(len, checked.texts))


async def _checked(request: Request, model: type[CheckRequest] | type[BatchRequest]) -> Response:
    body = await request.body()
    size = validated(body, request.headers.get("content-type", ""), model, request.app.state.options.max_batch)
    status, answer = await request.app.state.pool.check(body, size)
    return Response(answer, status_code=status, media_type="application/json")


def _body_schema(model: type) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


@router.post("/v1/check", response_model=ReportDocument, responses=_ERRORS, summary="Check one draft",
             openapi_extra=_body_schema(CheckRequest))
async def check(request: Request) -> Response:
    """The report of `tonecheck check --format json` for one text: same fields, same offsets
    (0-based code points into `text`), with `path` null."""
    return await _checked(request, CheckRequest)


@router.post("/v1/check-batch", response_model=ReportDocument, responses=_ERRORS, summary="Check several drafts",
             openapi_extra=_body_schema(BatchRequest))
async def check_batch(request: Request) -> Response:
    """One report per text in `results`, in the order of `texts`."""
    return await _checked(request, BatchRequest)


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
    return document(loaded, state.severities[loaded.id], loaded.id in state.running, rule_url(loaded.id, state.docs_url),
                    state.installed.get(loaded.id))


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

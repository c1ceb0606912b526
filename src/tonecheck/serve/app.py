"""The ASGI application: routes, middleware, error bodies and the draft page.

Built on FastAPI (Starlette underneath): request bodies are validated by the
same pydantic models the OpenAPI schema at ``/openapi.json`` is generated from,
and Starlette brings the CORS and body-size middleware. Every error, ours or
the framework's, is answered as ``ErrorBody`` JSON naming the field at fault;
an unexpected exception is logged with its traceback and answered with a 500
that carries none.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, State
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tonecheck import __version__
from tonecheck.config import Config
from tonecheck.linter import Linter, load_rules
from tonecheck.plugins import origin
from tonecheck.ruledoc import summary
from tonecheck.serve.models import BatchRequest, CheckRequest, error_json
from tonecheck.serve.pool import CheckFailed, WorkerPool
from tonecheck.serve.routes import CHECKS, ApiError, router, validated
from tonecheck.serve.security import LimitBody, RequireToken, send_json, too_large_message

log = logging.getLogger("tonecheck.serve")

STATIC = resources.files("tonecheck.serve") / "static"

# The draft page loads nothing from anywhere else, and may not be framed by other sites.
_PAGE_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
     b"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


@dataclass(frozen=True)
class ServeOptions:
    config: Config
    workers: int = 1
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    max_body: int = 1 << 20
    max_batch: int = 100
    timeout: float = 10.0


def create_app(options: ServeOptions) -> FastAPI:
    """The service for ``options``; its workers start with the app's lifespan.

    The configuration and packs are loaded here first, so a broken pack is an
    error before anything listens (the workers load the same ones).
    """
    linter = Linter(config=options.config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(options.config, options.workers, options.timeout)
        app.state.pool = pool
        pool.start()
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(
        title="tonecheck",
        version=__version__,
        summary="Pre-send tone checks for customer-support replies.",
        # The interactive docs pages load their scripts from a CDN; the schema is enough.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    _fill_state(app.state, linter, options)
    app.include_router(router)
    _document_bodies(app)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html")

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    _install_error_handlers(app, options)
    _add_middleware(app, options)
    return app


def _fill_state(state: State, linter: Linter, options: ServeOptions) -> None:
    """What the routes read from the app's state, worked out once: the options, every rule, which run, from which package."""
    state.options = options
    listed = sorted(linter.rules + linter.skipped_rules, key=lambda r: r.id)
    state.running = {r.id for r in linter.rules}
    state.severities = linter.severities
    state.all_rules = load_rules(options.config)
    state.docs_url = options.config.docs_url
    state.installed = {r.id: pack.distribution for r in state.all_rules if (pack := origin(r.path)) is not None}
    state.rules = [
        summary(r, linter.severities[r.id], r.id in state.running, state.installed.get(r.id)) for r in listed
    ]


def _add_middleware(app: FastAPI, options: ServeOptions) -> None:
    # Innermost first: the check endpoints' hot path, then the page's headers, ...
    app.add_middleware(_Checks, state=app.state)
    # ... outermost last: CORS answers preflights (which never carry a token) and
    # adds its headers to every answer, 401s included, so a helpdesk app can read them.
    app.add_middleware(_PageHeaders)
    app.add_middleware(LimitBody, limit=options.max_body)
    if options.token is not None:
        app.add_middleware(RequireToken, token=options.token)
    if options.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(options.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )


def _document_bodies(app: FastAPI) -> None:
    """The check routes validate their bodies themselves (routes.py); the schema still names the models."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (CheckRequest, BatchRequest):
                schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        return app.openapi_schema or schema

    app.openapi = openapi  # type: ignore[method-assign]


def _json_error(status: int, message: str, field: str | None = None, headers: dict | None = None) -> Response:
    return Response(error_json(status, message, field), status_code=status, media_type="application/json", headers=headers)


def _field(loc: tuple) -> str:
    """`("body", "texts", 3)` -> `texts[3]`: the field as a client names it."""
    out = ""
    for part in loc[1:] if loc and loc[0] == "body" else loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _validation_message(error: dict, field: str) -> str:
    kind = error.get("type")
    if kind == "missing":
        return f"`{field}` is missing"
    if kind == "extra_forbidden":
        return f"`{field}` is not a field of this request (misspelt?); see /openapi.json"
    given = repr(error.get("input"))
    given = given if len(given) <= 60 else given[:57] + "..."
    return f"`{field}`: {error.get('msg')} (got {given})"


def _install_error_handlers(app: FastAPI, options: ServeOptions) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            reason = (first.get("ctx") or {}).get("error") or first.get("msg", "malformed")
            return _json_error(400, f"the body is not valid JSON: {reason.removeprefix('Invalid JSON: ')}", "body")
        field = _field(tuple(first.get("loc", ())))
        return _json_error(422, _validation_message(first, field), field)

    @app.exception_handler(ApiError)
    async def refused(request: Request, exc: ApiError) -> Response:
        return _json_error(exc.status, exc.message, exc.field)

    @app.exception_handler(CheckFailed)
    async def failed(request: Request, exc: CheckFailed) -> Response:
        return _json_error(exc.status, exc.message, headers={"Retry-After": "1"})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 413:
            return _json_error(413, too_large_message(options.max_body), "body")
        if exc.status_code == 404:
            return _json_error(404, f"no such endpoint: {request.method} {request.url.path}; "
                               "the endpoints are listed in /openapi.json")
        if exc.status_code == 405:
            return _json_error(405, f"{request.method} is not allowed on {request.url.path}",
                               headers=dict(exc.headers or {}))
        return _json_error(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.error("error answering %s %s", request.method, request.url.path, exc_info=exc)
        return _json_error(500, "internal error; the server log has the details")


class _Checks:
    """The hot path of the check endpoints, inside the token, CORS and body-size middleware.

    A valid check request is validated, sent to the pool and answered here,
    without FastAPI's router, dependency solving and response classes (which
    cost more in the HTTP process than validating the body). Anything else, a
    chunked body or one that is not valid, goes on to FastAPI with the body
    replayed, and is answered there as before; so are other paths.
    """

    def __init__(self, app: ASGIApp, state: State):
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        model = CHECKS.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        headers = Headers(scope=scope) if model is not None else None
        if model is None or headers is None or not headers.get("content-length", "").isdigit():
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            size = validated(body, headers.get("content-type", ""), model, self.state.options.max_batch)
        except (ApiError, RequestValidationError):
            await self.app(scope, _replay(body, receive), send)
            return
        try:
            status, answer = await self.state.pool.check(body, size)
        except CheckFailed as exc:  # as the CheckFailed handler answers it
            await send_json(send, exc.status, error_json(exc.status, exc.message), [(b"retry-after", b"1")])
            return
        await send_json(send, status, answer)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for an app that reads a body already read."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class _PageHeaders:
    """Security headers on the draft page and its files (the API answers JSON only)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/" or path.startswith("/static/")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_PAGE_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""What a request must carry and how large it may be.

- with ``--token-file``, every request but ``/healthz`` needs the bearer token;
- a body over ``--max-body`` bytes is refused with 413 before it is read (by its
  Content-Length) or as soon as it passes the limit (a chunked body).

Starlette has a body limit of its own, but it answers a too-long Content-Length
in plain text, over any JSON error body; the service answers JSON everywhere.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tonecheck.errors import ConfigError
from tonecheck.serve.models import error_json

# Probes (load balancers, orchestrators) carry no token; the answer says nothing about the rules.
OPEN_PATHS = frozenset({"/healthz"})


def read_token(path: Path) -> str:
    """The token in ``path``: its content without surrounding whitespace (a trailing newline is common)."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read the token file: {exc}", field="--token-file") from None
    if not token:
        raise ConfigError(path, None, "the token file is empty; put one line of random text in it, "
                          "e.g. `openssl rand -hex 32 > FILE`", field="--token-file")
    if any(ch.isspace() for ch in token):
        raise ConfigError(path, None, "the token contains whitespace; a bearer token is one word", field="--token-file")
    return token


class RequireToken:
    """ASGI middleware answering 401 to a request without ``Authorization: Bearer <token>``."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self.token = token.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        value = Headers(scope=scope).get("authorization")
        if value is None:
            await _unauthorized(send, "this service needs a token: send `Authorization: Bearer <token>`")
            return
        scheme, _, credentials = value.partition(" ")
        # compare_digest takes as long whatever the first wrong byte is, so
        # response times do not tell a guesser how much of a token was right.
        if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip().encode("utf-8"), self.token):
            await _unauthorized(send, "the bearer token is not the one this service was started with")
            return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send, message: str) -> None:
    await send_json(send, 401, error_json(401, message, "Authorization"), [(b"www-authenticate", b'Bearer realm="tonecheck"')])


def too_large_message(limit: int) -> str:
    return f"the body is over the limit of {limit:,} bytes; send a shorter text or split the batch"


class LimitBody:
    """ASGI middleware answering 413 to a body over ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            await send_json(send, 413, error_json(413, too_large_message(self.limit), "body"), [(b"connection", b"close")])
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised inside the body read: FastAPI passes HTTPExceptions on to the error handlers.
                    raise HTTPException(413)
            return message

        await self.app(scope, counted, send)


async def send_json(send: Send, status: int, body: bytes, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """Answer ``body`` as JSON straight through ASGI."""
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
    })
    await send({"type": "http.response.body", "body": body})

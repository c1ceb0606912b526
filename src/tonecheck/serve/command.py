"""`tonecheck serve`: options, the listening socket, and uvicorn running the app."""

from __future__ import annotations

import argparse
import gc
import ipaddress
import logging
import socket
import sys
from collections.abc import Callable

import uvicorn

from tonecheck.config import Config
from tonecheck.serve.app import ServeOptions, create_app
from tonecheck.serve.security import read_token

log = logging.getLogger("tonecheck.serve")


def _logging(level: str) -> dict:
    config = {**uvicorn.config.LOGGING_CONFIG}
    config["loggers"] = {
        **config["loggers"],
        "tonecheck": {"handlers": ["default"], "level": level.upper(), "propagate": False},
    }
    return config


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        from tonecheck.errors import ConfigError

        raise ConfigError(None, None, f"cannot listen on {host}:{port}: {exc.strerror}", field="--host/--port") from None
    sock.set_inheritable(True)
    return sock


def run(args: argparse.Namespace, config_for: Callable[[], Config]) -> int:
    from tonecheck.errors import ConfigError

    for name, value, lowest in (("--workers", args.workers, 1), ("--max-batch", args.max_batch, 1),
                                ("--max-body", args.max_body, 1)):
        if value < lowest:
            raise ConfigError(None, None, f"{name} needs a number of at least {lowest} (got {value})", field=name)
    if args.timeout <= 0:
        raise ConfigError(None, None, f"--timeout needs a positive number of seconds (got {args.timeout:g})", field="--timeout")
    options = ServeOptions(
        config=config_for(),
        workers=args.workers,
        token=read_token(args.token_file) if args.token_file else None,
        cors_origins=tuple(args.cors_origin or ()),
        max_body=args.max_body,
        max_batch=args.max_batch,
        timeout=args.timeout,
    )
    app = create_app(options)  # loads the configuration and packs: errors end here, before listening
    gc.freeze()  # the objects loaded so far live as long as the server (see worker.py)
    sock = _bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    # One line a script (or a test) can wait for; --port 0 picks a free port and this says which.
    print(f"tonecheck serve: listening on {url} (draft page at {url}/, API under {url}/v1)", file=sys.stderr, flush=True)
    if not _is_loopback(args.host) and options.token is None:
        print(f"tonecheck serve: warning: {args.host} is reachable from other machines and no --token-file is set: "
              "anyone who reaches the port can use the service", file=sys.stderr, flush=True)
    config = uvicorn.Config(
        app,
        log_config=_logging(args.log_level),
        log_level=args.log_level,
        access_log=args.access_log,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0

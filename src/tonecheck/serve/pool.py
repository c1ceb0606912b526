"""Check worker processes: where the linting happens, each with its own Linter.

Why processes and not threads: a check that runs too long has to be stopped,
and a Python thread cannot be. Each worker is a child process
(``python -m tonecheck.serve.worker``) that lints one request at a time; when
one overruns the timeout it is killed, the request gets a 503, and a fresh
worker is started in its place while the others keep serving. A worker that
crashes is replaced the same way. The event loop never runs spaCy, so
``/healthz`` and the draft page answer while checks are running.

Each worker takes a request as one JSON line and answers with a framed body
(worker.py); the body is already the response the client gets, so the service
passes it on without parsing it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
from dataclasses import dataclass, field

from tonecheck.config import Config

log = logging.getLogger("tonecheck.serve")

# How long a request waits for a free worker before a 503: long enough to ride
# out a worker being replaced (loading spaCy and the packs takes seconds).
WAIT_FOR_WORKER = 30.0
# How long a starting worker may take to load before it is given up on.
LOAD_TIMEOUT = 180.0


class CheckFailed(Exception):
    """The service could not check this request; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(eq=False)  # compared and hashed by identity
class _Worker:
    process: asyncio.subprocess.Process
    alive: bool = True
    answer: asyncio.Future | None = None  # the request it is checking
    timer: asyncio.TimerHandle | None = None  # stops it when that takes too long

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class PoolStatus:
    size: int
    ready: int = 0
    restarts: int = 0
    error: str | None = field(default=None)


class WorkerPool:
    """``size`` worker processes and the requests waiting for them."""

    def __init__(self, config: Config, size: int, timeout: float):
        self.config = config
        self.timeout = timeout
        self.status = PoolStatus(size=size)
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._slots: list[asyncio.Task] = []
        self._workers: set[_Worker] = set()
        self._closing = False

    @property
    def ready(self) -> bool:
        return self.status.ready > 0

    def start(self) -> None:
        """Start the workers in the background; ``ready`` turns true as the first one has loaded."""
        self._slots = [asyncio.create_task(self._keep_slot(i)) for i in range(self.status.size)]

    async def close(self) -> None:
        self._closing = True
        for task in self._slots:
            task.cancel()
        await asyncio.gather(*self._slots, return_exceptions=True)
        for worker in list(self._workers):
            self._stop(worker)
        for worker in list(self._workers):
            with contextlib.suppress(ProcessLookupError):
                await worker.process.wait()

    async def check(self, request: bytes, size: int) -> tuple[int, bytes]:
        """The status and body for one check request (its JSON body), answered by the next free worker.

        ``size`` (the characters to check) only goes into the log of a check that overran.
        """
        while True:
            worker = self._idle.get_nowait() if not self._idle.empty() else None
            if worker is None or not worker.alive:
                worker = await self._next_worker()
            assert worker.process.stdin is not None
            try:
                worker.process.stdin.write(b"%d\n" % len(request) + request)
                break
            except (RuntimeError, OSError):  # it died idle and its reader has not noticed yet: take another
                self._stop(worker)
        answer = asyncio.get_running_loop().create_future()
        worker.answer = answer
        worker.timer = asyncio.get_running_loop().call_later(self.timeout, self._overran, worker, size)
        # A cancelled request (the server stopping) leaves the worker to finish
        # it: the reader sees the answer arrive and frees the worker then.
        return await answer

    def _overran(self, worker: _Worker, size: int) -> None:
        log.warning(
            "a check took longer than %.1f s (%d characters); stopped worker %d and started another",
            self.timeout, size, worker.pid,
        )
        self._stop(worker)
        self._fail(worker, CheckFailed(
            503,
            f"the check took longer than the service's limit of {self.timeout:g} s and was stopped; "
            "send a shorter text, or split it",
        ))

    @staticmethod
    def _fail(worker: _Worker, error: CheckFailed) -> None:
        if worker.answer is not None and not worker.answer.done():
            worker.answer.set_exception(error)
        worker.answer = None

    async def _next_worker(self) -> _Worker:
        deadline = time.monotonic() + WAIT_FOR_WORKER
        while True:
            remaining = deadline - time.monotonic()
            try:
                worker = await asyncio.wait_for(self._idle.get(), max(0.0, remaining))
            except TimeoutError:
                why = self.status.error or "every check worker is busy or still loading"
                raise CheckFailed(503, f"no check worker was free within {WAIT_FOR_WORKER:g} s ({why}); retry") from None
            if worker.alive:  # one that died while idle is skipped; its slot replaces it
                return worker

    async def _read_answers(self, worker: _Worker) -> None:
        """Hand each answer of ``worker`` to the request waiting for it, and free the worker."""
        stdout = worker.process.stdout
        assert stdout is not None
        try:
            while True:
                header = json.loads(await stdout.readuntil(b"\n"))
                body = await stdout.readexactly(header["length"])
                if worker.timer is not None:
                    worker.timer.cancel()
                if worker.answer is not None and not worker.answer.done():
                    worker.answer.set_result((header["status"], body))
                worker.answer = None
                if worker.alive:
                    self._idle.put_nowait(worker)
        except asyncio.IncompleteReadError:  # it exited: killed here after a timeout, or crashed
            code = await worker.process.wait()
            if worker.alive and not self._closing:
                log.error("worker %d exited with code %s; starting another", worker.pid, code)
        except (OSError, asyncio.LimitOverrunError, ValueError) as exc:
            log.error("worker %d answered out of protocol (%r); starting another", worker.pid, exc)
        self._stop(worker)
        self._fail(worker, CheckFailed(503, "the check worker stopped unexpectedly; retry the request"))

    def _stop(self, worker: _Worker) -> None:
        if worker.alive:
            worker.alive = False
            self.status.ready -= 1
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()

    async def _keep_slot(self, index: int) -> None:
        """Keep one worker running: start it, and start another whenever it stops."""
        while not self._closing:
            try:
                await self._run_slot()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not leave the slot empty for good
                log.exception("worker slot %d failed; starting it again", index)
                await asyncio.sleep(1.0)

    async def _run_slot(self) -> None:
        delay = 1.0
        first = True
        while not self._closing:
            worker = await self._spawn()
            if worker is None:  # it could not load; try again, less and less often
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 1.0
            if not first:
                self.status.restarts += 1
            first = False
            self.status.ready += 1
            self.status.error = None
            reader = asyncio.create_task(self._read_answers(worker))
            self._idle.put_nowait(worker)
            await worker.process.wait()
            await reader  # which has retired the worker
            self._workers.discard(worker)

    async def _spawn(self) -> _Worker | None:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tonecheck.serve.worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=None,
            # Its own session: a Ctrl-C in the terminal stops the server, which stops
            # the workers; it does not reach them half-way through a check.
            start_new_session=True,
        )
        worker = _Worker(process)
        self._workers.add(worker)
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(self.config.model_dump_json().encode("utf-8") + b"\n")
        try:
            header = json.loads(await asyncio.wait_for(process.stdout.readuntil(b"\n"), LOAD_TIMEOUT))
        except (TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            header = {"ready": False, "error": f"the worker did not start ({exc!r})"}
        except asyncio.CancelledError:  # the server is stopping while this one loads
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            raise
        if header.get("ready"):
            log.info("worker %d ready", process.pid)
            return worker
        self.status.error = header.get("error") or "the worker did not start"
        log.error("worker %d could not load: %s", process.pid, self.status.error)
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        self._workers.discard(worker)
        return None

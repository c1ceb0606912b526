"""Check worker processes: where the linting happens, each with its own Linter.

Why processes and not threads: a check that runs too long has to be stopped,
and a Python thread cannot be. Each worker is a child process
(``python -m tonecheck.serve.worker``) that lints one request at a time; when
one overruns the timeout it is killed, the request gets a 503, and a fresh
worker is started in its place while the others keep serving. A worker that
crashes is replaced the same way. The event loop never runs spaCy, so
``/healthz`` and the draft page answer while checks are running.

Requests that queue up while the workers are busy are sent to the next free
one together, in one message; it answers each as soon as its check is done, in
order (framing in worker.py), and each check keeps its own timeout. A request
that was sent but not started when its worker was stopped goes to another
worker. Each answer body is already the response the client gets, so the
service passes it on without parsing it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections import deque
from dataclasses import dataclass, field

from tonecheck.config import Config
from tonecheck.serve.worker import ANSWER, COUNT, LENGTH

log = logging.getLogger("tonecheck.serve")

# How long a request waits for a free worker before a 503: long enough to ride
# out a worker being replaced (loading spaCy and the packs takes seconds).
WAIT_FOR_WORKER = 30.0
# How long a starting worker may take to load before it is given up on.
LOAD_TIMEOUT = 180.0
# Most requests one worker takes from the queue in one message.
MAX_COALESCED = 16


class CheckFailed(Exception):
    """The service could not check this request; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(eq=False)
class _Job:
    """One check request (its JSON body) and the client waiting for its answer."""

    request: bytes
    size: int  # the characters to check, for the log of one that overran
    answer: asyncio.Future
    waiting: asyncio.TimerHandle | None = None  # gives up on a free worker after WAIT_FOR_WORKER


@dataclass(eq=False)  # compared and hashed by identity
class _Worker:
    process: asyncio.subprocess.Process
    alive: bool = True
    # Sent and not answered yet, in the order the worker checks them: the first
    # one is being checked, the others wait in its input.
    jobs: deque[_Job] = field(default_factory=deque)
    timer: asyncio.TimerHandle | None = None  # stops it when the first job takes too long

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
    """``size`` worker processes and the requests waiting for them.

    Requests that arrive while every worker is busy queue up; a worker that
    comes free takes its share of the queue in one message (one write here,
    one read there), checks them one after the other and answers each as soon
    as it is done. Each request's check still has its own ``timeout``: the
    clock of the next one starts when the answer before it arrives.
    """

    def __init__(self, config: Config, size: int, timeout: float):
        self.config = config
        self.timeout = timeout
        self.status = PoolStatus(size=size)
        self._pending: deque[_Job] = deque()
        self._idle: deque[_Worker] = deque()
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
        while self._pending:
            self._settle(self._pending.popleft(), CheckFailed(503, "the service is stopping; retry the request"))

    async def check(self, request: bytes, size: int) -> tuple[int, bytes]:
        """The status and body for one check request (its JSON body), answered by the next free worker.

        ``size`` (the characters to check) only goes into the log of a check that overran.
        """
        loop = asyncio.get_running_loop()
        job = _Job(request, size, loop.create_future())
        self._queue(job)
        self._dispatch()
        # A cancelled request (the server stopping) cancels its future: one still
        # queued is dropped, one already sent is left to its worker to finish.
        return await job.answer

    def _queue(self, job: _Job, first: bool = False) -> None:
        job.waiting = asyncio.get_running_loop().call_later(WAIT_FOR_WORKER, self._gave_up, job)
        if first:
            self._pending.appendleft(job)
        else:
            self._pending.append(job)

    def _gave_up(self, job: _Job) -> None:
        with contextlib.suppress(ValueError):
            self._pending.remove(job)
        why = self.status.error or "every check worker is busy or still loading"
        self._settle(job, CheckFailed(503, f"no check worker was free within {WAIT_FOR_WORKER:g} s ({why}); retry"))

    def _dispatch(self) -> None:
        """Send the queued requests to the idle workers, each its share, one message each."""
        while self._pending and self._idle:
            worker = self._idle.popleft()
            if not worker.alive:  # one that died while idle is skipped; its slot replaces it
                continue
            # With several workers, one that comes free does not take what the
            # others will be free for soon: the queue is shared out.
            share = min(MAX_COALESCED, -(-len(self._pending) // max(1, self.status.ready)))
            jobs = []
            while self._pending and len(jobs) < share:
                job = self._pending.popleft()
                if job.waiting is not None:
                    job.waiting.cancel()
                if not job.answer.done():  # not cancelled by its client meanwhile
                    jobs.append(job)
            if not jobs:
                self._idle.appendleft(worker)
                continue
            assert worker.process.stdin is not None
            frame = [COUNT.pack(len(jobs))]
            for job in jobs:
                frame += (LENGTH.pack(len(job.request)), job.request)
            try:
                worker.process.stdin.write(b"".join(frame))
            except (RuntimeError, OSError):  # it died idle and its reader has not noticed yet: take another
                for job in reversed(jobs):
                    self._queue(job, first=True)
                self._stop(worker)
                continue
            worker.jobs.extend(jobs)
            self._arm(worker)

    def _arm(self, worker: _Worker) -> None:
        """Start the clock of the worker's first job (the one it is checking now)."""
        if worker.jobs:
            worker.timer = asyncio.get_running_loop().call_later(self.timeout, self._overran, worker)

    def _overran(self, worker: _Worker) -> None:
        job = worker.jobs.popleft() if worker.jobs else None
        log.warning(
            "a check took longer than %.1f s (%d characters); stopped worker %d and started another",
            self.timeout, job.size if job else 0, worker.pid,
        )
        self._stop(worker)
        if job is not None:
            self._settle(job, CheckFailed(
                503,
                f"the check took longer than the service's limit of {self.timeout:g} s and was stopped; "
                "send a shorter text, or split it",
            ))
        self._requeue(worker)

    def _requeue(self, worker: _Worker) -> None:
        """The jobs a stopped worker had not started go back to the front of the queue, in order."""
        while worker.jobs:
            job = worker.jobs.pop()
            if not job.answer.done():
                self._queue(job, first=True)
        self._dispatch()

    @staticmethod
    def _settle(job: _Job, outcome: tuple[int, bytes] | CheckFailed) -> None:
        if job.waiting is not None:
            job.waiting.cancel()
        if job.answer.done():
            return
        if isinstance(outcome, CheckFailed):
            job.answer.set_exception(outcome)
        else:
            job.answer.set_result(outcome)

    async def _read_answers(self, worker: _Worker) -> None:
        """Hand each answer of ``worker`` to the request waiting for it, and free the worker when it has none left."""
        stdout = worker.process.stdout
        assert stdout is not None
        try:
            while True:
                status, length = ANSWER.unpack(await stdout.readexactly(ANSWER.size))
                body = await stdout.readexactly(length)
                if not worker.alive:  # stopped, and its jobs answered or sent elsewhere: what was in the pipe is late
                    continue
                if worker.timer is not None:
                    worker.timer.cancel()
                    worker.timer = None
                if not worker.jobs:
                    raise ValueError("an answer to no request")
                self._settle(worker.jobs.popleft(), (status, body))
                if worker.jobs:
                    self._arm(worker)
                else:
                    self._idle.append(worker)
                    self._dispatch()
        except asyncio.IncompleteReadError:  # it exited: killed here after a timeout, or crashed
            code = await worker.process.wait()
            if worker.alive and not self._closing:
                log.error("worker %d exited with code %s; starting another", worker.pid, code)
        except (OSError, ValueError) as exc:
            log.error("worker %d answered out of protocol (%r); starting another", worker.pid, exc)
        if worker.timer is not None:
            worker.timer.cancel()
        self._stop(worker)
        if worker.jobs:  # the one it was checking; the others were not started and go to another worker
            self._settle(worker.jobs.popleft(), CheckFailed(503, "the check worker stopped unexpectedly; retry the request"))
        self._requeue(worker)

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
            self._idle.append(worker)
            self._dispatch()
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

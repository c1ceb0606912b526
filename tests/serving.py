"""Start the real `tonecheck serve` as a subprocess on a free port, for the service tests."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


class Server:
    """`tonecheck serve --port 0 ARGS`; ``url`` once it listens, ``log`` is its stderr so far."""

    def __init__(self, *args: str, cwd: Path | None = None, wait_ready: bool = True):
        env = {**os.environ, "XDG_CONFIG_HOME": str(Path(cwd or REPO) / ".no-user-config")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tonecheck.cli", "serve", "--port", "0", *args],
            cwd=cwd or REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.lines: list[str] = []
        self._listening = threading.Event()
        self.url = ""
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._listening.wait(120):
            self.stop()
            raise AssertionError(f"the server did not start listening:\n{self.log}")
        if wait_ready:
            self.wait_ready()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            found = re.search(r"listening on (http://\S+?) ", line)
            if found:
                self.url = found.group(1)
                self._listening.set()
        self._listening.set()

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log}")
            try:
                answer = httpx.get(f"{self.url}/healthz", timeout=5)
                if answer.status_code == 200:
                    return answer.json()
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server was not ready within {timeout} s:\n{self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

"""The real server of production, gunicorn, started for a test on a loopback port.

It runs ``wsgi:app`` in worker processes of its own, against the test database, so nothing in
this process (no frozen clock, no shared session) can help it. Its clock is the machine's plus a
fixed offset (``SALUS_CLOCK_OFFSET``), which the test reads back through :meth:`Gunicorn.now`.
"""
from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import signal
import subprocess  # nosec B404 - starts our own server on loopback
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HARD_LIMIT_S = 300  # the server dies by itself after this, even if the test run is killed
REQUEST_TIMEOUT_S = 30


@dataclass
class Answer:
    """One request's outcome, with when it left and came back on the server's clock."""

    status: int | None
    body: Any
    sent_at: dt.datetime
    answered_at: dt.datetime
    error: str = ""

    @property
    def latency(self) -> float:
        return (self.answered_at - self.sent_at).total_seconds()

    @property
    def code(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code")
        return None


class Gunicorn:
    def __init__(self, *, port: int, env: dict[str, str], log_dir: Path, workers: int = 3, threads: int = 8,
                 clock_offset_s: float = 0.0) -> None:
        self.port = port
        self.offset_text = f"{clock_offset_s:.6f}"  # the server parses this very text
        self.error_log = log_dir / "gunicorn-error.log"
        self.access_log = log_dir / "gunicorn-access.log"
        self.env = {**env, "SALUS_CLOCK_OFFSET": self.offset_text}
        self.command = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
                        "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
                        "--timeout", str(REQUEST_TIMEOUT_S), "--graceful-timeout", "1",
                        # The app is built once, before the workers fork (it opens no connection).
                        "--preload",
                        "--error-logfile", str(self.error_log), "--capture-output",
                        "--access-logfile", str(self.access_log),
                        "wsgi:app"]
        if _has_setting("control_socket_disable"):
            # Newer gunicorns open a control socket in the home folder; a test server needs none.
            self.command.insert(-1, "--no-control-socket")
        watchdog = shutil.which("timeout")
        if watchdog:
            # GNU timeout passes our signal on to gunicorn, and kills it if we never send one.
            self.command = [watchdog, "--kill-after=5", str(HARD_LIMIT_S), *self.command]
        self.process: subprocess.Popen[bytes] | None = None
        self._fallback: threading.Timer | None = None

    def now(self) -> dt.datetime:
        """The server's clock: the machine's plus the offset, exactly as app.core.clock computes it."""
        return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=float(self.offset_text))

    def start(self, ready_within_s: float = 30) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT,  # nosec B603 - fixed argv
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        self._fallback = threading.Timer(HARD_LIMIT_S + 10, self.stop)
        self._fallback.daemon = True
        self._fallback.start()
        deadline = time.monotonic() + ready_within_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            if self.request("GET", "/healthz").status == 200:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {ready_within_s} s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the server we started, by its process id (and its own process group if it hangs)."""
        if self._fallback is not None:
            self._fallback.cancel()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown; timeout passes it on
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group start_new_session gave our server alone
            process.wait(timeout=10)

    def log(self) -> str:
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""

    def crashes(self) -> str:
        """The server's log from its first traceback or worker time-out on ('' when there is none)."""
        log = self.log()
        found = [i for i in (log.find("Traceback"), log.find("WORKER TIMEOUT")) if i >= 0]
        return log[min(found):][:3000] if found else ""

    def request(self, method: str, path: str, *, token: str | None = None, body: Any = None) -> Answer:
        """One request on its own connection, as a browser or a phone app would open it."""
        headers = {"Connection": "close"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
        sent = self.now()
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            status = response.status
        except OSError as error:  # refused, reset, timed out: the request was not answered
            return Answer(None, None, sent, self.now(), error=repr(error))
        finally:
            connection.close()
        answered = self.now()
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload[:200].decode(errors="replace")
        return Answer(status, parsed, sent, answered)


def _has_setting(name: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == name for setting in KNOWN_SETTINGS)


def fire_together(server: Gunicorn, requests: list[dict[str, Any]]) -> list[Answer]:
    """Send every request at the same instant, each from its own thread; answers in order."""
    barrier = threading.Barrier(len(requests))
    answers: list[Answer | None] = [None] * len(requests)

    def one(index: int, request: dict[str, Any]) -> None:
        barrier.wait()
        answers[index] = server.request(**request)

    threads = [threading.Thread(target=one, args=(i, r), daemon=True) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S + 10)
    return [a if a is not None else Answer(None, None, server.now(), server.now(), error="thread hung")
            for a in answers]


def wait_until(server: Gunicorn, moment: dt.datetime) -> None:
    """Wait on the server's clock for a moment a fraction of a second to a few seconds ahead."""
    remaining = (moment - server.now()).total_seconds()
    if remaining > 0:
        time.sleep(remaining)

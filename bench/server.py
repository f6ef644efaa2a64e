"""gunicorn for the product and for the bare app, with the same settings, and the resident
memory of its workers read from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
TIMEOUT_S = 30  # gunicorn's default: what a deployment following the README gets


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command(app: str, port: int, workers: int = WORKERS) -> list[str]:
    """The README's deployment line (sync workers, 30 s timeout) on a loopback port."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        str(TIMEOUT_S),
        "--log-level",
        "warning",
        app,
    ]


@dataclass
class Server:
    name: str
    app: str
    env: dict[str, str]
    workers: int = WORKERS
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    started_workers: set[int] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path, ready_path: str = "/", wait_s: float = 120) -> None:
        self.log_path = log_dir / f"gunicorn-{self.name}.log"
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            gunicorn_command(self.app, self.port, self.workers),
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + ready_path, timeout=30):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"gunicorn ({self.name}) did not answer in {wait_s} s")
        # every worker answers once it has booted: wait until all are there
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        self.started_workers = set(self.worker_pids())

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def worker_rss_mb(self) -> dict[int, float]:
        return {pid: rss for pid in self.worker_pids() if (rss := rss_mb(pid)) is not None}

    def restarted_workers(self) -> int:
        """Workers that are not the ones started (gunicorn replaced them: timeouts, crashes)."""
        return len(set(self.worker_pids()) - self.started_workers)

    def worker_timeouts(self) -> int:
        """Requests gunicorn killed at its timeout so far (its log's WORKER TIMEOUT lines)."""
        if not self.log_path or not self.log_path.exists():
            return 0
        return self.log_path.read_text(errors="replace").count("WORKER TIMEOUT")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=TIMEOUT_S + 5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (the gunicorn master's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def parse_vmrss_mb(status_text: str) -> float | None:
    """VmRSS of a /proc/<pid>/status text, in MB (MiB); None when absent."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            value, unit = line.split()[1:3]
            assert unit == "kB", unit
            return int(value) / 1024
    return None


def rss_mb(pid: int) -> float | None:
    try:
        return parse_vmrss_mb(Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None

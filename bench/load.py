"""Load with wrk: 16 connections for a fixed time against one URL, the session cookie sent on
every request; wrk's own report (bench/report.lua) read back as figures.

wrk (C, epoll) rather than a Python load generator because the client shares the machine's
two cores with the server: wrk spends a small fraction of a core at the bare route's rate,
where a Python client would itself become the ceiling being measured.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

LUA = Path(__file__).with_name("report.lua")
MARKER = "WRK_JSON "


@dataclass(frozen=True)
class LoadResult:
    url: str
    seconds: float
    requests: int
    bytes: int
    errors: int  # connect, read, write errors, non-2xx/3xx answers and timeouts together
    timeouts: int
    status_errors: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def bytes_per_response(self) -> float | None:
        return self.bytes / self.requests if self.requests else None

    def as_dict(self) -> dict:
        return {**asdict(self), "rps": self.rps, "bytes_per_response": self.bytes_per_response}


def parse_report(url: str, output: str) -> LoadResult:
    """wrk's stdout → figures (the line our Lua ``done`` writes)."""
    line = next((ln for ln in output.splitlines() if ln.startswith(MARKER)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report for {url}:\n{output}")
    raw = json.loads(line[len(MARKER) :])

    def ms(key: str) -> float | None:
        return None if raw[key] < 0 else raw[key] / 1000

    errors = sum(
        raw[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return LoadResult(
        url=url,
        seconds=raw["duration_us"] / 1e6,
        requests=raw["requests"],
        bytes=raw["bytes"],
        errors=errors,
        timeouts=raw["timeouts"],
        status_errors=raw["status_errors"],
        p50_ms=ms("p50_us"),
        p95_ms=ms("p95_us"),
        p99_ms=ms("p99_us"),
        max_ms=ms("max_us"),
    )


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench installs it)")
    return path


def wrk_version() -> str:
    done = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True)
    lines = (done.stdout or done.stderr).splitlines()
    return lines[0].strip() if lines else "?"


def run_wrk(
    url: str,
    *,
    seconds: float,
    connections: int = 16,
    threads: int = 2,
    cookie: str | None = None,
    timeout_s: float = 60,
) -> LoadResult:
    """Bounded in time: wrk stops after ``seconds``; the process is killed if it overstays."""
    command = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={round(timeout_s)}s",
        "-s",
        str(LUA),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + timeout_s + 30, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}) for {url}: {done.stderr}")
    return parse_report(url, done.stdout)

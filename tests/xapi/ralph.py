"""A real learning record store for the tests: Ralph (``ralph-malph`` from PyPI) in its own
virtual environment, with its file-system backend, started as a subprocess on a free port.

The environment is ``~/.cache/lms-tests/ralph-venv-<version>`` (``LMS_TEST_RALPH_VENV``
overrides it), made and filled by the first test session that needs it (under a file lock,
so parallel workers install it once). A Ralph that cannot be installed or started fails the
tests: it is never a skip."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

RALPH_VERSION = "5.1.0"
# The CLI (``ralph auth``) needs the cli extra; Ralph's OIDC module imports requests.
REQUIREMENTS = (f"ralph-malph[cli,lrs]=={RALPH_VERSION}", "requests")
USERNAME = "lms"
PASSWORD = "lrs-secret-for-tests"


# Ralph's app under uvicorn, in one process (``ralph runserver`` adds a reloading parent).
# Ralph 5.1's file-system LRS backend writes each request with its data backend's default
# operation, CREATE, which refuses a file that exists: every POST after the first one would
# fail. Appending is what an LRS on one file needs, so the backend is set to append.
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="warning")
"""


def venv_path() -> Path:
    override = os.environ.get("LMS_TEST_RALPH_VENV")
    if override:
        return Path(override)
    return Path.home() / ".cache" / "lms-tests" / f"ralph-venv-{RALPH_VERSION}"


def ensure_venv() -> Path:
    """The Ralph virtual environment, installed on first use; returns its python."""
    path = venv_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = path / ".lms-installed"
    with open(path.parent / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists() or marker.read_text() != " ".join(REQUIREMENTS):
            subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
            subprocess.run(
                [str(path / "bin" / "python"), "-m", "pip", "install", "-q", *REQUIREMENTS],
                check=True,
            )
            marker.write_text(" ".join(REQUIREMENTS))
    return path / "bin" / "python"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ralph:
    """One LRS: ``start()``, ``stop()`` (and start again on the same port and data)."""

    def __init__(self, workdir: Path) -> None:
        self.python = ensure_venv()
        self.workdir = workdir
        self.data = workdir / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
            "RALPH_APP_DIR": str(workdir),
            "RALPH_AUTH_FILE": str(workdir / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
        }
        subprocess.run(
            [
                str(self.python.parent / "ralph"),
                "auth",
                "-u",
                USERNAME,
                "-p",
                PASSWORD,
                "-s",
                "all",
                "-M",
                "mailto:lms-tests@example.org",
                "-w",
            ],
            env=self.env,
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        """The xAPI endpoint, as ``LMS_XAPI_LRS_URL`` names it."""
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self) -> None:
        log = open(self.workdir / "ralph.log", "ab")  # noqa: SIM115 (kept for the process)
        self.process = subprocess.Popen(
            [str(self.python), "-c", SERVE, "127.0.0.1", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "Ralph stopped at start:\n" + (self.workdir / "ralph.log").read_text()
                )
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1
                ) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("Ralph did not answer within 60 s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def statements(self, **query: str) -> list[dict]:
        """GET /xAPI/statements (every page)."""
        auth = b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        found: list[dict] = []
        url = self.url + "statements?" + "&".join(f"{k}={v}" for k, v in query.items())
        while url:
            request = urllib.request.Request(
                url,
                headers={"Authorization": f"Basic {auth}", "X-Experience-API-Version": "1.0.3"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                page = json.loads(response.read())
            found += page["statements"]
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else ""
        return found

    def validate(self, statements: list[dict]) -> list[str]:
        """Each statement through Ralph's xAPI pydantic model (``BaseXapiStatement``) in
        Ralph's own environment; the errors, empty when all are accepted."""
        script = (
            "import json, sys\n"
            "from ralph.models.xapi.base.statements import BaseXapiStatement\n"
            "errors = []\n"
            "for s in json.load(sys.stdin):\n"
            "    try:\n"
            "        BaseXapiStatement(**s)\n"
            "    except Exception as e:\n"
            "        errors.append(str(e))\n"
            "print(json.dumps(errors))\n"
        )
        done = subprocess.run(
            [str(self.python), "-c", script],
            input=json.dumps(statements),
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout)

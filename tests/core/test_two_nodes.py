"""Two app nodes, as the README's production recipe runs them: two gunicorn processes on free
ports, ``LMS_ENV=production``, one database (the test's: PostgreSQL in the PostgreSQL phase, a
SQLite file otherwise), one Redis for the rate limits, one folder for the files. A user logs in
on one node and carries on on the other; a rate limit counts the requests of both; a logout on
one ends the session on both (sessions are AuthSession rows, not process memory)."""

from __future__ import annotations

import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.client import cookie_header, csrf_token, request
from bench.server import Server
from lms.accounts.models import Role
from tests.conftest import TEST_PASSWORD
from tests.core.conftest import REDIS_URL

LOGIN_PER_ACCOUNT = 3


@pytest.fixture
def nodes(app, database_url, redis_db, tmp_path):
    shared = tmp_path / "shared"  # the folder every node mounts (evidence files, badge key)
    env = {
        "LMS_ENV": "production",
        "SECRET_KEY": "two-nodes-one-secret-key-" + "x" * 32,  # the same on every node
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on the loopback
        "MAIL_SERVER": "",
        "LMS_RATELIMIT_STORAGE_URL": REDIS_URL,
        "LMS_RATELIMIT_LOGIN": f"{LOGIN_PER_ACCOUNT}/minute",
        "LMS_RATELIMIT_LOGIN_PER_ADDRESS": "100/minute",
        "LMS_EVIDENCE_DIR": str(shared / "evidence"),
        "LMS_BADGE_KEY_FILE": str(shared / "badge_key.pem"),
        "PYTHONUNBUFFERED": "1",
    }
    servers = [Server(name, "lms:create_app()", dict(env), workers=1) for name in ("a", "b")]
    for server in servers:
        server.env["LMS_BASE_URL"] = server.base_url
    with ThreadPoolExecutor(2) as pool:  # both boot at once, and stop at once
        try:
            list(pool.map(lambda s: s.start(tmp_path, ready_path="/healthz", wait_s=90), servers))
            yield servers
        finally:
            list(pool.map(_stop, servers))


def _stop(server: Server) -> None:
    """gunicorn's quick shutdown (SIGINT): nothing is left to finish, so no graceful wait."""
    if server.process and server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _form(node: Server, path: str, cookies: dict[str, str]) -> str:
    """A page's CSRF token, for the session in ``cookies`` (updated with what the node sets)."""
    page = request(node.base_url, "GET", path, cookie=cookie_header(cookies))
    cookies.update(page.cookies)
    return csrf_token(page.body)


def _post(node: Server, path: str, cookies: dict[str, str], form: dict[str, str], page=None):
    token = _form(node, page or path, cookies)
    answer = request(
        node.base_url,
        "POST",
        path,
        cookie=cookie_header(cookies),
        form={**form, "csrf_token": token},
    )
    cookies.update(answer.cookies)
    return answer


def test_a_session_and_a_rate_limit_span_two_nodes(nodes, make_user):
    a, b = nodes
    user = make_user(Role.TRAINEE)

    # Logged in on A, carrying on on B with the same cookie.
    cookies: dict[str, str] = {}
    signed_in = _post(a, "/auth/login", cookies, {"email": user.email, "password": TEST_PASSWORD})
    assert signed_in.status == 302, signed_in.body[-500:]
    on_b = request(b.base_url, "GET", "/notifications", cookie=cookie_header(cookies))
    assert on_b.status == 200
    assert user.full_name.encode() in on_b.body
    saved = _post(b, "/auth/profile", cookies, {"preferred_language": "fr"})
    assert saved.status == 302 and saved.location.endswith("/auth/profile")

    # The login limit counts the submissions made to both nodes.
    for i in range(LOGIN_PER_ACCOUNT):
        node = (a, b)[i % 2]
        assert _post(node, "/auth/login", {}, {"email": "target@example.org"}).status == 200
    for node in (a, b):
        refused = _post(node, "/auth/login", {}, {"email": "target@example.org"})
        assert refused.status == 429
        assert b"Too many requests" in refused.body

    # A logout on B ends the session on A too: the copied cookie no longer signs in.
    before = cookie_header(cookies)
    assert _post(b, "/auth/logout", cookies, {}, page="/notifications").status == 302
    after_logout = request(a.base_url, "GET", "/notifications", cookie=before)
    assert after_logout.status == 302 and "/auth/login" in after_logout.location

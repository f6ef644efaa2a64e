"""Rate limits (lms/core/ratelimit.py): each limited endpoint answers 429 after N requests in
the window (N from the configuration, small here), with ``Retry-After``, the page in the layout
or a problem document; per-account and per-address counts apart; Redis shared by two apps."""

from __future__ import annotations

import base64
import inspect

import pytest
from limits import parse

from lms import create_app
from lms.accounts.models import Role
from lms.api import tokens
from lms.config import ConfigError, load_config
from lms.core import clock as lms_clock
from lms.core import ratelimit
from lms.core.extensions import db
from tests.conftest import _config, login
from tests.core.conftest import REDIS_URL

LIMITS = {
    "LMS_RATELIMIT_LOGIN": "3/minute",
    "LMS_RATELIMIT_LOGIN_PER_ADDRESS": "4/minute",
    "LMS_RATELIMIT_RESET": "2/minute",
    "LMS_RATELIMIT_RESET_PER_ADDRESS": "3/minute",
    "LMS_RATELIMIT_REPORTS": "2/minute",
    "LMS_RATELIMIT_REPORTS_PER_ADDRESS": "50/minute",
    "LMS_RATELIMIT_EXPORTS": "2/minute",
    "LMS_RATELIMIT_EXPORTS_PER_ADDRESS": "50/minute",
    "LMS_RATELIMIT_API": "3/minute",
    "LMS_RATELIMIT_API_PER_ADDRESS": "5/minute",
}


def limited_config(database_url: str, **extra) -> dict:
    settings = {
        "WTF_CSRF_ENABLED": False,
        "LMS_RATELIMIT_ENABLED": True,
        "LMS_RATELIMIT_STORAGE_URL": "memory://",
        **LIMITS,
    }
    return _config(database_url, **{**settings, **extra})


@pytest.fixture
def app_config(database_url: str) -> dict:
    return limited_config(database_url)


def allowed(app, key: str) -> int:
    """N: the requests a limit lets through in its window, read from the configuration."""
    return parse(app.config[key]).amount


def window(app, key: str) -> int:
    return parse(app.config[key]).get_expiry()


def assert_429_page(response, seconds_at_most: int) -> str:
    assert response.status_code == 429, response.status_code
    retry = response.headers["Retry-After"]
    assert retry.isdigit() and 0 < int(retry) <= seconds_at_most
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<main id="main"' in html  # inside the base layout
    assert f"Wait {retry} seconds" in html or f"Wait {retry} second," in html
    return html


def assert_429_problem(response, seconds_at_most: int) -> dict:
    assert response.status_code == 429, response.status_code
    retry = response.headers["Retry-After"]
    assert retry.isdigit() and 0 < int(retry) <= seconds_at_most
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 429 and body["title"] == "Too Many Requests"
    assert body["retry_after"] == int(retry) and retry in body["detail"]
    return body


def post_login(client, email: str, address: str = "127.0.0.1", **kwargs):
    # No password: the form is refused before any password check, but the submission counts.
    return client.post(
        "/auth/login", data={"email": email}, environ_base={"REMOTE_ADDR": address}, **kwargs
    )


# Login and password reset ----------------------------------------------------------------------


def test_login_per_address(app, client):
    n = allowed(app, "LMS_RATELIMIT_LOGIN_PER_ADDRESS")
    for i in range(n):  # a different account each time: only the address count reaches N
        assert post_login(client, f"user{i}@example.org").status_code == 200
    assert_429_page(post_login(client, "another@example.org"), window(app, "LMS_RATELIMIT_LOGIN"))
    # Another address is not held back, and the page itself is never limited.
    assert post_login(client, "another@example.org", "10.0.0.2").status_code == 200
    assert client.get("/auth/login").status_code == 200


def test_login_per_account_from_many_addresses(app, client):
    n = allowed(app, "LMS_RATELIMIT_LOGIN")
    for i in range(n):
        assert post_login(client, "Target@Example.org", f"10.0.1.{i}").status_code == 200
    # The same account (any spelling of its email) from yet another address: refused.
    assert post_login(client, "target@example.org", "10.0.1.99").status_code == 429
    # Another account from one of those addresses: its own count.
    assert post_login(client, "other@example.org", "10.0.1.0").status_code == 200


def test_two_accounts_from_one_address_count_apart(app, client):
    per_account = allowed(app, "LMS_RATELIMIT_LOGIN")
    assert per_account < allowed(app, "LMS_RATELIMIT_LOGIN_PER_ADDRESS")
    for _ in range(per_account):
        assert post_login(client, "first@example.org").status_code == 200
    assert post_login(client, "first@example.org").status_code == 429
    assert post_login(client, "second@example.org").status_code == 200


def test_the_page_is_in_french_for_a_french_reader(app, client):
    for i in range(allowed(app, "LMS_RATELIMIT_LOGIN_PER_ADDRESS")):
        post_login(client, f"user{i}@example.org")
    response = post_login(client, "x@example.org", headers={"Accept-Language": "fr"})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Trop de requêtes" in html and "Too many" not in html
    assert '<html lang="fr"' in html


def test_password_reset_per_account_and_per_address(app, client):
    def post(email: str, address: str):
        return client.post(
            "/auth/reset", data={"email": email}, environ_base={"REMOTE_ADDR": address}
        )

    for i in range(allowed(app, "LMS_RATELIMIT_RESET")):
        assert post("someone@example.org", f"10.0.2.{i}").status_code != 429
    assert_429_page(post("someone@example.org", "10.0.2.50"), 60)
    for i in range(allowed(app, "LMS_RATELIMIT_RESET_PER_ADDRESS")):
        assert post(f"reader{i}@example.org", "10.0.3.1").status_code != 429
    assert post("fresh@example.org", "10.0.3.1").status_code == 429
    assert post("fresh@example.org", "10.0.3.2").status_code != 429


# Reports and exports ---------------------------------------------------------------------------


def test_report_generation_per_user(app, client, logged_in):
    logged_in(Role.TRAINEE)
    n = allowed(app, "LMS_RATELIMIT_REPORTS")
    for _ in range(n):  # an incomplete request (400) counts: the limit comes before the work
        assert client.post("/reports/generate", data={"kind": "trainee"}).status_code != 429
    assert_429_page(client.post("/reports/generate", data={"kind": "trainee"}), 60)
    # The report pages themselves are not limited.
    assert client.get("/reports/").status_code == 200


def test_report_generation_counts_each_user_apart(app, make_user):
    first, second = app.test_client(), app.test_client()
    login(first, make_user(Role.TRAINEE))
    login(second, make_user(Role.TRAINEE))
    for _ in range(allowed(app, "LMS_RATELIMIT_REPORTS")):
        first.post("/reports/generate", data={})
    assert first.post("/reports/generate", data={}).status_code == 429
    assert second.post("/reports/generate", data={}).status_code != 429  # same address


def test_exports_count_only_the_csv_answers(app, client, logged_in):
    logged_in(Role.TRAINEE)
    n = allowed(app, "LMS_RATELIMIT_EXPORTS")
    for _ in range(n):
        response = client.get("/notifications?format=csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
    assert_429_page(client.get("/notifications?format=csv"), 60)
    assert client.get("/notifications").status_code == 200  # the page is not an export
    # One count for all exports: another list's CSV is refused too.
    assert client.get("/courses/?format=csv").status_code == 429


def test_every_csv_view_declares_the_export_limit(app):
    """A list page that answers ``?format=csv`` without the limit would be an open door."""
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if "wants_csv()" in inspect.getsource(inspect.unwrap(view))
        and "exports" not in getattr(view, "rate_limits", ())
    ]
    assert missing == []
    declared = {e for e, v in app.view_functions.items() if getattr(v, "rate_limits", ())}
    assert {"auth.login", "auth.request_reset", "api.create_token", "reports.generate"} <= declared


# The API ---------------------------------------------------------------------------------------


@pytest.fixture
def make_token(app):
    def make(user) -> dict[str, str]:
        _record, secret = tokens.create_token(
            db.session, user, name="test", scope="read", days=30, now=lms_clock.now()
        )
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


def test_api_per_token_is_a_problem_document(app, client, make_user, make_token):
    headers = make_token(make_user(Role.TRAINEE))
    for _ in range(allowed(app, "LMS_RATELIMIT_API")):
        assert client.get("/api/v1/users/me", headers=headers).status_code == 200
    assert_429_problem(client.get("/api/v1/users/me", headers=headers), 60)
    # Another token from the same address is under its own count (the address's is 5).
    other = make_token(make_user(Role.TRAINEE))
    assert client.get("/api/v1/users/me", headers=other).status_code == 200


def test_api_per_address_counts_every_caller(app, client):
    n = allowed(app, "LMS_RATELIMIT_API_PER_ADDRESS")
    for i in range(n):  # each with its own (unknown) token: 401, counted against the address
        bearer = {"Authorization": f"Bearer lms_guess{i}"}
        assert client.get("/api/v1/users/me", headers=bearer).status_code == 401
    response = client.get("/api/v1/users/me", headers={"Authorization": "Bearer lms_next"})
    assert_429_problem(response, 60)


def test_api_token_from_a_password_counts_as_a_login(app, client):
    def basic(address: str):
        raw = base64.b64encode(b"victim@example.org:wrong").decode()
        return client.post(
            "/api/v1/tokens",
            json={"name": "x", "scope": "read"},
            headers={"Authorization": f"Basic {raw}"},
            environ_base={"REMOTE_ADDR": address},
        )

    for i in range(allowed(app, "LMS_RATELIMIT_LOGIN")):
        assert basic(f"10.0.4.{i}").status_code == 401
    assert_429_problem(basic("10.0.4.99"), 60)


# What is never limited, and the switch -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/static/css/app.css", "/auth/login"])
def test_static_health_and_pages_are_never_limited(database_url, _schema, path):
    ones = {key: "1/minute" for key in LIMITS}
    app = create_app(limited_config(database_url, **ones))
    client = app.test_client()
    assert all(client.get(path).status_code == 200 for _ in range(5))


def test_limits_are_off_when_disabled(database_url, _schema):
    app = create_app(limited_config(database_url, LMS_RATELIMIT_ENABLED=False))
    client = app.test_client()
    assert all(post_login(client, "a@example.org").status_code == 200 for _ in range(6))


def test_retry_after_is_the_time_until_the_oldest_counted_request_leaves(app, monkeypatch):
    """A fake clock for the limiter's storage: no waiting for the window."""
    import limits.storage.memory as memory

    class Clock:
        now = 1_000_000.0

        def time(self) -> float:
            return self.now

    clock = Clock()
    monkeypatch.setattr(memory, "time", clock)
    monkeypatch.setattr(ratelimit, "time", clock)
    client = app.test_client()
    n = allowed(app, "LMS_RATELIMIT_LOGIN")
    for _ in range(n):
        post_login(client, "clock@example.org")
    clock.now += 20
    response = post_login(client, "clock@example.org")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(window(app, "LMS_RATELIMIT_LOGIN") - 20)
    clock.now += 40.5
    assert post_login(client, "clock@example.org").status_code == 200


# Storage ---------------------------------------------------------------------------------------


def test_two_apps_on_redis_share_one_count(database_url, _schema, redis_db):
    config = limited_config(database_url, LMS_RATELIMIT_STORAGE_URL=REDIS_URL)
    one, two = create_app(config).test_client(), create_app(config).test_client()
    n = allowed(one.application, "LMS_RATELIMIT_LOGIN")
    for i in range(n):
        assert post_login(one if i % 2 else two, "shared@example.org").status_code == 200
    assert post_login(one, "shared@example.org").status_code == 429
    assert post_login(two, "shared@example.org").status_code == 429
    assert any(b"/lms/email:shared@example.org/login" in key for key in redis_db.scan_iter())


def test_two_apps_in_memory_count_apart(database_url, _schema):
    """Why production refuses memory storage: each process would allow the whole limit."""
    config = limited_config(database_url)
    one, two = create_app(config).test_client(), create_app(config).test_client()
    for _ in range(allowed(one.application, "LMS_RATELIMIT_LOGIN")):
        post_login(one, "apart@example.org")
    assert post_login(one, "apart@example.org").status_code == 429
    assert post_login(two, "apart@example.org").status_code == 200


def test_a_storage_that_does_not_answer_does_not_stop_the_site(database_url, _schema):
    app = create_app(
        limited_config(database_url, LMS_RATELIMIT_STORAGE_URL="redis://127.0.0.1:1/0")
    )
    client = app.test_client()
    assert all(post_login(client, "down@example.org").status_code == 200 for _ in range(5))


# Configuration ---------------------------------------------------------------------------------


def test_production_refuses_memory_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.delenv("LMS_RATELIMIT_STORAGE_URL", raising=False)
    with pytest.raises(ConfigError, match="LMS_RATELIMIT_STORAGE_URL"):
        load_config(tmp_path)
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URL", "memory://")
    with pytest.raises(ConfigError, match="LMS_RATELIMIT_ALLOW_MEMORY"):
        load_config(tmp_path)
    monkeypatch.setenv("LMS_RATELIMIT_ALLOW_MEMORY", "1")
    assert load_config(tmp_path)["LMS_RATELIMIT_STORAGE_URL"] == "memory://"
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URL", REDIS_URL)
    monkeypatch.delenv("LMS_RATELIMIT_ALLOW_MEMORY")
    config = load_config(tmp_path)
    assert config["LMS_RATELIMIT_ENABLED"] is True
    assert config["LMS_RATELIMIT_LOGIN"] == "5/minute"
    assert config["LMS_RATELIMIT_API_PER_ADDRESS"] == "600/minute"


def test_a_malformed_limit_stops_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_RATELIMIT_EXPORTS", "thirty a minute")
    with pytest.raises(ConfigError, match="LMS_RATELIMIT_EXPORTS must look like"):
        load_config(tmp_path)

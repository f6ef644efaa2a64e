"""Every answer refuses framing and sniffing and keeps its address to the site, and loads
scripts and styles only from the site's files (no inline code, no eval); production adds HSTS;
downloads (a list's CSV; the certificate PDF in tests/reports) are kept by no cache, while
versioned static files stay cached for a year."""

from __future__ import annotations

import pytest

from lms import create_app
from lms.accounts.models import Role
from lms.core.security_headers import POLICY
from tests.conftest import login


def _directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize("path", ["/auth/login", "/healthz", "/api/v1/openapi.json", "/nowhere"])
def test_every_answer_refuses_framing_and_sniffing(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'" and policy["object-src"] == "'none'"
    assert "Strict-Transport-Security" not in response.headers  # not in development


def test_production_remembers_https(app_config):
    production = create_app({**app_config, "LMS_ENV": "production", "SECRET_KEY": "x" * 40})
    response = production.test_client().get("/healthz")
    hsts = response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000


def test_personal_downloads_are_not_stored_and_assets_stay_cached(client, make_user):
    login(client, make_user(Role.ADMIN))
    export = client.get("/admin/users?format=csv")
    assert export.mimetype == "text/csv" and export.cache_control.no_store
    template = client.get("/admin/users/import/template.csv")
    assert template.cache_control.no_store  # a download is never kept, even a template
    css = client.get("/static/css/app.css?v=1")
    assert css.cache_control.max_age and not css.cache_control.no_store


def test_the_policy_names_no_other_site():
    assert "http" not in POLICY and "*" not in POLICY


@pytest.mark.parametrize("path", ["/auth/login", "/api/v1/docs"])
def test_scripts_and_styles_come_only_from_the_site_files(client, path):
    policy = _directives(client.get(path).headers["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    for directive in ("script-src", "style-src"):
        sources = policy[directive].split()
        assert sources == ["'self'"], (directive, sources)  # no inline, eval, nonce or hash
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    assert policy["img-src"].split() == ["'self'", "data:"]  # Bootstrap's icons are data: SVG
    assert policy["connect-src"] == "'self'" and policy["font-src"] == "'self'"

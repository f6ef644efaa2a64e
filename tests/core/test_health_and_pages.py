"""Health check, error pages inside the layout, locally served assets."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db


def test_healthz_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert (body["database"], body["backend"]) == ("up", db.engine.dialect.name)


def test_healthz_reports_a_broken_database(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "down"


def test_404_page_is_inside_the_layout(client, logged_in):
    logged_in(Role.TRAINEE)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and 'class="navbar' in html


def test_navigation_follows_roles(client, logged_in):
    logged_in(Role.TRAINEE)
    assert "Administration" not in client.get("/").get_data(as_text=True)


def test_admin_navigation_shows_admin_pages(client, logged_in):
    logged_in(Role.ADMIN)
    html = client.get("/").get_data(as_text=True)
    assert "/admin/users" in html and "/admin/members" in html and "/admin/audit" in html


def test_pages_use_no_cdn_and_serve_bootstrap_locally(client):
    html = client.get("/auth/login").get_data(as_text=True)
    sources = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert sources, html
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
    css = next(s for s in sources if "bootstrap" in s and ".css?v=" in s)
    assert client.get(css).status_code == 200


def test_french_speaking_user_gets_french_dates_locale(client, logged_in):
    user = logged_in(Role.TRAINEE, preferred_language="fr")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert user.preferred_language == "fr"

"""Light on the wire: compressed pages and files, versioned static URLs cached for a year, a
favicon, signed-in pages not stored; a cold first page and a later page within their budgets
(bytes as sent, compressed, measured here)."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from lms.accounts.models import Role

COLD_PAGE_BUDGET = 100 * 1024
LATER_PAGE_BUDGET = 15 * 1024


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:static|bootstrap/static)/[^"]+)"', html)


@pytest.mark.parametrize(
    ("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_pages_and_files_are_compressed(client, encoding, decode):
    plain = client.get("/auth/login")
    packed = client.get("/auth/login", headers={"Accept-Encoding": f"{encoding}, deflate"})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert decode(packed.data).decode().count("<form") == plain.get_data(as_text=True).count(
        "<form"
    )
    css = next(a for a in _assets(plain.get_data(as_text=True)) if "bootstrap.min.css" in a)
    raw = client.get(css).data
    sent = client.get(css, headers={"Accept-Encoding": encoding})
    assert sent.headers["Content-Encoding"] == encoding and decode(sent.data) == raw
    assert len(sent.data) < len(raw) / 4


def test_static_files_are_versioned_and_cached_for_a_year(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assets = _assets(html)
    assert len(assets) >= 4 and all(re.search(r"\?v=[0-9a-f]{12}$", a) for a in assets)
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200
        cache = response.cache_control
        assert cache.max_age == 365 * 86400 and cache.public and cache.immutable, url
    unversioned = client.get(assets[0].split("?")[0])
    assert not unversioned.cache_control.immutable


def test_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    assert 'rel="icon"' in client.get("/auth/login").get_data(as_text=True)


def test_signed_in_pages_are_not_stored_and_public_ones_may_be(client, logged_in):
    assert not client.get("/auth/login").cache_control.no_store
    logged_in(Role.TRAINEE)
    response = client.get("/")
    assert response.status_code == 200
    assert response.cache_control.no_store and response.cache_control.private


def test_a_cold_first_page_and_a_later_page_are_within_budget(client, logged_in):
    """Cold: the page and every asset it links, as sent with gzip. Later: the assets are
    cached (versioned, a year), so only the page itself travels."""
    logged_in(Role.TRAINEE)
    gz = {"Accept-Encoding": "gzip"}
    page = client.get("/", headers=gz)
    html = gzip.decompress(page.data).decode()
    cold = len(page.data) + sum(len(client.get(a, headers=gz).data) for a in _assets(html))
    assert cold < COLD_PAGE_BUDGET, cold
    later = client.get("/courses/", headers=gz)
    assert later.status_code == 200 and len(later.data) < LATER_PAGE_BUDGET, len(later.data)


def test_in_debug_mode_an_edited_file_gets_a_new_url(app, tmp_path):
    """A developer's edit under a running server must not hide behind a year-long cache."""
    from lms.core.assets import asset_url

    (tmp_path / "x.css").write_text("a{}")
    app.static_folder = str(tmp_path)
    app.debug = True
    with app.test_request_context("/"):
        before = asset_url("static", "x.css")
        (tmp_path / "x.css").write_text("a{color:red}")
        assert asset_url("static", "x.css") != before
    app.debug = False
    with app.test_request_context("/"):
        first = asset_url("static", "x.css")
        (tmp_path / "x.css").write_text("b{}")
        assert asset_url("static", "x.css") == first  # in production: once per process

"""Organisation settings: an admin page (admin only, audited, images checked by content)
whose values every certificate prints; and the LMS_BASE_URL warning on the admin pages."""

from __future__ import annotations

import io
import logging

import pytest
import sqlalchemy as sa
from PIL import Image

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.models import AuditEntry
from lms.reports.models import OrganisationSettings
from tests.conftest import post_form


def _png(size=(240, 120), colour=(13, 59, 102)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 90), (20, 20, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


SETTINGS = {
    "name": "Customs Capacity <b>Directorate</b>",
    "signatory_name": "Amara Okafor",
    "signatory_title": "Director of Capacity Building",
}


def _save(client, **files):
    data = dict(SETTINGS)
    for field, (content, filename) in files.items():
        data[field] = (io.BytesIO(content), filename)
    return post_form(client, "/admin/organisation", data, content_type="multipart/form-data")


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.DIRECTORATE, Role.TRAINER])
def test_settings_page_is_refused_to_non_admins(client, logged_in, role):
    logged_in(role)
    assert client.get("/admin/organisation").status_code == 403
    assert post_form(client, "/admin/organisation", SETTINGS).status_code == 403
    assert db.session.scalar(sa.select(OrganisationSettings)) is None


def test_admin_saves_settings_with_images_audited_and_linked_from_the_nav(client, logged_in):
    logged_in(Role.ADMIN)
    html = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/organisation"' in html
    response = _save(client, logo=(_png(), "logo.png"), signature=(_jpeg(), "sig.jpg"))
    assert response.status_code == 302
    settings = db.session.scalar(sa.select(OrganisationSettings))
    assert settings.name == SETTINGS["name"] and settings.signatory_name == "Amara Okafor"
    assert settings.logo.startswith(b"\x89PNG") and settings.signature.startswith(b"\xff\xd8")
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "organisation.update")
    )
    assert entry.after["signatory_title"] == "Director of Capacity Building"
    assert entry.after["logo"] and entry.after["signature"]
    assert client.get("/admin/organisation/logo").mimetype == "image/png"
    # Saving again without files keeps the images; "remove" clears one.
    assert _save(client).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(OrganisationSettings)).logo
    data = {**SETTINGS, "remove_logo": "y"}
    assert post_form(client, "/admin/organisation", data).status_code == 302
    db.session.expire_all()
    settings = db.session.scalar(sa.select(OrganisationSettings))
    assert settings.logo is None and settings.signature is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganisationSettings)) == 1


@pytest.mark.parametrize(
    "content, filename",
    [
        (b"<html><script>alert(1)</script></html>", "logo.png"),
        (b"%PDF-1.7 not an image", "logo.jpg"),
        (b"GIF89a\x01\x00\x01\x00", "logo.gif"),
    ],
)
def test_a_logo_that_is_not_a_png_or_jpeg_image_is_refused(client, logged_in, content, filename):
    logged_in(Role.ADMIN)
    response = _save(client, logo=(content, filename))
    assert response.status_code == 200
    assert "Upload a PNG or JPEG image." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(OrganisationSettings)) is None


def test_an_oversized_image_is_refused(client, logged_in):
    from lms.reports.organisation import MAX_IMAGE_BYTES

    logged_in(Role.ADMIN)
    too_big = _png() + b"\0" * MAX_IMAGE_BYTES
    response = _save(client, signature=(too_big, "sig.png"))
    assert response.status_code == 200
    assert "The image is larger than" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(OrganisationSettings)) is None


BANNER = 'id="base-url-warning"'


@pytest.mark.parametrize(
    "base_url", ["http://localhost:8000", "https://localhost", "http://lms.example.org"]
)
def test_base_url_warning_when_served_elsewhere(app, client, logged_in, caplog, base_url):
    app.config["LMS_BASE_URL"] = base_url
    app.extensions.pop("lms.base_url_checked", None)
    with caplog.at_level(logging.WARNING, logger="lms.core.base_url"):
        logged_in(Role.ADMIN)
        html = client.get("/admin/users").get_data(as_text=True)
        client.get("/admin/organisation")
    assert BANNER in html and base_url in html
    warnings = [r for r in caplog.records if "LMS_BASE_URL" in r.getMessage()]
    assert len(warnings) == 1 and "http://localhost/" in warnings[0].getMessage()
    # Only the admin pages carry the banner.
    assert BANNER not in client.get("/learning").get_data(as_text=True)


@pytest.mark.parametrize(
    "base_url", ["http://localhost", "http://LOCALHOST:80/", "http://localhost/lms"]
)
def test_no_base_url_warning_when_the_address_matches(app, client, logged_in, caplog, base_url):
    app.config["LMS_BASE_URL"] = base_url
    app.extensions.pop("lms.base_url_checked", None)
    with caplog.at_level(logging.WARNING, logger="lms.core.base_url"):
        logged_in(Role.ADMIN)
        html = client.get("/admin/users").get_data(as_text=True)
    assert BANNER not in html
    assert not [r for r in caplog.records if "LMS_BASE_URL" in r.getMessage()]


def test_served_on_another_port_warns(app, logged_in, client):
    logged_in(Role.ADMIN)
    html = client.get("/admin/users", base_url="http://localhost:5001").get_data(as_text=True)
    assert BANNER in html and "http://localhost:5001/" in html

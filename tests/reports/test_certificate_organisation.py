"""The certificate prints the organisation settings: the name and logo at the top, the
signatory's name, title and signature at the bottom; still one landscape page whose QR code
decodes to the verification address."""

from __future__ import annotations

import io
import shutil
import subprocess

import pypdf
import pytest
import sqlalchemy as sa

from lms.core.extensions import db
from lms.progress.models import Certificate
from lms.reports import organisation
from tests.admin.test_organisation import SETTINGS, _jpeg, _png
from tests.conftest import login
from tests.reports.conftest import pdf_text


def _image_xobjects(page) -> list:
    xobjects = page["/Resources"].get("/XObject") or {}
    found = []
    for ref in xobjects.values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            found.append(obj)
        elif obj.get("/Subtype") == "/Form":  # reportlab may wrap images in a form
            inner = (obj.get("/Resources") or {}).get("/XObject") or {}
            found += [
                r.get_object() for r in inner.values() if r.get_object().get("/Subtype") == "/Image"
            ]
    return found


def _certificate_pdf(client, elodie) -> tuple[bytes, Certificate]:
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == elodie.id))
    login(client, elodie)
    return client.get(f"/reports/certificates/{certificate.id}.pdf").data, certificate


def test_certificate_prints_the_organisation_and_signatory_with_both_images(
    client, elodie, tmp_path
):
    organisation.update(db.session, actor=None, logo=_png(), signature=_jpeg(), **SETTINGS)
    db.session.commit()
    content, certificate = _certificate_pdf(client, elodie)
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text, _pages = pdf_text(content)
    flat = " ".join(text.split())
    # Escaped: the markup typed into the name arrives as characters.
    assert "Customs Capacity <b>Directorate</b>" in flat
    assert "Amara Okafor" in flat and "Director of Capacity Building" in flat
    assert len(_image_xobjects(reader.pages[0])) == 2
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("needs pdftoppm and zbarimg")
    (tmp_path / "c.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "c.pdf", "c"], cwd=tmp_path, check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "c.png"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert decoded == f"http://localhost/verify/{certificate.verification_code}"


def test_certificate_without_settings_says_so_plainly(client, elodie):
    content, _certificate = _certificate_pdf(client, elodie)
    flat = " ".join(pdf_text(content)[0].split())
    assert "Capacity LMS" in flat and "Authorised signatory" in flat
    assert _image_xobjects(pypdf.PdfReader(io.BytesIO(content)).pages[0]) == []

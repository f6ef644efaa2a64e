"""The certificate is one designed landscape page whose QR code leads to its verification
page, which says valid; it is downloadable from the holder's learning page."""

from __future__ import annotations

import io
import shutil
import subprocess
from urllib.parse import urlsplit

import pypdf
import pytest
import sqlalchemy as sa

from lms.core.extensions import db
from lms.progress import services as progress
from lms.progress.models import Certificate
from tests.conftest import login
from tests.reports.conftest import pdf_text


def _certificate(elodie) -> Certificate:
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == elodie.id))


def test_certificate_is_one_landscape_page_with_competencies_and_no_page_furniture(
    client, elodie, world
):
    certificate = _certificate(elodie)
    login(client, elodie)
    content = client.get(f"/reports/certificates/{certificate.id}.pdf").data
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text, _pages = pdf_text(content)
    flat = " ".join(text.split())
    assert "Élodie Laurent" in flat and "Data specialists" in flat
    assert certificate.verification_code in flat
    assert f"Issued on {certificate.issued_on.isoformat()}" in flat
    assert "page 1 of 1" not in flat
    # Every target competency of the track, with the level the holder's latest rating gives.
    db.session.expire_all()
    targets = world.specialists.targets
    ratings = progress.ratings_as_of(
        db.session, user_ids=[elodie.id], competency_ids=[t.competency_id for t in targets]
    )
    assert len(targets) == 2
    for target in targets:
        level = ratings[(elodie.id, target.competency_id)].level.name
        assert f"{target.competency.code} {target.competency.short_name} {level}" in flat


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools)",
)
def test_certificate_qr_code_leads_to_a_verification_page_that_says_valid(
    client, app, elodie, tmp_path
):
    certificate = _certificate(elodie)
    login(client, elodie)
    (tmp_path / "c.pdf").write_bytes(client.get(f"/reports/certificates/{certificate.id}.pdf").data)
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
    expected = f"{app.config['LMS_BASE_URL'].rstrip('/')}/verify/{certificate.verification_code}"
    assert decoded == expected
    page = app.test_client().get(urlsplit(decoded).path)
    assert page.status_code == 200 and "Valid" in page.get_data(as_text=True)


def test_holder_downloads_the_certificate_from_the_learning_page(client, elodie):
    certificate = _certificate(elodie)
    login(client, elodie)
    html = client.get("/learning").get_data(as_text=True)
    link = f"/reports/certificates/{certificate.id}.pdf"
    assert f'href="{link}"' in html
    assert client.get(link).mimetype == "application/pdf"


def test_a_long_competency_list_is_counted_not_cut_silently(app):
    from datetime import date

    from lms.reports.certificate_page import SHOWN, CertificateData, certificate_pdf

    competencies = [(f"C.{n} Competency {n}", "Practitioner") for n in range(SHOWN + 3)]
    with app.test_request_context():
        content = certificate_pdf(
            CertificateData(
                holder="Zoë Kamau",
                track="Experts",
                code="AAAA-BBBB-CCCC",
                issued_on=date(2026, 3, 2),
                expires_on=None,
                verify_url="http://localhost/verify/AAAA-BBBB-CCCC",
                competencies=competencies,
            )
        )
    text, pages = pdf_text(content)
    flat = " ".join(text.split())
    assert pages == 1
    assert f"C.{SHOWN - 1} Competency {SHOWN - 1}" in flat and f"C.{SHOWN} " not in flat
    assert "and 3 more, in the holder's record" in flat


def test_the_certificate_pdf_is_kept_by_no_cache(client, elodie):
    login(client, elodie)
    pdf = client.get(f"/reports/certificates/{_certificate(elodie).id}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.cache_control.no_store and pdf.cache_control.private
    assert pdf.headers["X-Frame-Options"] == "DENY"

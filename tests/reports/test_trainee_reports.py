"""Trainee progress report, exports, complete record, certificates and who may download them."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import openpyxl
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.progress import services as progress
from lms.progress.models import Certificate, CompetencyRating
from lms.reports.models import ReportKind, ReportRun, RunStatus
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY
from tests.reports.conftest import pdf_text


def _generate(client, kind, fmt="pdf", **params):
    data = {"kind": kind, "format": fmt, **{k: str(v) for k, v in params.items()}}
    return post_form(client, "/reports/generate", data)


def _download(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "/download" in response.headers["Location"]
    return client.get(response.headers["Location"])


def test_trainee_report_pdf_has_names_figures_and_accents(client, elodie, world):
    login(client, elodie)
    response = _download(client, _generate(client, "trainee", user_id=elodie.id))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text, pages = pdf_text(response.data)

    db.session.expire_all()
    state = progress.progress_for_tracks(db.session, elodie, [world.specialists])[0]
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == elodie.id))
    ratings = db.session.scalars(
        sa.select(CompetencyRating).where(CompetencyRating.user_id == elodie.id)
    ).all()
    assert "Élodie Laurent" in text
    assert "Direction Générale des Douanes du Sénégal" in text
    assert f"page 1 of {pages}" in text and f"page {pages} of {pages}" in text
    assert "Data specialists" in text and str(state.percent) in text
    assert state.percent == 100
    assert "DQ101" in text and "ST201" in text
    assert re.search(r"\b81\b", text) and re.search(r"\b92\b", text)  # scores, as numbers
    assert certificate.verification_code in text
    assert {r.level.name for r in ratings} <= set(text.split())
    assert "DM.1 Data quality" in text
    run = db.session.scalar(sa.select(ReportRun))
    assert run.status == RunStatus.DONE and run.requested_by_id == elodie.id
    assert run.kind == ReportKind.TRAINEE and run.parameters == {"user_id": elodie.id}
    assert run.duration_ms is not None and run.finished_at >= run.started_at


def test_a_trainee_cannot_download_another_trainees_report_or_the_directorate_report(
    client, elodie, make_user, app
):
    other = make_user(Role.TRAINEE, email="other@example.org")
    login(client, elodie)
    own = _generate(client, "trainee", user_id=elodie.id)
    run_id = int(own.headers["Location"].split("/")[-2])
    client = app.test_client()
    login(client, other)
    assert _generate(client, "trainee", user_id=elodie.id).status_code == 403
    assert _generate(client, "trainee_record", "zip", user_id=elodie.id).status_code == 403
    assert _generate(client, "directorate", start="2026-01-01", end="2026-12-31").status_code == 403
    assert client.get(f"/reports/runs/{run_id}/download").status_code == 403
    assert client.get(f"/reports/runs/{run_id}").status_code == 403
    assert client.get(f"/reports/trainees/{elodie.id}").status_code == 403
    assert client.get("/reports/statistics").status_code == 403
    assert client.get("/reports/schedules/").status_code == 403
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == elodie.id))
    assert client.get(f"/reports/certificates/{certificate.id}.pdf").status_code == 403
    # With a valid CSRF token the role check refuses her; without one, the CSRF check comes
    # first and refuses the request as malformed.
    assert post_form(client, "/reports/certificates/").status_code == 403
    assert client.post("/reports/certificates/").status_code == 400
    # The other trainee's list shows only their own runs (none).
    listing = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/runs/{run_id}" not in listing and "No reports generated yet" in listing
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportRun)) == 1


def test_directorate_staff_download_a_trainees_report(client, elodie, logged_in):
    logged_in(Role.DIRECTORATE)
    assert client.get(f"/reports/trainees/{elodie.id}").status_code == 200
    response = _download(client, _generate(client, "trainee", user_id=elodie.id))
    assert "Élodie Laurent" in pdf_text(response.data)[0]


def test_trainee_tables_as_csv_and_xlsx(client, elodie, world):
    login(client, elodie)
    archive = zipfile.ZipFile(
        io.BytesIO(_download(client, _generate(client, "trainee", "csv", user_id=elodie.id)).data)
    )
    names = archive.namelist()
    assert any(n.endswith("-transcript.csv") for n in names)
    assert any(n.endswith("-certificates.csv") for n in names)
    transcript = next(n for n in names if n.endswith("-transcript.csv"))
    rows = list(csv.reader(io.StringIO(archive.read(transcript).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Course", "Title"]
    assert sorted(r[0] for r in rows[1:]) == ["DQ101", "ST201"]
    assert {r[5] for r in rows[1:]} == {"81.0", "92.0"}

    response = _download(client, _generate(client, "trainee", "xlsx", user_id=elodie.id))
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Transcript" in workbook.sheetnames and "Certificates" in workbook.sheetnames
    sheet = workbook["Certificates"]
    code = db.session.scalar(
        sa.select(Certificate.verification_code).where(Certificate.user_id == elodie.id)
    )
    assert [c.value for c in sheet[2]][:2] == ["Data specialists", code]
    scores = sorted(row[5] for row in workbook["Transcript"].iter_rows(min_row=2, values_only=True))
    assert scores == [81.0, 92.0]


def test_complete_record_is_a_zip_with_pdf_and_json(client, elodie):
    login(client, elodie)
    response = _download(client, _generate(client, "trainee_record", "zip", user_id=elodie.id))
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert len(names) == 2
    pdf_name = next(n for n in names if n.endswith(".pdf"))
    record = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
    assert "Élodie Laurent" in pdf_text(archive.read(pdf_name))[0]
    assert {"profile", "enrolments", "ratings", "evidence", "certificates"} <= set(record)
    assert record["profile"]["full_name"] == "Élodie Laurent"
    assert record["profile"]["country_code"] == "SN"
    assert sorted(e["course"] for e in record["enrolments"]) == ["DQ101", "ST201"]
    db.session.expire_all()
    assert len(record["ratings"]) == db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CompetencyRating)
        .where(CompetencyRating.user_id == elodie.id)
    )
    assert record["certificates"][0]["track"] == "DS"


def test_certificate_pdf_and_public_verification(client, elodie, app):
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == elodie.id))
    login(client, elodie)
    response = client.get(f"/reports/certificates/{certificate.id}.pdf")
    text, pages = pdf_text(response.data)
    assert pages == 1
    assert "Élodie Laurent" in text and certificate.verification_code in text
    assert "Data specialists" in text and TODAY.isoformat() in text

    anonymous = app.test_client()
    page = anonymous.get(f"/verify/{certificate.verification_code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Élodie Laurent" in html and "Data specialists" in html and "Valid" in html
    assert "elodie@example.org" not in html and "Sénégal" not in html
    assert anonymous.get("/verify/AAAA-BBBB-CCCC").status_code == 404


def test_admin_downloads_all_certificates_of_a_track_as_one_zip(
    client, elodie, world, make_user, logged_in
):
    from tests.reports.conftest import complete

    second = make_user(Role.TRAINEE, full_name="Zoë Kamau")
    progress.enrol_in_track(db.session, second, world.specialists, actor=second)
    complete(world, second, world.session_a)
    complete(world, second, world.session_b)
    db.session.commit()
    logged_in(Role.ADMIN)
    response = post_form(
        client, "/reports/certificates/", {"track_id": str(world.specialists.id), "session_id": "0"}
    )
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    codes = set(db.session.scalars(sa.select(Certificate.verification_code)))
    assert len(archive.namelist()) == 2
    assert {
        n.rsplit("-", 3)[-3] + "-" + n.rsplit("-", 3)[-2] + "-" + n.rsplit("-", 3)[-1][:4]
        for n in archive.namelist()
    } == codes
    texts = [pdf_text(archive.read(n))[0] for n in archive.namelist()]
    assert any("Zoë Kamau" in t for t in texts) and any("Élodie Laurent" in t for t in texts)
    by_session = post_form(
        client, "/reports/certificates/", {"track_id": "0", "session_id": str(world.session_a.id)}
    )
    assert len(zipfile.ZipFile(io.BytesIO(by_session.data)).namelist()) == 2
    nothing = post_form(client, "/reports/certificates/", {"track_id": "0", "session_id": "0"})
    assert (
        nothing.status_code == 200
        and "Choose a track, a session or a period" in nothing.get_data(as_text=True)
    )

"""Evidence files: checked by content, capped in size, kept under a random name inside the
evidence folder, and served (as a download, with its real type and ``nosniff``) only to those
who may read the trainee's record."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.config import load_config
from lms.core.extensions import db
from lms.core.filetypes import FileKind, detect
from lms.progress import services
from lms.progress.models import CompetencyRating, EvidenceFile, PriorLearningClaim
from tests.conftest import _config, login, post_form
from tests.progress import evidence_samples as samples

LIMIT = 64 * 1024


@pytest.fixture
def evidence_dir(tmp_path) -> Path:
    return tmp_path / "evidence"


@pytest.fixture
def app_config(database_url, evidence_dir) -> dict:
    return _config(database_url, LMS_EVIDENCE_DIR=str(evidence_dir), LMS_EVIDENCE_MAX_BYTES=LIMIT)


@pytest.fixture
def kenyan(world, make_user, make_member):
    member = make_member(name="Kenya Revenue Authority", country_code="KE")
    return make_user(Role.TRAINEE, full_name="Amina Otieno", member=member)


@pytest.fixture
def ugandan(make_user, make_member):
    member = make_member(name="Uganda Revenue Authority", country_code="UG")
    return make_user(Role.TRAINEE, full_name="Okello Ssemakula", member=member)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _claim(client, world, trainee, content: bytes, filename: str):
    return post_form(
        client,
        f"/trainees/{trainee.id}/competencies/{world.stats.id}",
        {
            "action": "claim",
            "claim-level_id": str(world.levels["Advanced"].id),
            "claim-description": "MSc in statistics, 2019",
            "claim-evidence_file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def test_an_allowed_pdf_is_stored_and_served_to_the_trainee_and_not_to_another_administration(
    app, world, kenyan, ugandan, evidence_dir
):
    pdf = samples.pdf()
    client = app.test_client()
    login(client, kenyan)
    response = _claim(client, world, kenyan, pdf, "../../etc/Diploma MSc.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)

    evidence = db.session.scalar(sa.select(EvidenceFile))
    claim = db.session.scalar(sa.select(PriorLearningClaim))
    assert (evidence.user_id, evidence.claim_id, evidence.rating_id) == (kenyan.id, claim.id, None)
    assert (evidence.kind, evidence.size_bytes) == (FileKind.PDF, len(pdf))
    assert evidence.original_name == "Diploma MSc.pdf"  # the path part is never kept
    stored = evidence_dir / evidence.stored_name
    assert stored.resolve().parent == evidence_dir.resolve()
    assert list(evidence_dir.iterdir()) == [stored] and stored.read_bytes() == pdf
    assert "Diploma" not in evidence.stored_name and len(evidence.stored_name) == 32

    page = client.get(f"/trainees/{kenyan.id}/competencies/{world.stats.id}").get_data(True)
    assert f"/evidence/{evidence.id}" in page and "Diploma MSc.pdf" in page

    served = client.get(f"/evidence/{evidence.id}")
    assert served.status_code == 200 and served.data == pdf
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "filename=Diploma_MSc.pdf" in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"

    other = app.test_client()
    login(other, ugandan)
    assert other.get(f"/evidence/{evidence.id}").status_code == 403
    assert app.test_client().get(f"/evidence/{evidence.id}").status_code == 302  # to login
    assessor = app.test_client()  # the pending claim puts her in the trainers' queue
    login(assessor, world.trainer)
    queue = assessor.get("/assessments/").get_data(as_text=True)
    assert f'href="/evidence/{evidence.id}" data-testid="claim-file">Diploma MSc.pdf' in queue
    assert assessor.get(f"/evidence/{evidence.id}").data == pdf


def test_an_html_page_renamed_pdf_is_refused_and_nothing_is_kept(app, world, kenyan, evidence_dir):
    client = app.test_client()
    login(client, kenyan)
    response = _claim(client, world, kenyan, samples.html_page(), "certificate.pdf")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This file is not an accepted kind of evidence" in page
    assert "read from its content, not from its name" in page
    assert _count(EvidenceFile) == 0 and _count(PriorLearningClaim) == 0  # the claim neither
    assert not evidence_dir.exists() or list(evidence_dir.iterdir()) == []


def test_an_oversized_file_is_refused_with_the_limit_in_the_message(
    app, world, kenyan, evidence_dir
):
    client = app.test_client()
    login(client, kenyan)
    too_big = samples.pdf() + b"\n%" + b"x" * LIMIT
    response = _claim(client, world, kenyan, too_big, "scan.pdf")
    page = response.get_data(as_text=True)
    assert "The evidence file is too large: files may be at most 64 KB." in page
    assert _count(EvidenceFile) == 0 and _count(PriorLearningClaim) == 0
    assert not evidence_dir.exists() or list(evidence_dir.iterdir()) == []
    exactly = samples.pdf() + b"\n%" + b"x" * (LIMIT - len(samples.pdf()) - 2)
    assert len(exactly) == LIMIT
    assert _claim(client, world, kenyan, exactly, "scan.pdf").status_code == 302


def test_an_assessor_rates_with_an_office_document_served_with_its_type(app, world, kenyan):
    services.request_review(db.session, user=kenyan, competency=world.quality)
    db.session.commit()
    assessor = app.test_client()
    login(assessor, world.trainer)
    response = post_form(
        assessor,
        f"/trainees/{kenyan.id}/competencies/{world.quality.id}",
        {
            "action": "rate",
            "rate-level_id": str(world.levels["Practitioner"].id),
            "rate-comment": "Observed",
            "rate-evidence_file": (io.BytesIO(samples.docx()), "observation.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    evidence = db.session.scalar(sa.select(EvidenceFile))
    rating = db.session.scalar(sa.select(CompetencyRating))
    assert (evidence.rating_id, evidence.uploaded_by_id) == (rating.id, world.trainer.id)
    served = assessor.get(f"/evidence/{evidence.id}")
    assert served.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    # The name's stem is kept, the extension is the one of what the file really is.
    assert "filename=observation.docx" in served.headers["Content-Disposition"]
    trainee = app.test_client()
    login(trainee, kenyan)
    assert trainee.get(f"/evidence/{evidence.id}").status_code == 200


def test_a_rating_without_a_file_stores_none(app, world, kenyan, evidence_dir):
    services.request_review(db.session, user=kenyan, competency=world.quality)
    db.session.commit()
    assessor = app.test_client()
    login(assessor, world.trainer)
    response = post_form(
        assessor,
        f"/trainees/{kenyan.id}/competencies/{world.quality.id}",
        {"action": "rate", "rate-level_id": str(world.levels["Practitioner"].id)},
    )
    assert response.status_code == 302
    assert _count(CompetencyRating) == 1 and _count(EvidenceFile) == 0


def _store(world, trainee, content: bytes, evidence_dir) -> EvidenceFile:
    return services.store_evidence_file(
        db.session,
        store=services.EvidenceStore(evidence_dir, LIMIT),
        trainee_id=trainee.id,
        competency=world.stats,
        uploaded_by=trainee,
        filename="evidence.png",
        stream=io.BytesIO(content),
    )


def test_a_rolled_back_upload_leaves_no_file_and_a_committed_one_stays(world, kenyan, evidence_dir):
    _store(world, kenyan, samples.png(), evidence_dir)
    assert len(list(evidence_dir.iterdir())) == 1
    db.session.rollback()
    assert list(evidence_dir.iterdir()) == [] and _count(EvidenceFile) == 0
    kept = _store(world, kenyan, samples.png(), evidence_dir)
    db.session.commit()
    db.session.rollback()  # a later rollback does not touch what was committed
    assert list(evidence_dir.iterdir()) == [evidence_dir / kept.stored_name]


def test_a_file_missing_from_the_folder_is_not_found(app, world, kenyan, evidence_dir):
    evidence = _store(world, kenyan, samples.jpeg(), evidence_dir)
    db.session.commit()
    (evidence_dir / evidence.stored_name).unlink()
    client = app.test_client()
    login(client, kenyan)
    assert client.get(f"/evidence/{evidence.id}").status_code == 404


@pytest.mark.parametrize("name", ["../secret_key", "0" * 31, "A" * 32, "/etc/passwd", ""])
def test_only_random_stored_names_resolve_to_a_path(evidence_dir, name):
    with pytest.raises(ValueError):
        services.EvidenceStore(evidence_dir, LIMIT).path_for(name)
    assert services.EvidenceStore(evidence_dir, LIMIT).path_for("ab" * 16).parent == (
        evidence_dir.resolve()
    )


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (samples.pdf, FileKind.PDF),
        (samples.png, FileKind.PNG),
        (samples.jpeg, FileKind.JPEG),
        (samples.docx, FileKind.DOCX),
        (samples.xlsx, FileKind.XLSX),
        (samples.pptx, FileKind.PPTX),
        (samples.odt, FileKind.ODT),
        (samples.html_page, None),
        (samples.plain_zip, None),
        (samples.docm, None),  # macro-enabled Word is not a docx
        (lambda: samples.odt("application/vnd.oasis.opendocument.spreadsheet"), None),
        (lambda: b"GIF89a\x01\x00\x01\x00", None),
        (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", None),
        (lambda: b" %PDF-1.4 hidden behind a space", None),
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, None),  # no IHDR: not a PNG
        (lambda: b"PK\x03\x04 broken archive", None),
        (lambda: b"", None),
    ],
)
def test_the_kind_is_read_from_the_content(make, kind):
    assert detect(make()) == kind


def test_the_size_limit_and_folder_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_EVIDENCE_MAX_MB", raising=False)
    monkeypatch.delenv("LMS_EVIDENCE_DIR", raising=False)
    config = load_config(tmp_path)
    assert config["LMS_EVIDENCE_MAX_BYTES"] == 10 * 1024 * 1024
    assert config["LMS_EVIDENCE_DIR"] == str(tmp_path / "evidence")
    monkeypatch.setenv("LMS_EVIDENCE_MAX_MB", "3")
    monkeypatch.setenv("LMS_EVIDENCE_DIR", str(tmp_path / "elsewhere"))
    config = load_config(tmp_path)
    assert config["LMS_EVIDENCE_MAX_BYTES"] == 3 * 1024 * 1024
    assert config["LMS_EVIDENCE_DIR"] == str(tmp_path / "elsewhere")

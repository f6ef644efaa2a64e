"""Two trainees of the same administration: colleagues, yet neither may read the other's
record, gap analysis, competency pages, reports or certificates (``can_view_trainee``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.progress import services as tracks
from lms.progress.models import Certificate
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY, after


def _certified(world, trainee):
    """Both required courses passed: the Data specialists track is complete and certified."""
    tracks.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    for course_session in (world.session_a, world.session_b):
        enrolment = courses.request_enrolment(
            db.session, course_session, trainee, actor=trainee, today=TODAY
        )
        courses.record_result(
            db.session,
            enrolment,
            score=Decimal(75),
            passed=True,
            actor=world.trainer,
            today=TODAY,
            now=after(enrolment.session),
        )
    db.session.commit()
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == trainee.id))


@pytest.fixture
def colleagues(world, make_user, make_member):
    """Amina and Bruno, both officers of the same customs administration, both certified."""
    member = make_member(name="Kenya Revenue Authority", country_code="KE")
    amina = make_user(Role.TRAINEE, full_name="Amina Otieno", member=member)
    bruno = make_user(Role.TRAINEE, full_name="Bruno Wekesa", member=member)
    certificates = {amina.id: _certified(world, amina), bruno.id: _certified(world, bruno)}
    assert amina.member_administration_id == bruno.member_administration_id == member.id
    assert all(certificates.values())
    return amina, bruno, certificates


def _record_urls(world, person, certificate) -> list[str]:
    return [
        f"/trainees/{person.id}",
        f"/trainees/{person.id}/tracks/{world.specialists.id}/gaps",
        f"/trainees/{person.id}/competencies/{world.quality.id}",
        f"/reports/trainees/{person.id}",
        f"/reports/certificates/{certificate.id}.pdf",
    ]


@pytest.mark.parametrize("direction", ["amina reads bruno", "bruno reads amina"])
def test_a_trainee_cannot_see_a_colleague_of_her_own_administration(
    app, world, colleagues, direction
):
    amina, bruno, certificates = colleagues
    viewer, other = (amina, bruno) if direction.startswith("amina") else (bruno, amina)
    client = app.test_client()
    assert login(client, viewer).status_code == 302

    # Her own record opens: the refusals below are about whose record it is.
    for url in _record_urls(world, viewer, certificates[viewer.id]):
        assert client.get(url).status_code == 200, url
    own_run = post_form(
        client, "/reports/generate", {"kind": "trainee", "format": "pdf", "user_id": viewer.id}
    )
    assert own_run.status_code == 302 and "/download" in own_run.headers["Location"]

    for url in _record_urls(world, other, certificates[other.id]):
        assert client.get(url).status_code == 403, url
    self_assessment = {"action": "self", "self-level_id": str(world.levels["Expert"].id)}
    assert (
        post_form(
            client, f"/trainees/{other.id}/competencies/{world.quality.id}", self_assessment
        ).status_code
        == 403
    )
    for kind, fmt in (("trainee", "pdf"), ("trainee", "csv"), ("trainee_record", "zip")):
        response = post_form(
            client, "/reports/generate", {"kind": kind, "format": fmt, "user_id": other.id}
        )
        assert response.status_code == 403, (kind, fmt)

    # Nor may she open the report her colleague generated about herself.
    colleague = app.test_client()
    login(colleague, other)
    their_run = post_form(
        colleague, "/reports/generate", {"kind": "trainee", "format": "pdf", "user_id": other.id}
    )
    download = their_run.headers["Location"]
    assert colleague.get(download).status_code == 200
    assert client.get(download).status_code == 403
    assert client.get(download.removesuffix("/download")).status_code == 403

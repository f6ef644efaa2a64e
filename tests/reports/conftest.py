"""Fixtures for reports: runs execute inline (through the same ``execute_run``), and a trainee
with a French name who completed the Data specialists track."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest

from lms.accounts.models import Region, Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.progress import services as progress
from tests.conftest import _config
from tests.courses.fixtures import TODAY, after


@pytest.fixture
def app_config(database_url: str) -> dict:
    return _config(database_url, REPORTS_RUN_INLINE=True)


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def complete(world, trainee, course_session, score=80):
    enrolment = courses.request_enrolment(
        db.session, course_session, trainee, actor=trainee, today=TODAY
    )
    courses.record_result(
        db.session,
        enrolment,
        score=Decimal(score),
        passed=True,
        actor=world.trainer,
        today=TODAY,
        now=after(enrolment.session),
    )
    return enrolment


@pytest.fixture
def senegal(make_member):
    return make_member(
        name="Direction Générale des Douanes du Sénégal", country_code="SN", region=Region.WCA
    )


@pytest.fixture
def elodie(world, make_user, senegal):
    """Élodie Laurent passed both required courses: the track is complete and certified."""
    trainee = make_user(
        Role.TRAINEE, email="elodie@example.org", full_name="Élodie Laurent", member=senegal
    )
    progress.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    complete(world, trainee, world.session_a, score=81)
    complete(world, trainee, world.session_b, score=92)
    db.session.commit()
    return trainee

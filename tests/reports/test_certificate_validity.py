"""A certificate is valid up to and including its expiry date and lapsed the day after, on the
model and on the public verification page."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core import clock
from lms.core.extensions import db
from lms.progress import services as progress
from lms.progress import services as tracks
from lms.progress.models import Certificate
from tests.courses.fixtures import TODAY
from tests.reports.conftest import complete

# Issued on 2 March 2026 under a 12-month validity: expires on 2 March 2027.
EXPIRES_ON = date(2027, 3, 2)
DAY_AFTER = date(2027, 3, 3)


@pytest.fixture
def certificate(world, make_user):
    progress.set_certification_policy(
        db.session,
        world.specialists,
        actor=world.manager,
        validity_months=12,
        reminder_days_before=30,
    )
    trainee = make_user(Role.TRAINEE, full_name="Nadia Benali")
    tracks.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    complete(world, trainee, world.session_a)
    complete(world, trainee, world.session_b)
    db.session.commit()
    item = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == trainee.id))
    assert (item.issued_on, item.expires_on) == (TODAY, EXPIRES_ON)
    return item


def test_a_certificate_is_current_on_its_expiry_date_and_not_the_day_after(certificate):
    assert certificate.is_current(date(2027, 3, 1))
    assert certificate.is_current(EXPIRES_ON)
    assert not certificate.is_current(DAY_AFTER)


def _verdict(app, monkeypatch, certificate, day: date) -> tuple[str, str]:
    monkeypatch.setattr(clock, "today", lambda: day)
    page = app.test_client().get(f"/verify/{certificate.verification_code}")
    assert page.status_code == 200
    match = re.search(
        r'<div class="alert ([\w-]+)" data-testid="verdict">([^<]*)</div>',
        page.get_data(as_text=True),
    )
    assert match, page.get_data(as_text=True)
    return match.group(1), match.group(2).strip()


def test_the_verification_page_shows_it_valid_on_the_expiry_date_and_expired_after(
    app, monkeypatch, certificate
):
    assert _verdict(app, monkeypatch, certificate, EXPIRES_ON) == ("alert-success", "Valid")
    assert _verdict(app, monkeypatch, certificate, DAY_AFTER) == ("alert-warning", "Expired")

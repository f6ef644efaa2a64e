"""Directorate figures count trainees, not enrolments: a trainee in two tracks is one trainee
in the totals, her region and her administration, and one in each track's row."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import Region, Role
from lms.core.extensions import db
from lms.frameworks import tracks as track_services
from lms.progress import services as tracks
from lms.progress.models import Certificate, TrackEnrolment, TrackEnrolmentStatus
from lms.reports.data import Figures, directorate_data
from tests.reports.conftest import complete

# Track enrolments are stamped with the real clock, certificates with the fixtures' day: a
# period wide enough for both.
START, END = date(2000, 1, 1), date(2099, 12, 31)


@pytest.fixture
def two_tracks_one_trainee(world, make_user, make_member, senegal):
    """Élodie (Senegal) joins Data specialists and Analysts and completes both with the same two
    courses; Kofi (Ghana, same region) joins Analysts only and completes nothing."""
    practitioner = world.levels["Practitioner"]
    analysts = track_services.create_track(
        db.session, actor=world.manager, code="AN", name="Analysts", framework=world.framework
    )
    db.session.flush()
    track_services.set_targets(
        db.session,
        analysts,
        {world.quality.id: practitioner.id, world.stats.id: practitioner.id},
        actor=world.manager,
    )
    ghana = make_member(name="Ghana Revenue Authority", country_code="GH", region=Region.WCA)
    elodie = make_user(Role.TRAINEE, full_name="Élodie Laurent", member=senegal)
    kofi = make_user(Role.TRAINEE, full_name="Kofi Mensah", member=ghana)
    tracks.enrol_in_track(db.session, elodie, world.specialists, actor=elodie)
    tracks.enrol_in_track(db.session, elodie, analysts, actor=elodie)
    tracks.enrol_in_track(db.session, kofi, analysts, actor=kofi)
    complete(world, elodie, world.session_a)
    complete(world, elodie, world.session_b)
    db.session.commit()
    # The scenario as meant: two completed track enrolments and two certificates for one trainee.
    assert sorted(
        (e.track.code, e.status) for e in db.session.scalars(sa.select(TrackEnrolment))
    ) == [
        ("AN", TrackEnrolmentStatus.ACTIVE),
        ("AN", TrackEnrolmentStatus.COMPLETED),
        ("DS", TrackEnrolmentStatus.COMPLETED),
    ]
    certificates = db.session.scalars(sa.select(Certificate)).all()
    assert sorted(c.user_id for c in certificates) == [elodie.id, elodie.id]
    return senegal, ghana


def test_a_trainee_in_two_tracks_counts_once_except_per_track(app, two_tracks_one_trainee):
    senegal, ghana = two_tracks_one_trainee
    with app.test_request_context():
        data = directorate_data(db.session, START, END, END)

    # Counted by hand: Élodie enrolled, completed and certified (twice over); Kofi enrolled.
    assert data.total == Figures(enrolled=2, completed=1, certified=1)
    by_region = dict(data.by_region)
    assert by_region[Region.WCA.label] == Figures(2, 1, 1)
    assert all(f == Figures() for label, f in by_region.items() if label != Region.WCA.label)
    assert data.by_member == [
        (senegal.name, Region.WCA.label, Figures(1, 1, 1)),
        (ghana.name, Region.WCA.label, Figures(1, 0, 0)),
    ]
    assert data.by_track == [
        ("Analysts", Figures(2, 1, 1)),
        ("Data specialists", Figures(1, 1, 1)),
    ]


def test_headline_figures_are_the_totals_of_the_rows_created(
    app, client, world, two_tracks_one_trainee, logged_in
):
    from lms.courses.models import EnrolmentStatus, SessionEnrolment
    from lms.reports import documents
    from tests.reports.conftest import pdf_text

    # Counted from the rows the fixture made: Élodie took part in both sessions and passed.
    took_part = db.session.scalars(
        sa.select(SessionEnrolment).where(
            SessionEnrolment.status.in_([EnrolmentStatus.ATTENDED, EnrolmentStatus.COMPLETED])
        )
    ).all()
    sessions = {e.session for e in took_part}
    assert len(took_part) == 2 and len(sessions) == 2
    expected = {
        "Sessions delivered": 2,
        "Participants": len(took_part),
        "Passed": sum(bool(e.passed) for e in took_part),
        "Training hours delivered": sum(s.course.hours for s in sessions),
        "Participant-days": sum(
            (e.session.ends_on - e.session.starts_on).days + 1 for e in took_part
        ),
        "Trainees enrolled on a track": 2,
        "Completed a track": 1,
        "Certified": 1,
    }
    assert expected["Training hours delivered"] == 14 + 21
    assert expected["Participant-days"] == 3 + 21
    with app.test_request_context():
        data = directorate_data(db.session, START, END, END)
        headline = {name: value for name, value, _note in data.headline()}
        text, _pages = pdf_text(documents.directorate_pdf(data))
    assert headline == expected
    flat = " ".join(text.split())
    for name, value in expected.items():
        assert f"{name} {value} " in flat
    # And they agree with the report's own tables.
    tables = {t.key: t for t in data.tables()}
    assert sum(row[5] for row in tables["sessions"].rows) == headline["Participants"]
    assert tables["by_region"].rows[-1][1:] == [2, 1, 1]

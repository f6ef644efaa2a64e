"""Results by region, member administration and track (participants, passed, pass rate) and
track targets against actuals: each figure counted here again from the rows the test made."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Region, Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.progress import services as tracks
from lms.progress.models import CompetencyRating
from lms.reports.data import directorate_data
from lms.reports.data.results import Results
from tests.courses.fixtures import TODAY, after
from tests.reports.conftest import complete

START, END = date(2000, 1, 1), date(2099, 12, 31)


def fail(world, trainee, course_session):
    enrolment = courses.request_enrolment(
        db.session, course_session, trainee, actor=trainee, today=TODAY
    )
    courses.record_result(
        db.session,
        enrolment,
        score=Decimal(30),
        passed=False,
        actor=world.trainer,
        today=TODAY,
        now=after(enrolment.session),
    )


@pytest.fixture
def scenario(world, make_user, make_member, senegal):
    """Who took which session and passed, as the test's own list of rows."""
    world.session_a.capacity = 10  # room for everyone (the fixture's session seats two)
    ghana = make_member(name="Ghana Revenue Authority", country_code="GH", region=Region.WCA)
    kenya = make_member(name="Kenya Revenue Authority", country_code="KE", region=Region.ESA)
    elodie = make_user(Role.TRAINEE, full_name="Élodie Laurent", member=senegal)
    kofi = make_user(Role.TRAINEE, full_name="Kofi Mensah", member=ghana)
    amina = make_user(Role.TRAINEE, full_name="Amina Otieno", member=kenya)
    for trainee in (elodie, kofi, amina):
        tracks.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    rows = [  # (trainee, member, session, passed)
        (elodie, senegal, world.session_a, True),
        (elodie, senegal, world.session_b, True),
        (kofi, ghana, world.session_a, False),
        (amina, kenya, world.session_a, True),
        (amina, kenya, world.session_b, False),
    ]
    for trainee, _member, course_session, passed in rows:
        (complete if passed else fail)(world, trainee, course_session)
    db.session.commit()
    return rows, (elodie, kofi, amina)


def _expected(rows, key) -> dict:
    participants, passed = Counter(), Counter()
    for row in rows:
        participants[key(row)] += 1
        passed[key(row)] += row[3]
    return {k: Results(participants[k], passed[k]) for k in participants}


def test_results_tables_match_counts_made_from_the_rows(app, world, scenario):
    rows, _trainees = scenario
    with app.test_request_context():
        data = directorate_data(db.session, START, END, END)
        tables = {t.key: t for t in data.tables()}

    by_region = _expected(rows, lambda r: r[1].region.label)
    assert dict(data.results.by_region) == {
        region.label: by_region.get(region.label, Results()) for region in Region
    }
    assert dict(data.results.by_region)[Region.WCA.label] == Results(3, 2)
    by_member = _expected(rows, lambda r: r[1].name)
    assert {name: r for name, _region, r in data.results.by_member} == by_member
    # Both courses sit on the Data specialists track only.
    assert dict(data.results.by_track) == {"Data specialists": Results(len(rows), 3)}
    assert data.results.total == Results(5, 3)
    # The total agrees with the sessions table the headline sums.
    assert data.delivery.participants == 5 and data.delivery.passed == 3

    # The tables print what they count, the pass rate as a whole percentage.
    kenya = next(r for r in tables["results_by_member"].rows if r[0] == "Kenya Revenue Authority")
    assert kenya == ["Kenya Revenue Authority", Region.ESA.label, 2, 1, "50 %"]
    assert tables["results_by_region"].rows[-1][1:] == [5, 3, "60 %"]
    empty_region = next(r for r in tables["results_by_region"].rows if r[1] == 0)
    assert empty_region[3] == "—"


def test_a_course_on_two_tracks_counts_for_each(app, world, scenario):
    from lms.courses.models import TrackCourse

    db.session.add(TrackCourse(track_id=world.experts.id, course_id=world.course_a.id))
    db.session.commit()
    rows, _ = scenario
    with app.test_request_context():
        data = directorate_data(db.session, START, END, END)
    a_rows = [r for r in rows if r[2].id == world.session_a.id]
    assert dict(data.results.by_track) == {
        "Data specialists": Results(5, 3),
        "Experts": Results(len(a_rows), sum(r[3] for r in a_rows)),
    }


def test_track_targets_against_actuals_counted_from_the_ratings(app, world, scenario):
    _rows, trainees = scenario
    with app.test_request_context():
        data = directorate_data(db.session, START, END, END)
    got = {row.track: row for row in data.track_targets}

    # Counted again from the rating rows: the latest rating per trainee and competency.
    latest: dict[tuple[int, int], CompetencyRating] = {}
    for rating in db.session.scalars(
        sa.select(CompetencyRating).order_by(CompetencyRating.rated_at, CompetencyRating.id)
    ):
        latest[(rating.user_id, rating.competency_id)] = rating
    targets = {t.competency_id: t.level.position for t in world.specialists.targets}
    reached = [
        u
        for u in trainees
        if all(
            (u.id, cid) in latest and latest[(u.id, cid)].level.position >= position
            for cid, position in targets.items()
        )
    ]
    row = got["Data specialists"]
    assert (row.targets, row.enrolled, row.reached) == (2, 3, len(reached))
    assert [u.full_name for u in reached] == ["Élodie Laurent"]  # the one who passed both
    assert row.as_row()[-1] == "33 %"
    # Nobody is on Experts: enrolled and reached are zero, the share is not a number.
    assert (got["Experts"].enrolled, got["Experts"].reached) == (0, 0)
    assert got["Experts"].as_row()[-1] == "—"

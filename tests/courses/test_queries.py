"""The list and lookup queries the course pages use (moved out of the views)."""

from __future__ import annotations

from decimal import Decimal

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services
from lms.courses.models import Course, EnrolmentStatus
from tests.courses.fixtures import TODAY, after


def _enrol(world, user, course_session):
    return services.request_enrolment(db.session, course_session, user, actor=user, today=TODAY)


def test_visible_roster_depends_on_who_looks(world, make_user):
    world.session_b.requires_approval = True
    seated, waiting = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    _enrol(world, seated, world.session_a)
    _enrol(world, waiting, world.session_b)
    db.session.commit()
    roster = services.visible_roster
    assert [e.user for e in roster(db.session, world.session_a, manager=True, approver=False)] == [
        seated
    ]
    assert roster(db.session, world.session_a, manager=False, approver=True) == []
    pending = roster(db.session, world.session_b, manager=False, approver=True)
    assert [(e.user, e.status) for e in pending] == [(waiting, EnrolmentStatus.REQUESTED)]
    assert roster(db.session, world.session_b, manager=False, approver=False) == []


def test_a_trainees_enrolments_upcoming_and_transcript(world, make_user):
    trainee = make_user(Role.TRAINEE)
    a = _enrol(world, trainee, world.session_a)
    b = _enrol(world, trainee, world.session_b)
    services.record_result(
        db.session,
        a,
        score=Decimal("60"),
        passed=True,
        actor=world.trainer,
        today=TODAY,
        now=after(a.session),
    )
    db.session.commit()
    assert services.enrolment_of(db.session, world.session_a, trainee) == a
    assert services.enrolment_of(db.session, world.session_a, world.trainer) is None
    by_session = services.enrolments_by_session(
        db.session, trainee, [world.session_a.id, world.session_b.id]
    )
    assert by_session == {world.session_a.id: a, world.session_b.id: b}
    assert services.enrolments_by_session(db.session, trainee, []) == {}
    assert services.upcoming_enrolments(db.session, trainee, TODAY) == [b]
    assert services.transcript(db.session, trainee) == [a]


def test_catalogue_status_filter_is_for_editors_only(world):
    world.course_b.status = "draft"
    db.session.commit()
    codes = lambda stmt: [c.code for c in db.session.scalars(stmt)]  # noqa: E731
    assert codes(services.catalogue_query(status="draft")) == ["DQ101"]
    assert codes(services.catalogue_query(include_unpublished=True, status="draft")) == ["ST201"]
    assert codes(services.catalogue_query(include_unpublished=True, status="bogus")) == [
        "DQ101",
        "ST201",
    ]


def test_form_options_and_course_lists(world, make_user):
    inactive = make_user(Role.TRAINER, is_active=False)
    trainers, _members = services.session_form_options(db.session)
    assert world.trainer in trainers and inactive not in trainers
    options = services.course_form_options(db.session, world.course_a)
    assert world.course_a not in options.prerequisites and world.course_b in options.prerequisites
    assert {world.specialists, world.experts} <= set(options.tracks)
    assert world.quality in options.competencies
    tracks, competencies = services.catalogue_filter_options(db.session)
    assert world.specialists in tracks and world.quality in competencies
    assert services.sessions_of_course(db.session, world.course_a) == [world.session_a]
    assert services.recertification_courses(db.session, world.specialists) == []
    refresher = db.session.get(Course, world.course_b.id)
    refresher.track_links[0].for_recertification = True
    db.session.commit()
    assert services.recertification_courses(db.session, world.specialists) == [refresher]

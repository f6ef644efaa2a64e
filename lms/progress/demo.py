"""Demo trainees at different stages, on the courses demo's sessions: one who completed Data
specialists (with a certificate), several midway, one who failed, a full workshop with a
waiting list, a project session request awaiting approval, an intake, a pending
prior-learning claim, a self-assessment and an open review request.

Past sessions are run through the same services as live ones, with ``today`` set to the date
the step happened, so the history reads as it would have been recorded. Runs after the
courses demo step (features run in layer order).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core import clock
from lms.courses import services as courses
from lms.courses.demo import demo_world
from lms.courses.models import Course, CourseSession, SessionStatus
from lms.progress import services
from lms.progress.demo_history import load_history
from lms.progress.models import TrackCertificationPolicy


def _user(session: Session, email: str) -> User:
    return session.scalar(sa.select(User).where(User.email == email))


def _past_result(
    session: Session,
    course_session: CourseSession,
    trainee: User,
    trainer: User,
    passed: bool = True,
    score: int = 78,
) -> None:
    """Enrol two weeks before the session started, take attendance on its first day and
    record the result the day after it ended, each dated the day it happened."""
    requested = course_session.starts_on - timedelta(days=14)
    with clock.travel(requested):
        enrolment = courses.request_enrolment(
            session, course_session, trainee, actor=trainee, today=requested
        )
    with clock.travel(course_session.starts_on):
        courses.mark_attendance(session, enrolment, attended=True, actor=trainer)
    recorded = course_session.ends_on + timedelta(days=1)
    with clock.travel(recorded):
        courses.record_result(
            session,
            enrolment,
            score=Decimal(score),
            passed=passed,
            actor=trainer,
            today=recorded,
        )


def _sessions(session: Session, today: date, *, past: bool) -> dict[str, CourseSession]:
    """The courses demo's plain sessions by course code: the past ones, or the first upcoming
    one of each course (not the small Nairobi workshop nor the project session)."""
    stmt = (
        sa.select(CourseSession)
        .join(Course)
        .where(CourseSession.starts_on < today if past else CourseSession.starts_on >= today)
        .order_by(CourseSession.starts_on, CourseSession.id)
    )
    found: dict[str, CourseSession] = {}
    for course_session in session.scalars(stmt):
        if course_session.requires_approval or course_session.capacity < 5:
            continue
        found.setdefault(course_session.course.code, course_session)
    return found


def _leaders_completed(session: Session, world, trainee: User, today: date) -> None:
    """The demo trainee completed the Leaders track last year (a certificate, and its badge on
    *My badges*) before she started Data specialists: three Leaders sessions of her own, then
    an assessor rates what the courses left open and the track is complete."""
    track = world.tracks["LEADERS"]
    first = today - timedelta(days=400)
    with clock.travel(first - timedelta(days=30)):
        services.enrol_in_track(session, trainee, track, actor=trainee)
    starts_on = first
    for code in ("LD-101", "LD-102", "LD-103"):
        course = session.scalar(sa.select(Course).where(Course.code == code))
        with clock.travel(starts_on - timedelta(days=60)):
            course_session = courses.create_session(
                session,
                course,
                actor=world.actor,
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=2),
                capacity=12,
                venue="Online",
                timezone="UTC",
                trainer_ids=[world.trainer2.id],
                enrolment_deadline=starts_on - timedelta(days=7),
            )
        _past_result(session, course_session, trainee, world.trainer2, score=86)
        course_session.status = SessionStatus.CLOSED
        starts_on += timedelta(days=35)
    day = starts_on
    with clock.travel(day):
        for gap in services.track_progress(session, trainee, track).gaps:
            services.rate_competency(
                session,
                user=trainee,
                competency=gap.competency,
                level=gap.target_level,
                source=services.RatingSource.ASSESSOR,
                actor=world.trainer,
                comment="Assessed on her policy brief.",
            )
        services.update_track_completion(session, trainee, actor=world.trainer, today=day)


def load_progress(session: Session) -> str:
    today = clock.today()
    world = demo_world(session)
    actor, trainer, trainer2 = world.actor, world.trainer, world.trainer2
    tracks = world.tracks
    competencies, levels = world.competencies, world.levels
    session.add(
        TrackCertificationPolicy(
            track_id=tracks["DATA-SPECIALISTS"].id,
            validity_months=36,
            reminder_days_before=90,
            recertification_note="The refresher course DS-RC renews the certificate.",
        )
    )
    services.set_certification_policy(
        session,
        tracks["LEADERS"],
        actor=actor,
        validity_months=24,
        reminder_days_before=60,
        recertification_note="Leaders renew by taking the current executive seminar.",
    )
    past = _sessions(session, today, past=True)
    joined = min(s.starts_on for s in past.values()) - timedelta(days=30)

    # David (trainee01) completes the track.
    david = _user(session, "trainee01@example.org")
    with clock.travel(joined):
        services.enrol_in_track(session, david, tracks["DATA-SPECIALISTS"], actor=actor)
    for code in ["DS-101", "DS-102", "DS-201", "DS-202", "DS-301", "DS-302", "DS-303"]:
        _past_result(session, past[code], david, trainer, score=85)

    # Midway trainees.
    nadia = _user(session, "trainee@example.org")
    midway = [
        (nadia, ["DS-101", "DS-102"]),
        (_user(session, "trainee02@example.org"), ["DS-101", "DS-102", "DS-201"]),
        (_user(session, "trainee03@example.org"), ["DS-101"]),
    ]
    for trainee, done in midway:
        with clock.travel(joined):
            services.enrol_in_track(session, trainee, tracks["DATA-SPECIALISTS"], actor=trainee)
        for code in done:
            _past_result(session, past[code], trainee, trainer, score=72)
    failing = _user(session, "trainee05@example.org")
    with clock.travel(joined):
        services.enrol_in_track(session, failing, tracks["DATA-SPECIALISTS"], actor=failing)
    _past_result(session, past["DS-101"], failing, trainer, passed=False, score=41)
    for email in ("trainee04@example.org", "trainee07@example.org"):
        leader = _user(session, email)
        with clock.travel(joined):
            services.enrol_in_track(session, leader, tracks["LEADERS"], actor=actor)
        _past_result(session, past["LD-101"], leader, trainer2, score=90)
    for course_session in past.values():
        course_session.status = SessionStatus.CLOSED

    # The small Nairobi workshop fills up, with a waiting list.
    full = session.scalar(
        sa.select(CourseSession).where(CourseSession.starts_on >= today, CourseSession.capacity < 5)
    )
    for email in (
        "trainee02@example.org",
        "trainee06@example.org",
        "trainee08@example.org",
        "trainee09@example.org",
    ):
        courses.request_enrolment(
            session, full, _user(session, email), actor=_user(session, email), today=today
        )
    # Nadia is enrolled in her next course; a project session request awaits approval.
    upcoming = _sessions(session, today, past=False)
    courses.request_enrolment(session, upcoming["DS-201"], nadia, actor=nadia, today=today)
    project_session = session.scalar(
        sa.select(CourseSession).where(CourseSession.requires_approval.is_(True))
    )
    uganda = _user(session, "trainee02@example.org")
    courses.request_enrolment(session, project_session, uganda, actor=uganda, today=today)

    # An intake, a pending prior-learning claim and an open review request.
    intake = services.create_intake(
        session,
        actor=actor,
        name=f"{today.year} intake — Uganda Revenue Authority",
        track=tracks["DATA-SPECIALISTS"],
        year=today.year,
        member_administration_id=uganda.member_administration_id,
    )
    services.add_to_intake(session, intake, uganda, actor=actor)
    services.claim_prior_learning(
        session,
        user=_user(session, "trainee03@example.org"),
        competency=competencies["STA.1"],
        level=levels["Practitioner"],
        description="MSc in applied statistics (2019) and three "
        "years as a statistician at the national statistics office.",
        evidence_url="https://example.org/diploma.pdf",
    )
    services.add_self_assessment(
        session,
        user=nadia,
        competency=competencies["STA.1"],
        level=levels["Practitioner"],
        comment="I use R every week.",
    )
    services.request_review(
        session,
        user=nadia,
        competency=competencies["DMQ.3"],
        note="I documented our tariff reference data last month.",
    )
    session.flush()
    history = load_history(session, world, today)
    _leaders_completed(session, world, nadia, today)
    services.rebuild_track_summaries(session)  # whatever the history wrote directly
    return (
        "Demo learners: one completed track with a certificate (and the demo trainee her "
        "Leaders track), trainees midway, "
        f"a waiting list and an intake; three years of history for {history.trainees} "
        f"more trainees ({history.sessions} sessions, {history.results} results)."
    )

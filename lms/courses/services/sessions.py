"""Course sessions: dates, capacity, trainers, who they are reserved for, and the lists of
sessions pages show."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import MemberAdministration, Role, User, UserRole
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ValidationError
from lms.core.i18n import _, apply_french
from lms.courses.models import (
    SEAT_HOLDING,
    Course,
    CourseSession,
    EnrolmentStatus,
    SessionEnrolment,
    SessionStatus,
    session_trainers,
)
from lms.courses.services.enrolment import _promote_waitlisted

SESSION_FIELDS = (
    "starts_on",
    "ends_on",
    "start_time",
    "end_time",
    "timezone",
    "venue",
    "venue_fr",
    "virtual_link",
    "capacity",
    "enrolment_deadline",
    "language",
    "requires_approval",
    "status",
)


DAY_STARTS, DAY_ENDS = time(9), time(17)


def _check_hours(start_time: time, end_time: time) -> None:
    if end_time <= start_time:
        raise ValidationError(
            _("Each day of the session must end after it starts (%(start)s).", start=start_time),
            field="end_time",
        )


def _check_timezone(timezone: str) -> None:
    """An IANA time zone name (``Africa/Nairobi``), as ``zoneinfo`` knows them."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValidationError(
            _("Unknown time zone %(tz)r; use a name like Africa/Nairobi.", tz=timezone),
            field="timezone",
        ) from exc


def _check_session_fields(
    starts_on: date, ends_on: date, capacity: int, enrolment_deadline: date | None, timezone: str
) -> None:
    if not starts_on or not ends_on:
        raise ValidationError(_("Enter the start and end dates."), field="starts_on")
    if ends_on < starts_on:
        raise ValidationError(_("The session cannot end before it starts."), field="ends_on")
    if not capacity or capacity < 1:
        raise ValidationError(_("Capacity must be at least one seat."), field="capacity")
    if enrolment_deadline and enrolment_deadline > starts_on:
        raise ValidationError(
            _("The enrolment deadline must be on or before the start date."),
            field="enrolment_deadline",
        )
    _check_timezone(timezone)


def create_session(
    session: Session,
    course: Course,
    *,
    actor: Any,
    starts_on: date,
    ends_on: date,
    capacity: int,
    start_time: time | None = None,
    end_time: time | None = None,
    timezone: str = "UTC",
    venue: str = "",
    virtual_link: str = "",
    enrolment_deadline: date | None = None,
    language: str = "en",
    requires_approval: bool = False,
    status: SessionStatus | str = SessionStatus.OPEN,
    trainer_ids: Iterable[int] = (),
    restricted_member_ids: Iterable[int] = (),
    venue_fr: str | None = None,
) -> CourseSession:
    """Every day from ``start_time`` to ``end_time`` (local; 09:00-17:00 when not given)."""
    start_time, end_time = start_time or DAY_STARTS, end_time or DAY_ENDS
    _check_session_fields(starts_on, ends_on, capacity, enrolment_deadline, timezone)
    _check_hours(start_time, end_time)
    course_session = CourseSession(
        course=course,
        starts_on=starts_on,
        ends_on=ends_on,
        start_time=start_time,
        end_time=end_time,
        capacity=capacity,
        timezone=timezone,
        venue=venue or "",
        venue_fr=(venue_fr or "").strip() or None,
        virtual_link=virtual_link or "",
        enrolment_deadline=enrolment_deadline,
        language=language,
        requires_approval=requires_approval,
        status=SessionStatus(status),
    )
    session.add(course_session)
    _set_session_people(session, course_session, trainer_ids, restricted_member_ids)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="session.created",
        entity=course_session,
        after=snapshot(course_session, SESSION_FIELDS),
        summary=course.code,
    )
    return course_session


def _set_session_people(
    session: Session,
    course_session: CourseSession,
    trainer_ids: Iterable[int],
    member_ids: Iterable[int],
) -> None:
    trainer_ids, member_ids = set(trainer_ids), set(member_ids)
    trainers = list(session.scalars(sa.select(User).where(User.id.in_(trainer_ids))))
    if len(trainers) != len(trainer_ids) or any(not t.has_role(Role.TRAINER) for t in trainers):
        raise ValidationError(
            _("Every trainer must be a user with the trainer role."), field="trainer_ids"
        )
    members = list(
        session.scalars(
            sa.select(MemberAdministration).where(MemberAdministration.id.in_(member_ids))
        )
    )
    if len(members) != len(member_ids):
        raise ValidationError(_("Unknown member administration."), field="restricted_member_ids")
    course_session.trainers = trainers
    course_session.restricted_to = members


def update_session(
    session: Session,
    course_session: CourseSession,
    *,
    actor: Any,
    starts_on: date,
    ends_on: date,
    capacity: int,
    timezone: str,
    venue: str,
    virtual_link: str,
    enrolment_deadline: date | None,
    language: str,
    requires_approval: bool,
    status: SessionStatus | str,
    trainer_ids: Iterable[int],
    restricted_member_ids: Iterable[int],
    start_time: time | None = None,
    end_time: time | None = None,
    venue_fr: str | None = None,
) -> CourseSession:
    """Hours not given stay as they are; the French venue too when ``venue_fr`` is None."""
    with audited(
        session,
        course_session,
        SESSION_FIELDS,
        actor=actor,
        action="session.updated",
        summary=lambda: course_session.course.code,
    ):
        _check_session_fields(starts_on, ends_on, capacity, enrolment_deadline, timezone)
        if capacity < course_session.seats_taken:
            raise ValidationError(
                _(
                    "%(seats_taken)s trainees already hold a seat; capacity cannot be lower.",
                    seats_taken=course_session.seats_taken,
                ),
                field="capacity",
            )
        start_time = start_time or course_session.start_time
        end_time = end_time or course_session.end_time
        _check_hours(start_time, end_time)
        grew = capacity > course_session.capacity
        course_session.starts_on, course_session.ends_on = starts_on, ends_on
        course_session.start_time, course_session.end_time = start_time, end_time
        course_session.capacity, course_session.timezone = capacity, timezone
        course_session.venue, course_session.virtual_link = venue or "", virtual_link or ""
        course_session.enrolment_deadline, course_session.language = enrolment_deadline, language
        course_session.requires_approval = requires_approval
        course_session.status = SessionStatus(status)
        french = None if venue_fr is None else {"venue_fr": venue_fr}
        apply_french(course_session, french, ("venue_fr",))
        _set_session_people(session, course_session, trainer_ids, restricted_member_ids)
        session.flush()
        if grew:
            _promote_waitlisted(session, course_session, actor=actor)
    return course_session


def sessions_trained_by(user: User) -> sa.Select:
    return (
        sa.select(CourseSession)
        .join(session_trainers, session_trainers.c.session_id == CourseSession.id)
        .where(session_trainers.c.user_id == user.id)
        .order_by(CourseSession.starts_on.desc())
    )


def week_of(today: date) -> tuple[date, date]:
    """Monday and Sunday of the week ``today`` is in."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def sessions_this_week(session: Session, user: User, today: date) -> list[CourseSession]:
    """The trainer's sessions (not cancelled) running at some point this week, Monday to
    Sunday, earliest first."""
    monday, sunday = week_of(today)
    stmt = (
        sessions_trained_by(user)
        .options(selectinload(CourseSession.course), selectinload(CourseSession.enrolments))
        .where(
            CourseSession.starts_on <= sunday,
            CourseSession.ends_on >= monday,
            CourseSession.status != SessionStatus.CANCELLED,
        )
        .order_by(None)
        .order_by(CourseSession.starts_on, CourseSession.id)
    )
    return list(session.scalars(stmt))


AWAITING_RESULT = (EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED)


def sessions_awaiting_results(
    session: Session, user: User, today: date
) -> list[tuple[CourseSession, int]]:
    """The trainer's ended sessions (not cancelled) where trainees holding a seat still have
    no result, with how many, oldest first."""
    stmt = (
        sa.select(CourseSession, sa.func.count(SessionEnrolment.id))
        .join(session_trainers, session_trainers.c.session_id == CourseSession.id)
        .join(SessionEnrolment, SessionEnrolment.session_id == CourseSession.id)
        .options(selectinload(CourseSession.course))
        .where(
            session_trainers.c.user_id == user.id,
            CourseSession.ends_on < today,
            CourseSession.status != SessionStatus.CANCELLED,
            SessionEnrolment.status.in_(AWAITING_RESULT),
        )
        .group_by(CourseSession.id)
        .order_by(CourseSession.ends_on, CourseSession.id)
    )
    return [(row[0], row[1]) for row in session.execute(stmt)]


def is_trainer_of(session: Session, user: Any, course_session: CourseSession) -> bool:
    return any(t.id == getattr(user, "id", None) for t in course_session.trainers)


def next_open_sessions(
    session: Session,
    course_ids: Iterable[int],
    today: date,
) -> dict[int, list[CourseSession]]:
    """Upcoming open sessions per course, in one query."""
    course_ids = list(set(course_ids))
    result: dict[int, list[CourseSession]] = {cid: [] for cid in course_ids}
    if not course_ids:
        return result
    rows = session.scalars(
        sa.select(CourseSession)
        .where(
            CourseSession.course_id.in_(course_ids),
            CourseSession.status == SessionStatus.OPEN,
            CourseSession.starts_on >= today,
        )
        .order_by(CourseSession.starts_on)
    ).all()
    for row in rows:
        result[row.course_id].append(row)
    return result


def roster(session: Session, course_session: CourseSession) -> list[SessionEnrolment]:
    """Everyone on the session with user and member administration, in two queries."""
    return list(
        session.scalars(
            sa.select(SessionEnrolment)
            .options(selectinload(SessionEnrolment.user).joinedload(User.member_administration))
            .where(SessionEnrolment.session_id == course_session.id)
            .order_by(
                sa.case((SessionEnrolment.status.in_(SEAT_HOLDING), 0), else_=1),
                SessionEnrolment.requested_at,
                SessionEnrolment.id,
            )
        )
    )


def visible_roster(
    session: Session, course_session: CourseSession, *, manager: bool, approver: bool
) -> list[SessionEnrolment]:
    """The part of the roster a viewer may see: all of it for those who run the session, only
    the requests awaiting approval for an approver who does not run it, nothing otherwise."""
    if manager:
        return roster(session, course_session)
    if approver:
        return [e for e in roster(session, course_session) if e.status == EnrolmentStatus.REQUESTED]
    return []


def sessions_of_course(session: Session, course: Course) -> list[CourseSession]:
    """All sessions of a course, the latest first."""
    return list(
        session.scalars(
            sa.select(CourseSession)
            .where(CourseSession.course_id == course.id)
            .order_by(CourseSession.starts_on.desc())
        )
    )


def session_form_options(session: Session) -> tuple[list[User], list[MemberAdministration]]:
    """Who may train a session (active trainers) and the active member administrations it
    can be reserved for."""
    trainers = list(
        session.scalars(
            sa.select(User)
            .join(UserRole)
            .where(UserRole.role == Role.TRAINER, User.is_active.is_(True))
            .order_by(User.full_name)
        )
    )
    members = list(
        session.scalars(
            sa.select(MemberAdministration)
            .where(MemberAdministration.is_active.is_(True))
            .order_by(MemberAdministration.name)
        )
    )
    return trainers, members

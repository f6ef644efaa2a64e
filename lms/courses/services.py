"""Business rules for the course catalogue, sessions, track enrolment with intakes and the
session enrolment workflow.

Plain functions over a SQLAlchemy session; the caller commits. ``today`` is passed in where
dates matter, so rules are testable on a fixed date.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import MemberAdministration, Role, User
from lms.core.audit import record_change, snapshot
from lms.core.errors import ConflictError, DomainError, ValidationError
from lms.core.model_base import utcnow
from lms.courses.models import (
    SEAT_HOLDING,
    Course,
    CourseCompetency,
    CourseSession,
    CourseStatus,
    DeliveryMode,
    EnrolmentEvent,
    EnrolmentStatus,
    Intake,
    IntakeMember,
    PassOutcome,
    SessionEnrolment,
    SessionStatus,
    TrackCourse,
    TrackEnrolment,
    TrackEnrolmentStatus,
)
from lms.frameworks.models import Competency, ScaleLevel, Track

COURSE_FIELDS = (
    "code",
    "title",
    "summary",
    "objectives",
    "delivery_mode",
    "hours",
    "languages",
    "status",
)
SESSION_FIELDS = (
    "starts_on",
    "ends_on",
    "timezone",
    "venue",
    "virtual_link",
    "capacity",
    "enrolment_deadline",
    "language",
    "requires_approval",
    "status",
)
LANGUAGE_CODES = ("en", "fr", "es", "ar", "pt", "ru")


# Course catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyLink:
    competency_id: int
    level_id: int
    outcome: PassOutcome = PassOutcome.EVIDENCE


@dataclass(frozen=True)
class TrackLink:
    track_id: int
    is_required: bool = True
    for_recertification: bool = False


def _check_course_fields(code: str, title: str, hours: Any, languages: Sequence[str]) -> Decimal:
    if not (code or "").strip():
        raise ValidationError("Enter a course code.", field="code")
    if not (title or "").strip():
        raise ValidationError("Enter a title.", field="title")
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError("Hours must be a number.", field="hours") from exc
    if value <= 0:
        raise ValidationError("Hours must be more than zero.", field="hours")
    unknown = [lang for lang in languages if lang not in LANGUAGE_CODES]
    if unknown or not languages:
        raise ValidationError("Choose at least one known language.", field="languages")
    return value


def _set_competencies(session: Session, course: Course, links: Iterable[CompetencyLink]) -> None:
    wanted: dict[int, CompetencyLink] = {}
    for link in links:
        if link.competency_id in wanted:
            raise ValidationError("A competency is listed twice.", field="competencies")
        wanted[link.competency_id] = link
    competencies = {
        c.id: c
        for c in session.scalars(sa.select(Competency).where(Competency.id.in_(list(wanted))))
    }
    for competency_id, link in wanted.items():
        competency = competencies.get(competency_id)
        if competency is None:
            raise ValidationError("Unknown competency.", field="competencies")
        level = session.get(ScaleLevel, link.level_id)
        if level is None or level.scale_id != competency.framework.scale_id:
            raise ValidationError(
                f"The level chosen for {competency.code} is not on its framework's scale.",
                field="competencies",
            )
    existing = {cc.competency_id: cc for cc in course.competencies}
    for competency_id, cc in existing.items():
        if competency_id not in wanted:
            course.competencies.remove(cc)
    for competency_id, link in wanted.items():
        cc = existing.get(competency_id)
        if cc is None:
            course.competencies.append(
                CourseCompetency(
                    competency_id=competency_id, level_id=link.level_id, outcome=link.outcome
                )
            )
        else:
            cc.level_id, cc.outcome = link.level_id, link.outcome


def _set_tracks(session: Session, course: Course, links: Iterable[TrackLink]) -> None:
    wanted = {link.track_id: link for link in links}
    for track_id in wanted:
        if session.get(Track, track_id) is None:
            raise ValidationError("Unknown track.", field="tracks")
    existing = {tc.track_id: tc for tc in course.track_links}
    for track_id, tc in existing.items():
        if track_id not in wanted:
            course.track_links.remove(tc)
    for track_id, link in wanted.items():
        tc = existing.get(track_id)
        if tc is None:
            course.track_links.append(
                TrackCourse(
                    track_id=track_id,
                    is_required=link.is_required,
                    for_recertification=link.for_recertification,
                )
            )
        else:
            tc.is_required, tc.for_recertification = link.is_required, link.for_recertification


def _set_prerequisites(session: Session, course: Course, ids: Iterable[int]) -> None:
    ids = set(ids)
    if course.id in ids:
        raise ValidationError("A course cannot be its own prerequisite.", field="prerequisites")
    prerequisites = list(session.scalars(sa.select(Course).where(Course.id.in_(ids))))
    if len(prerequisites) != len(ids):
        raise ValidationError("Unknown prerequisite course.", field="prerequisites")
    # Refuse cycles: no prerequisite may (transitively) require this course.
    if course.id is not None:
        frontier, seen = set(ids), set()
        while frontier:
            if course.id in frontier:
                raise ValidationError(
                    "These prerequisites would make a cycle.", field="prerequisites"
                )
            seen |= frontier
            rows = session.scalars(sa.select(Course).where(Course.id.in_(frontier))).all()
            frontier = {p.id for c in rows for p in c.prerequisites} - seen
    course.prerequisites = sorted(prerequisites, key=lambda c: c.code)


def create_course(
    session: Session,
    *,
    actor: Any,
    code: str,
    title: str,
    delivery_mode: DeliveryMode | str,
    hours: Any,
    languages: Sequence[str],
    summary: str = "",
    objectives: str = "",
    status: CourseStatus | str = CourseStatus.DRAFT,
    competencies: Iterable[CompetencyLink] = (),
    tracks: Iterable[TrackLink] = (),
    prerequisite_ids: Iterable[int] = (),
) -> Course:
    hours = _check_course_fields(code, title, hours, languages)
    code = code.strip().upper()
    if session.scalar(sa.select(Course.id).where(Course.code == code)):
        raise ConflictError(f"A course with the code {code} already exists.", field="code")
    course = Course(
        code=code,
        title=title.strip(),
        summary=summary or "",
        objectives=objectives or "",
        delivery_mode=DeliveryMode(delivery_mode),
        hours=hours,
        languages=list(languages),
        status=CourseStatus(status),
    )
    session.add(course)
    session.flush()
    _set_competencies(session, course, competencies)
    _set_tracks(session, course, tracks)
    _set_prerequisites(session, course, prerequisite_ids)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="course.created",
        entity=course,
        after=snapshot(course, COURSE_FIELDS),
        summary=code,
    )
    return course


def update_course(
    session: Session,
    course: Course,
    *,
    actor: Any,
    code: str,
    title: str,
    delivery_mode: DeliveryMode | str,
    hours: Any,
    languages: Sequence[str],
    summary: str,
    objectives: str,
    status: CourseStatus | str,
    competencies: Iterable[CompetencyLink],
    tracks: Iterable[TrackLink],
    prerequisite_ids: Iterable[int],
) -> Course:
    before = snapshot(course, COURSE_FIELDS)
    hours = _check_course_fields(code, title, hours, languages)
    code = code.strip().upper()
    clash = session.scalar(sa.select(Course.id).where(Course.code == code, Course.id != course.id))
    if clash:
        raise ConflictError(f"A course with the code {code} already exists.", field="code")
    course.code, course.title = code, title.strip()
    course.summary, course.objectives = summary or "", objectives or ""
    course.delivery_mode, course.hours = DeliveryMode(delivery_mode), hours
    course.languages, course.status = list(languages), CourseStatus(status)
    _set_competencies(session, course, competencies)
    _set_tracks(session, course, tracks)
    _set_prerequisites(session, course, prerequisite_ids)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="course.updated",
        entity=course,
        before=before,
        after=snapshot(course, COURSE_FIELDS),
        summary=code,
    )
    return course


def catalogue_query(
    *,
    q: str = "",
    track_id: int | None = None,
    competency_id: int | None = None,
    mode: str = "",
    language: str = "",
    include_unpublished: bool = False,
) -> sa.Select:
    stmt = sa.select(Course)
    if not include_unpublished:
        stmt = stmt.where(Course.status == CourseStatus.PUBLISHED)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Course.title).like(like),
                sa.func.lower(Course.code).like(like),
                sa.func.lower(Course.summary).like(like),
            )
        )
    if track_id:
        stmt = stmt.where(
            Course.id.in_(sa.select(TrackCourse.course_id).where(TrackCourse.track_id == track_id))
        )
    if competency_id:
        stmt = stmt.where(
            Course.id.in_(
                sa.select(CourseCompetency.course_id).where(
                    CourseCompetency.competency_id == competency_id
                )
            )
        )
    if mode in {m.value for m in DeliveryMode}:
        stmt = stmt.where(Course.delivery_mode == mode)
    if language in LANGUAGE_CODES:
        # Languages are a short JSON list; a text match on the quoted code is portable.
        stmt = stmt.where(sa.cast(Course.languages, sa.String).like(f'%"{language}"%'))
    return stmt.order_by(Course.code)


def courses_developing(session: Session, competency: Competency) -> list[CourseCompetency]:
    return list(
        session.scalars(
            sa.select(CourseCompetency)
            .join(Course)
            .where(
                CourseCompetency.competency_id == competency.id,
                Course.status == CourseStatus.PUBLISHED,
            )
            .order_by(Course.code)
        )
    )


# Sessions ----------------------------------------------------------------------------------


def _check_session_fields(
    starts_on: date, ends_on: date, capacity: int, enrolment_deadline: date | None, timezone: str
) -> None:
    if not starts_on or not ends_on:
        raise ValidationError("Enter the start and end dates.", field="starts_on")
    if ends_on < starts_on:
        raise ValidationError("The session cannot end before it starts.", field="ends_on")
    if not capacity or capacity < 1:
        raise ValidationError("Capacity must be at least one seat.", field="capacity")
    if enrolment_deadline and enrolment_deadline > starts_on:
        raise ValidationError(
            "The enrolment deadline must be on or before the start date.",
            field="enrolment_deadline",
        )
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception as exc:
        raise ValidationError(
            f"Unknown time zone {timezone!r}; use a name like Africa/Nairobi.", field="timezone"
        ) from exc


def create_session(
    session: Session,
    course: Course,
    *,
    actor: Any,
    starts_on: date,
    ends_on: date,
    capacity: int,
    timezone: str = "UTC",
    venue: str = "",
    virtual_link: str = "",
    enrolment_deadline: date | None = None,
    language: str = "en",
    requires_approval: bool = False,
    status: SessionStatus | str = SessionStatus.OPEN,
    trainer_ids: Iterable[int] = (),
    restricted_member_ids: Iterable[int] = (),
) -> CourseSession:
    _check_session_fields(starts_on, ends_on, capacity, enrolment_deadline, timezone)
    course_session = CourseSession(
        course=course,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        timezone=timezone,
        venue=venue or "",
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
            "Every trainer must be a user with the trainer role.", field="trainer_ids"
        )
    members = list(
        session.scalars(
            sa.select(MemberAdministration).where(MemberAdministration.id.in_(member_ids))
        )
    )
    if len(members) != len(member_ids):
        raise ValidationError("Unknown member administration.", field="restricted_member_ids")
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
) -> CourseSession:
    before = snapshot(course_session, SESSION_FIELDS)
    _check_session_fields(starts_on, ends_on, capacity, enrolment_deadline, timezone)
    if capacity < course_session.seats_taken:
        raise ValidationError(
            f"{course_session.seats_taken} trainees already hold a seat; capacity cannot be lower.",
            field="capacity",
        )
    grew = capacity > course_session.capacity
    course_session.starts_on, course_session.ends_on = starts_on, ends_on
    course_session.capacity, course_session.timezone = capacity, timezone
    course_session.venue, course_session.virtual_link = venue or "", virtual_link or ""
    course_session.enrolment_deadline, course_session.language = enrolment_deadline, language
    course_session.requires_approval = requires_approval
    course_session.status = SessionStatus(status)
    _set_session_people(session, course_session, trainer_ids, restricted_member_ids)
    session.flush()
    if grew:
        _promote_waitlisted(session, course_session, actor=actor)
    record_change(
        session,
        actor=actor,
        action="session.updated",
        entity=course_session,
        before=before,
        after=snapshot(course_session, SESSION_FIELDS),
        summary=course_session.course.code,
    )
    return course_session


def sessions_trained_by(user: User) -> sa.Select:
    from lms.courses.models import session_trainers

    return (
        sa.select(CourseSession)
        .join(session_trainers, session_trainers.c.session_id == CourseSession.id)
        .where(session_trainers.c.user_id == user.id)
        .order_by(CourseSession.starts_on.desc())
    )


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


# Track enrolment and intakes ---------------------------------------------------------------


def has_completed_track(session: Session, user: User, track: Track) -> bool:
    return bool(
        session.scalar(
            sa.select(TrackEnrolment.id).where(
                TrackEnrolment.user_id == user.id,
                TrackEnrolment.track_id == track.id,
                TrackEnrolment.status == TrackEnrolmentStatus.COMPLETED,
            )
        )
    )


def check_entry_requirements(session: Session, user: User, track: Track) -> None:
    required = track.prerequisite_track
    if required is not None and not has_completed_track(session, user, required):
        raise ValidationError(
            f"The {track.name} track requires a completed {required.name} track; "
            f"{user.full_name} has not completed it yet."
        )


def enrol_in_track(
    session: Session, user: User, track: Track, *, actor: Any, intake: Intake | None = None
) -> TrackEnrolment:
    """Join a track (oneself, by a manager, or through an intake). Entry requirements are
    checked; re-joining after withdrawing reactivates the same record."""
    if not track.is_active:
        raise ValidationError(f"The {track.name} track is not open for enrolment.")
    if not user.has_role(Role.TRAINEE):
        raise ValidationError(f"{user.full_name} is not a trainee.")
    existing = session.scalar(
        sa.select(TrackEnrolment).where(
            TrackEnrolment.user_id == user.id, TrackEnrolment.track_id == track.id
        )
    )
    if existing is not None and existing.status != TrackEnrolmentStatus.WITHDRAWN:
        if intake is not None and existing.intake_id is None:
            existing.intake_id = intake.id
        return existing
    check_entry_requirements(session, user, track)
    if existing is None:
        existing = TrackEnrolment(user_id=user.id, track_id=track.id)
        session.add(existing)
    existing.status = TrackEnrolmentStatus.ACTIVE
    existing.enrolled_at = utcnow()
    existing.enrolled_by_id = getattr(actor, "id", None)
    existing.intake_id = intake.id if intake else existing.intake_id
    session.flush()
    record_change(
        session,
        actor=actor,
        action="track.enrolled",
        entity=existing,
        summary=f"{user.email} → {track.code}",
    )
    return existing


def withdraw_from_track(session: Session, enrolment: TrackEnrolment, *, actor: Any) -> None:
    if enrolment.status != TrackEnrolmentStatus.ACTIVE:
        raise ValidationError("Only an active track enrolment can be withdrawn.")
    enrolment.status = TrackEnrolmentStatus.WITHDRAWN
    record_change(session, actor=actor, action="track.withdrawn", entity=enrolment)


def create_intake(
    session: Session,
    *,
    actor: Any,
    name: str,
    track: Track,
    year: int,
    member_administration_id: int | None = None,
) -> Intake:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Name the intake, for example “2026 intake — Kenya”.", field="name")
    if session.scalar(sa.select(Intake.id).where(Intake.name == name)):
        raise ConflictError("An intake with this name already exists.", field="name")
    intake = Intake(
        name=name, track_id=track.id, year=year, member_administration_id=member_administration_id
    )
    session.add(intake)
    session.flush()
    record_change(session, actor=actor, action="intake.created", entity=intake, summary=name)
    return intake


def add_to_intake(session: Session, intake: Intake, user: User, *, actor: Any) -> TrackEnrolment:
    """Joining an intake enrols the person in the intake's track at once."""
    if (
        intake.member_administration_id
        and user.member_administration_id != intake.member_administration_id
    ):
        raise ValidationError(
            f"{user.full_name} does not belong to {intake.member_administration.name}."
        )
    enrolment = enrol_in_track(session, user, intake.track, actor=actor, intake=intake)
    if session.get(IntakeMember, (intake.id, user.id)) is None:
        session.add(IntakeMember(intake_id=intake.id, user_id=user.id))
    session.flush()
    return enrolment


# Session enrolment workflow ------------------------------------------------------------------


def _status_words(enrolment: SessionEnrolment) -> str:
    return enrolment.status.value.replace("_", " ")


def _transition(
    session: Session,
    enrolment: SessionEnrolment,
    to: EnrolmentStatus,
    *,
    actor: Any,
    note: str = "",
) -> None:
    enrolment.events.append(
        EnrolmentEvent(
            from_status=enrolment.status.value if enrolment.status else None,
            to_status=to.value,
            actor_id=getattr(actor, "id", None),
            note=note[:500],
        )
    )
    enrolment.status = to


def _take_seat(session: Session, course_session: CourseSession) -> bool:
    """Take a seat if one is free; False means the session is full (the waiting list).

    The capacity rule is checked here, on the row as the database has it now. The UPDATE is
    conditional on that row not having changed since: when a concurrent request took a seat
    (or the capacity changed) in between, it updates nothing and the row is read again, so two
    requests can never take the last seat; each retry follows a change another transaction
    committed. The CHECK on the table is only the last defence."""
    row = sa.select(CourseSession.seats_taken, CourseSession.capacity).where(
        CourseSession.id == course_session.id
    )
    while True:
        taken, capacity = session.execute(row).one()
        if taken >= capacity:
            return False
        result = session.execute(
            sa.update(CourseSession)
            .where(
                CourseSession.id == course_session.id,
                CourseSession.seats_taken == taken,
                CourseSession.capacity == capacity,
            )
            .values(seats_taken=taken + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            session.expire(course_session, ["seats_taken"])
            return True


def _release_seat(session: Session, course_session: CourseSession) -> None:
    session.execute(
        sa.update(CourseSession)
        .where(CourseSession.id == course_session.id, CourseSession.seats_taken > 0)
        .values(seats_taken=CourseSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(course_session, ["seats_taken"])


def _place(session: Session, enrolment: SessionEnrolment, *, actor: Any, note: str = "") -> None:
    """After approval: a seat if one is free, else the waiting list."""
    if _take_seat(session, enrolment.session):
        _transition(session, enrolment, EnrolmentStatus.ENROLLED, actor=actor, note=note)
    else:
        _transition(
            session, enrolment, EnrolmentStatus.WAITLISTED, actor=actor, note=note or "Session full"
        )


def _promote_waitlisted(session: Session, course_session: CourseSession, *, actor: Any) -> int:
    """Fill free seats from the waiting list, first come first served."""
    promoted = 0
    waiting = session.scalars(
        sa.select(SessionEnrolment)
        .where(
            SessionEnrolment.session_id == course_session.id,
            SessionEnrolment.status == EnrolmentStatus.WAITLISTED,
        )
        .order_by(SessionEnrolment.requested_at, SessionEnrolment.id)
    ).all()
    for enrolment in waiting:
        if not _take_seat(session, course_session):
            break
        _transition(
            session,
            enrolment,
            EnrolmentStatus.ENROLLED,
            actor=actor,
            note="Promoted from the waiting list",
        )
        promoted += 1
    return promoted


def completed_course_ids(session: Session, user_id: int) -> set[int]:
    return set(
        session.scalars(
            sa.select(CourseSession.course_id)
            .join(SessionEnrolment, SessionEnrolment.session_id == CourseSession.id)
            .where(
                SessionEnrolment.user_id == user_id,
                SessionEnrolment.status == EnrolmentStatus.COMPLETED,
                SessionEnrolment.passed.is_(True),
            )
        )
    )


def check_can_request(
    session: Session, course_session: CourseSession, user: User, today: date
) -> None:
    if course_session.status != SessionStatus.OPEN:
        raise ValidationError("This session is not open for enrolment.")
    if course_session.enrolment_deadline and today > course_session.enrolment_deadline:
        raise ValidationError(
            f"Enrolment closed on {course_session.enrolment_deadline.isoformat()}."
        )
    if course_session.starts_on < today:
        raise ValidationError("This session has already started.")
    if not user.has_role(Role.TRAINEE):
        raise ValidationError(f"{user.full_name} is not a trainee.")
    restricted = {m.id for m in course_session.restricted_to}
    if restricted and user.member_administration_id not in restricted:
        raise ValidationError(
            "This session is reserved for officers of "
            + ", ".join(m.name for m in course_session.restricted_to)
            + "."
        )
    missing = [
        p
        for p in course_session.course.prerequisites
        if p.id not in completed_course_ids(session, user.id)
    ]
    if missing:
        raise ValidationError(
            "Complete the prerequisite course(s) first: "
            + ", ".join(f"{p.code} {p.title}" for p in missing)
            + "."
        )


def request_enrolment(
    session: Session, course_session: CourseSession, user: User, *, actor: Any, today: date
) -> SessionEnrolment:
    """A trainee asks for a seat (or a manager enrols them). Sessions that need approval wait
    for a trainer or project manager; others are approved at once and get a seat or a place on
    the waiting list."""
    check_can_request(session, course_session, user, today)
    enrolment = session.scalar(
        sa.select(SessionEnrolment).where(
            SessionEnrolment.session_id == course_session.id, SessionEnrolment.user_id == user.id
        )
    )
    if enrolment is not None and enrolment.status not in (
        EnrolmentStatus.WITHDRAWN,
        EnrolmentStatus.REJECTED,
    ):
        raise ConflictError(
            f"{user.full_name} is already {_status_words(enrolment)} for this session."
        )
    if enrolment is None:
        enrolment = SessionEnrolment(
            session=course_session, user_id=user.id, status=EnrolmentStatus.REQUESTED
        )
        enrolment.events.append(
            EnrolmentEvent(
                from_status=None, to_status="requested", actor_id=getattr(actor, "id", None)
            )
        )
        session.add(enrolment)
    else:
        _transition(
            session, enrolment, EnrolmentStatus.REQUESTED, actor=actor, note="Requested again"
        )
        enrolment.requested_at = utcnow()
    session.flush()
    if not course_session.requires_approval:
        _place(session, enrolment, actor=actor, note="Approved automatically")
    session.flush()
    return enrolment


def approve_enrolment(session: Session, enrolment: SessionEnrolment, *, actor: Any) -> None:
    if enrolment.status != EnrolmentStatus.REQUESTED:
        raise ValidationError("Only a request awaiting approval can be approved.")
    _place(session, enrolment, actor=actor, note="Approved")
    session.flush()


def reject_enrolment(
    session: Session, enrolment: SessionEnrolment, *, actor: Any, note: str = ""
) -> None:
    if enrolment.status not in (EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITLISTED):
        raise ValidationError("Only a pending or waitlisted request can be rejected.")
    _transition(session, enrolment, EnrolmentStatus.REJECTED, actor=actor, note=note)
    session.flush()


def withdraw_enrolment(
    session: Session, enrolment: SessionEnrolment, *, actor: Any, note: str = ""
) -> None:
    """Leaving frees the seat, which goes to the first trainee on the waiting list."""
    if enrolment.status not in (
        EnrolmentStatus.REQUESTED,
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.ENROLLED,
    ):
        raise ValidationError("This enrolment can no longer be withdrawn.")
    held_seat = enrolment.status == EnrolmentStatus.ENROLLED
    _transition(session, enrolment, EnrolmentStatus.WITHDRAWN, actor=actor, note=note)
    session.flush()
    if held_seat:
        _release_seat(session, enrolment.session)
        _promote_waitlisted(session, enrolment.session, actor=actor)
    session.flush()


def mark_attendance(
    session: Session, enrolment: SessionEnrolment, *, attended: bool, actor: Any
) -> None:
    if enrolment.status not in (
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ATTENDED,
        EnrolmentStatus.NO_SHOW,
    ):
        raise ValidationError(f"{enrolment.user.full_name} does not hold a seat.")
    target = EnrolmentStatus.ATTENDED if attended else EnrolmentStatus.NO_SHOW
    if enrolment.status != target:
        _transition(session, enrolment, target, actor=actor)
    session.flush()


def record_result(
    session: Session,
    enrolment: SessionEnrolment,
    *,
    score: Decimal | None,
    passed: bool,
    actor: Any,
    today: date,
) -> None:
    """Complete an enrolment with a result. A pass produces competency evidence (and, per the
    course's outcomes, ratings or review requests) and may complete the trainee's tracks."""
    from lms.progress import services as progress

    if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED):
        raise ValidationError(
            f"{enrolment.user.full_name} is {_status_words(enrolment)}; a result can be "
            "recorded only for an enrolled or attending trainee."
        )
    if score is not None and not (0 <= score <= 100):
        raise ValidationError("The score must be between 0 and 100.", field="score")
    with session.no_autoflush:  # status and result change together (a CHECK ties them)
        _transition(
            session,
            enrolment,
            EnrolmentStatus.COMPLETED,
            actor=actor,
            note=("passed" if passed else "failed")
            + (f", score {score}" if score is not None else ""),
        )
        enrolment.score = score
        enrolment.passed = passed
        enrolment.result_recorded_at = utcnow()
    session.flush()
    if passed:
        progress.apply_course_pass(session, enrolment, actor=actor)
        progress.update_track_completion(session, enrolment.user, actor=actor, today=today)


# Results upload ----------------------------------------------------------------------------

RESULT_COLUMNS = ("email", "attended", "score", "passed")
_YES = {"yes", "y", "true", "1", "pass", "passed", "oui"}
_NO = {"no", "n", "false", "0", "fail", "failed", "non"}


@dataclass(frozen=True)
class ResultRow:
    row: int
    enrolment: SessionEnrolment
    attended: bool
    score: Decimal | None
    passed: bool | None


class ResultsUploadError(DomainError):
    status = 422
    title = "Invalid results file"

    def __init__(self, errors: list[str]) -> None:
        super().__init__("The file was not imported: " + "; ".join(errors[:20]))
        self.errors = errors


def parse_results_csv(
    session: Session, course_session: CourseSession, content: bytes
) -> list[ResultRow]:
    """Read a results file (columns: email, attended, score, passed). Every row is checked
    before anything is applied; errors name the row."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultsUploadError(["the file is not UTF-8 text (save it as CSV UTF-8)"]) from exc
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("email", "passed") if c not in headers]
    if missing:
        raise ResultsUploadError(
            [f"row 1: missing column(s) {', '.join(missing)}; expected {', '.join(RESULT_COLUMNS)}"]
        )
    by_email = {
        e.user.email: e
        for e in session.scalars(
            sa.select(SessionEnrolment)
            .options(selectinload(SessionEnrolment.user))
            .where(SessionEnrolment.session_id == course_session.id)
        )
    }
    rows: list[ResultRow] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        email = record.get("email", "").lower()
        if not any(record.values()):
            continue
        enrolment = by_email.get(email)
        if not email:
            errors.append(f"row {number}: email is empty")
            continue
        if email in seen:
            errors.append(f"row {number}: {email} appears twice")
            continue
        seen.add(email)
        if enrolment is None:
            errors.append(f"row {number}: {email} is not enrolled in this session")
            continue
        if enrolment.status not in (
            EnrolmentStatus.ENROLLED,
            EnrolmentStatus.ATTENDED,
            EnrolmentStatus.NO_SHOW,
        ):
            errors.append(f"row {number}: {email} is {enrolment.status.value}, not enrolled")
            continue
        attended_raw = record.get("attended", "yes").lower() or "yes"
        if attended_raw not in _YES | _NO:
            errors.append(f"row {number}: attended must be yes or no, not {attended_raw!r}")
            continue
        attended = attended_raw in _YES
        score: Decimal | None = None
        if record.get("score"):
            try:
                score = Decimal(record["score"].replace(",", "."))
            except InvalidOperation:
                errors.append(f"row {number}: score {record['score']!r} is not a number")
                continue
            if not 0 <= score <= 100:
                errors.append(f"row {number}: score {score} is not between 0 and 100")
                continue
        passed_raw = record.get("passed", "").lower()
        if attended and passed_raw not in _YES | _NO:
            errors.append(f"row {number}: passed must be yes or no, not {passed_raw!r}")
            continue
        passed = (passed_raw in _YES) if attended else None
        rows.append(ResultRow(number, enrolment, attended, score, passed))
    if errors:
        raise ResultsUploadError(errors)
    if not rows:
        raise ResultsUploadError(["the file has no result rows"])
    return rows


def apply_results(session: Session, rows: Sequence[ResultRow], *, actor: Any, today: date) -> int:
    for row in rows:
        if not row.attended:
            mark_attendance(session, row.enrolment, attended=False, actor=actor)
            continue
        if row.enrolment.status == EnrolmentStatus.NO_SHOW:
            mark_attendance(session, row.enrolment, attended=True, actor=actor)
        record_result(
            session,
            row.enrolment,
            score=row.score,
            passed=bool(row.passed),
            actor=actor,
            today=today,
        )
    return len(rows)


def roster(session: Session, course_session: CourseSession) -> list[SessionEnrolment]:
    """Everyone on the session with user and member administration, in two queries."""
    from lms.accounts.models import User as UserModel

    return list(
        session.scalars(
            sa.select(SessionEnrolment)
            .options(
                selectinload(SessionEnrolment.user).joinedload(UserModel.member_administration)
            )
            .where(SessionEnrolment.session_id == course_session.id)
            .order_by(
                sa.case((SessionEnrolment.status.in_(SEAT_HOLDING), 0), else_=1),
                SessionEnrolment.requested_at,
                SessionEnrolment.id,
            )
        )
    )

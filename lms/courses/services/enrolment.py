"""The session enrolment workflow: request, approval, seats and the waiting list, withdrawal.

Every change appends an ``EnrolmentEvent``, so an enrolment's history is complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import Role, User
from lms.core import signals
from lms.core.audit import record_change
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.courses.models import (
    CourseSession,
    EnrolmentEvent,
    EnrolmentStatus,
    ExternalCompletion,
    SessionEnrolment,
    SessionStatus,
)


def _status_words(enrolment: SessionEnrolment) -> str:
    return enrolment.status.value.replace("_", " ")


def _transition(
    session: Session,
    enrolment: SessionEnrolment,
    to: EnrolmentStatus,
    *,
    actor: Any,
    note: str = "",
    audit: bool = True,
    announce: bool = True,
) -> None:
    """Move the enrolment to ``to``: an event in its history and, unless the caller audits
    the change itself (results, attendance), an audit entry with the status before and after.
    Workflow moves are announced (``enrolment_changed``); attendance and results are
    announced by their own signal once the whole record is written (``announce=False``)."""
    before = enrolment.status.value if enrolment.status else None
    enrolment.events.append(
        EnrolmentEvent(
            from_status=enrolment.status.value if enrolment.status else None,
            to_status=to.value,
            actor_id=getattr(actor, "id", None),
            note=note[:500],
        )
    )
    enrolment.status = to
    if announce:
        _announce(session, enrolment, actor=actor, from_status=before, to_status=to.value)
    if audit and enrolment.id is not None:
        record_change(
            session,
            actor=actor,
            action="enrolment.status",
            entity=enrolment,
            entity_type="SessionEnrolment",
            before={"status": before},
            after={"status": to.value},
            summary=f"{enrolment.user.email}: {note}" if note else enrolment.user.email,
        )


def _announce(
    session: Session,
    enrolment: SessionEnrolment,
    *,
    actor: Any,
    from_status: str | None,
    to_status: str,
) -> None:
    session.flush()
    signals.enrolment_changed.send(
        session, enrolment=enrolment, actor=actor, from_status=from_status, to_status=to_status
    )


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
    try:
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
                return True
    finally:
        session.expire(course_session, ["seats_taken"])  # the object now shows the count


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
    """The courses the user has passed: a passed session result, or a completion recorded
    from another platform (``ExternalCompletion``, an xAPI statement)."""
    passed = set(
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
    return passed | set(
        session.scalars(
            sa.select(ExternalCompletion.course_id).where(ExternalCompletion.user_id == user_id)
        )
    )


def check_can_request(
    session: Session, course_session: CourseSession, user: User, today: date
) -> None:
    if course_session.status != SessionStatus.OPEN:
        raise ValidationError(_("This session is not open for enrolment."))
    if course_session.enrolment_deadline and today > course_session.enrolment_deadline:
        raise ValidationError(
            _("Enrolment closed on %(value)s.", value=course_session.enrolment_deadline.isoformat())
        )
    if course_session.starts_on < today:
        raise ValidationError(_("This session has already started."))
    if not user.has_role(Role.TRAINEE):
        raise ValidationError(_("%(full_name)s is not a trainee.", full_name=user.full_name))
    restricted = {m.id for m in course_session.restricted_to}
    if restricted and user.member_administration_id not in restricted:
        raise ValidationError(
            _(
                "This session is reserved for officers of %(members)s.",
                members=", ".join(m.name for m in course_session.restricted_to),
            )
        )
    missing = [
        p
        for p in course_session.course.prerequisites
        if p.id not in completed_course_ids(session, user.id)
    ]
    if missing:
        raise ValidationError(
            _(
                "Complete the prerequisite course(s) first: %(courses)s.",
                courses=", ".join(f"{p.code} {p.title}" for p in missing),
            )
        )
    _check_one_session_of_the_course(session, course_session, user)
    _check_not_passed_already(session, course_session, user, today)


# A trainee in one of these on a session of a course cannot take another session of it.
HOLDING_OR_AWAITING = (
    EnrolmentStatus.REQUESTED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.ATTENDED,
)


def _check_one_session_of_the_course(
    session: Session, course_session: CourseSession, user: User
) -> None:
    """One seat per course at a time: holding or awaiting a seat in one session of a course
    rules out every other session of that course."""
    other = session.scalar(
        sa.select(SessionEnrolment)
        .join(CourseSession, CourseSession.id == SessionEnrolment.session_id)
        .where(
            SessionEnrolment.user_id == user.id,
            CourseSession.course_id == course_session.course_id,
            SessionEnrolment.session_id != course_session.id,
            SessionEnrolment.status.in_(HOLDING_OR_AWAITING),
        )
        .order_by(CourseSession.starts_on)
        .limit(1)
    )
    if other is not None:
        raise ConflictError(
            _(
                "%(name)s is already %(status)s in the session of %(code)s starting on %(day)s: "
                "one session of a course at a time (withdraw from that one first).",
                name=user.full_name,
                status=_status_words(other),
                code=course_session.course.code,
                day=other.session.starts_on.isoformat(),
            )
        )


def _check_not_passed_already(
    session: Session, course_session: CourseSession, user: User, today: date
) -> None:
    """A passed course is not taken again, unless a listener (progress: a recertification
    that is due) allows it."""
    if course_session.course_id not in completed_course_ids(session, user.id):
        return
    if signals.any_listener_agrees(
        signals.course_retake_allowed,
        session,
        user=user,
        course=course_session.course,
        today=today,
    ):
        return
    raise ValidationError(
        _(
            "%(name)s has already passed %(code)s; it can be taken again only when a "
            "recertification is due.",
            name=user.full_name,
            code=course_session.course.code,
        )
    )


# Serialisation failure and deadlock: a concurrent transaction won; the request can be retried.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}


def _sqlstate(error: DBAPIError) -> str | None:
    orig = error.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def request_enrolment(
    session: Session, course_session: CourseSession, user: User, *, actor: Any, today: date
) -> SessionEnrolment:
    """A trainee asks for a seat (or a manager enrols them). Sessions that need approval wait
    for a trainer or project manager; others are approved at once and get a seat or a place on
    the waiting list."""
    check_can_request(session, course_session, user, today)
    enrolment = session.scalar(
        sa.select(SessionEnrolment)
        .where(
            SessionEnrolment.session_id == course_session.id, SessionEnrolment.user_id == user.id
        )
        .with_for_update()  # a concurrent re-request of the same row waits for this one
    )
    if enrolment is not None and enrolment.status not in (
        EnrolmentStatus.WITHDRAWN,
        EnrolmentStatus.REJECTED,
    ):
        raise ConflictError(
            _(
                "%(full_name)s is already %(status)s for this session.",
                full_name=user.full_name,
                status=_status_words(enrolment),
            )
        )
    # Concurrent requests by the same trainee (a double click, ten tabs): the unique
    # (session, user) key lets one in; the others fail inside the savepoint and are answered
    # "already enrolled" instead of an error page.
    try:
        with session.begin_nested():
            return _record_request(session, course_session, user, enrolment, actor=actor)
    except IntegrityError as exc:
        raise ConflictError(
            _("%(name)s is already enrolled for this session.", name=user.full_name)
        ) from exc
    except DBAPIError as exc:
        if _sqlstate(exc) not in _RETRYABLE_SQLSTATES:
            raise
        raise ConflictError(
            _("Another request for this session was recorded at the same moment; try again.")
        ) from exc


def _record_request(
    session: Session,
    course_session: CourseSession,
    user: User,
    enrolment: SessionEnrolment | None,
    *,
    actor: Any,
) -> SessionEnrolment:
    new = enrolment is None
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
    if new:
        record_change(
            session,
            actor=actor,
            action="enrolment.status",
            entity=enrolment,
            before={"status": None},
            after={"status": EnrolmentStatus.REQUESTED.value},
            summary=user.email,
        )
        _announce(
            session,
            enrolment,
            actor=actor,
            from_status=None,
            to_status=EnrolmentStatus.REQUESTED.value,
        )
    if not course_session.requires_approval:
        _place(session, enrolment, actor=actor, note="Approved automatically")
    session.flush()
    return enrolment


def approve_enrolment(session: Session, enrolment: SessionEnrolment, *, actor: Any) -> None:
    if enrolment.status != EnrolmentStatus.REQUESTED:
        raise ValidationError(_("Only a request awaiting approval can be approved."))
    _place(session, enrolment, actor=actor, note="Approved")
    session.flush()


def reject_enrolment(
    session: Session, enrolment: SessionEnrolment, *, actor: Any, note: str = ""
) -> None:
    if enrolment.status not in (EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITLISTED):
        raise ValidationError(_("Only a pending or waitlisted request can be rejected."))
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
        raise ValidationError(_("This enrolment can no longer be withdrawn."))
    held_seat = enrolment.status == EnrolmentStatus.ENROLLED
    _transition(session, enrolment, EnrolmentStatus.WITHDRAWN, actor=actor, note=note)
    session.flush()
    if held_seat:
        _release_seat(session, enrolment.session)
        _promote_waitlisted(session, enrolment.session, actor=actor)
    session.flush()


def enrolment_of(
    session: Session, course_session: CourseSession, user: Any
) -> SessionEnrolment | None:
    """The user's enrolment on this session, if any."""
    return session.scalar(
        sa.select(SessionEnrolment).where(
            SessionEnrolment.session_id == course_session.id,
            SessionEnrolment.user_id == getattr(user, "id", None),
        )
    )


def enrolments_by_session(
    session: Session, user: User, session_ids: Iterable[int]
) -> dict[int, SessionEnrolment]:
    """The user's enrolments on the given sessions, by session id (one query)."""
    ids = list(session_ids)
    if not ids:
        return {}
    return {
        e.session_id: e
        for e in session.scalars(
            sa.select(SessionEnrolment).where(
                SessionEnrolment.user_id == user.id, SessionEnrolment.session_id.in_(ids)
            )
        )
    }


UPCOMING = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.REQUESTED)
FINISHED = (EnrolmentStatus.COMPLETED, EnrolmentStatus.NO_SHOW)


def upcoming_enrolments(session: Session, user: User, today: date) -> list[SessionEnrolment]:
    """Sessions the trainee holds, waits for or asked for that have not ended, soonest first."""
    return list(
        session.scalars(
            sa.select(SessionEnrolment)
            .join(CourseSession)
            .options(joinedload(SessionEnrolment.session))
            .where(
                SessionEnrolment.user_id == user.id,
                CourseSession.ends_on >= today,
                SessionEnrolment.status.in_(UPCOMING),
            )
            .order_by(CourseSession.starts_on)
        )
    )


def transcript(session: Session, user: User) -> list[SessionEnrolment]:
    """Sessions with an outcome (a result or a no-show), the latest first."""
    return list(
        session.scalars(
            sa.select(SessionEnrolment)
            .join(CourseSession)
            .options(joinedload(SessionEnrolment.session))
            .where(SessionEnrolment.user_id == user.id, SessionEnrolment.status.in_(FINISHED))
            .order_by(CourseSession.ends_on.desc())
        )
    )


def waitlist_position(session: Session, enrolment: SessionEnrolment) -> int | None:
    """1 for the next trainee to get a freed seat; None when not on the waiting list. The
    order is the one ``_promote_waitlisted`` fills seats in."""
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    ahead = session.scalar(
        sa.select(sa.func.count())
        .select_from(SessionEnrolment)
        .where(
            SessionEnrolment.session_id == enrolment.session_id,
            SessionEnrolment.status == EnrolmentStatus.WAITLISTED,
            sa.or_(
                SessionEnrolment.requested_at < enrolment.requested_at,
                sa.and_(
                    SessionEnrolment.requested_at == enrolment.requested_at,
                    SessionEnrolment.id < enrolment.id,
                ),
            ),
        )
    )
    return (ahead or 0) + 1

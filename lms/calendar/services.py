"""Calendar feeds: the secret that opens a user's feed, and the iCalendar (RFC 5545) text of
the feed and of a single session.

Plain functions over the session: they flush, never commit, and know nothing of the request.
The caller chooses the language (``lms.core.i18n.in_language``: a feed is read by a calendar
program, not by a browser) and gives the links (``Links``), built from ``LMS_BASE_URL``.

The text is written by the ``icalendar`` package, which folds lines at 75 octets, ends them
with CRLF and escapes TEXT values; the time zones a feed uses are written as VTIMEZONEs from
the same IANA data (``zoneinfo``) the sessions' hours are checked against.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import User
from lms.calendar.models import CalendarFeed
from lms.core.audit import record_change
from lms.core.errors import ConflictError
from lms.core.i18n import _, format_day, localised
from lms.core.model_base import utcnow
from lms.core.models import AuditEntry
from lms.courses.models import SEAT_HOLDING, CourseSession, EnrolmentStatus, SessionEnrolment
from lms.courses.models import SessionStatus as CourseSessionStatus
from lms.courses.services import sessions_trained_by
from lms.projects.models import Milestone, MilestoneStatus, Project, ProjectStatus
from lms.projects.permissions import managed_projects_clause

PRODID = "-//Capacity LMS//Calendar feed//EN"
# Enrolments that put a session in the trainee's calendar: a seat held (or an outcome), or
# approved and waiting for a seat (shown as tentative).
IN_CALENDAR = (*SEAT_HOLDING, EnrolmentStatus.WAITLISTED)
# The audit actions that revise an event (its SEQUENCE counts them).
SESSION_EDITS = ("session.updated",)
MILESTONE_EDITS = ("milestone.updated", "milestone.replanned")


@dataclass(frozen=True)
class Links:
    """Absolute addresses for the events' URL property, and the host their UIDs carry."""

    host: str
    session: Callable[[int], str]
    project: Callable[[int], str]


# The secret ------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(session: Session, user: User) -> CalendarFeed | None:
    """The user's feed row, active or revoked (None: never made)."""
    return session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def _new_secret(session: Session, user: User) -> str:
    """A fresh secret for the user's feed row (made when missing); the old hash is replaced,
    so the previous address stops working in the same transaction."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(session, user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token_hash=_hash(token))
        try:
            with session.begin_nested():
                session.add(feed)
        except IntegrityError as error:  # a simultaneous request made it first
            raise ConflictError(
                _("Your calendar feed was just made in another window: reload the page.")
            ) from error
    else:
        feed.token_hash = _hash(token)
        feed.created_at = utcnow()
        feed.revoked_at = None
    session.flush()
    return token


def create_feed(session: Session, user: User, *, actor: User) -> str:
    """A feed for a user who has none active. Returns the secret, shown once."""
    current = feed_of(session, user)
    if current is not None and current.is_active:
        raise ConflictError(_("You already have a calendar feed. Reset it to get a new address."))
    token = _new_secret(session, user)
    record_change(
        session, actor=actor, action="calendar_feed.created", entity=feed_of(session, user)
    )
    return token


def reset_feed(session: Session, user: User, *, actor: User) -> str:
    """A new address for an active feed; the old one answers 404 from now on."""
    current = feed_of(session, user)
    if current is None or not current.is_active:
        raise ConflictError(_("You have no calendar feed to reset: make one first."))
    token = _new_secret(session, user)
    record_change(session, actor=actor, action="calendar_feed.reset", entity=current)
    return token


def revoke_feed(session: Session, user: User, *, actor: User) -> None:
    current = feed_of(session, user)
    if current is None or not current.is_active:
        raise ConflictError(_("You have no calendar feed to revoke."))
    current.revoked_at = utcnow()
    session.flush()
    record_change(session, actor=actor, action="calendar_feed.revoked", entity=current)


def user_for_token(session: Session, token: str) -> User | None:
    """The owner of an active feed with this secret; None for an unknown or revoked secret
    and for a deactivated account (its feed answers like an unknown one)."""
    if not token or len(token) > 100:
        return None
    feed = session.scalar(
        sa.select(CalendarFeed)
        .options(selectinload(CalendarFeed.user))
        .where(CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None))
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


# What a feed holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionEntry:
    """A session in someone's calendar, and why: her enrolment's status, or teaching it."""

    course_session: CourseSession
    enrolment_status: EnrolmentStatus | None
    teaches: bool


def calendar_sessions(session: Session, user: User) -> list[SessionEntry]:
    """The sessions the user holds (or waits for) a seat in, and the sessions she teaches."""
    enrolled = session.execute(
        sa.select(CourseSession, SessionEnrolment.status)
        .join(SessionEnrolment, SessionEnrolment.session_id == CourseSession.id)
        .options(selectinload(CourseSession.trainers))
        .where(SessionEnrolment.user_id == user.id, SessionEnrolment.status.in_(IN_CALENDAR))
    ).all()
    taught = session.scalars(
        sessions_trained_by(user).options(selectinload(CourseSession.trainers))
    ).all()
    entries: dict[int, SessionEntry] = {
        s.id: SessionEntry(s, status, teaches=False) for s, status in enrolled
    }
    for s in taught:
        known = entries.get(s.id)
        entries[s.id] = SessionEntry(s, known and known.enrolment_status, teaches=True)
    return sorted(entries.values(), key=lambda e: (e.course_session.starts_on, e.course_session.id))


def calendar_milestones(session: Session, user: User) -> list[Milestone]:
    """Every milestone of the projects the user manages (none unless she is a manager)."""
    return list(
        session.scalars(
            sa.select(Milestone)
            .join(Project, Project.id == Milestone.project_id)
            .options(selectinload(Milestone.project))
            .where(managed_projects_clause(user))
            .order_by(Milestone.due_date, Milestone.id)
        )
    )


def _edit_counts(session: Session, entity_type: str, actions: Sequence[str], ids: Iterable[int]):
    """Edits recorded in the audit log per record id: the events' SEQUENCE (one query)."""
    keys = [str(i) for i in ids]
    if not keys:
        return {}
    rows = session.execute(
        sa.select(AuditEntry.entity_id, sa.func.count())
        .where(
            AuditEntry.entity_type == entity_type,
            AuditEntry.entity_id.in_(keys),
            AuditEntry.action.in_(actions),
        )
        .group_by(AuditEntry.entity_id)
    ).all()
    return {int(entity_id): count for entity_id, count in rows}


# iCalendar text -------------------------------------------------------------------------


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    return calendar


def _session_status(entry: SessionEntry) -> str:
    if entry.course_session.status is CourseSessionStatus.CANCELLED:
        return "CANCELLED"
    if not entry.teaches and entry.enrolment_status is EnrolmentStatus.WAITLISTED:
        return "TENTATIVE"
    return "CONFIRMED"


def _session_description(entry: SessionEntry, url: str) -> str:
    course_session = entry.course_session
    course = course_session.course
    lines = [f"{course.code} {localised(course, 'title')}"]
    if course_session.status is CourseSessionStatus.CANCELLED:
        lines.append(_("This session is cancelled."))
    days = (course_session.ends_on - course_session.starts_on).days + 1
    lines.append(
        _(
            "%(days)s day(s), each day %(start)s–%(end)s, local time (%(tz)s).",
            days=days,
            start=course_session.start_time.strftime("%H:%M"),
            end=course_session.end_time.strftime("%H:%M"),
            tz=course_session.timezone,
        )
    )
    if entry.teaches:
        lines.append(_("You are a trainer of this session."))
    if entry.enrolment_status is not None:
        lines.append(_("Your enrolment: %(status)s", status=entry.enrolment_status.label))
    if course_session.trainers:
        names = ", ".join(t.full_name for t in course_session.trainers)
        lines.append(_("Trainers: %(names)s", names=names))
    if course_session.virtual_link:
        lines.append(_("Virtual classroom: %(link)s", link=course_session.virtual_link))
    lines.append(url)
    return "\n".join(lines)


def _session_event(entry: SessionEntry, links: Links, stamp: datetime, edits: int):
    """One VEVENT: the first day's hours, repeated daily for a multi-day session (every day
    runs from its start time to its end time, in the session's time zone)."""
    course_session = entry.course_session
    zone = course_session.zone
    first_day = course_session.starts_on
    url = links.session(course_session.id)
    event = icalendar.Event()
    event.add("uid", f"session-{course_session.id}@{links.host}")
    event.add("dtstamp", stamp)
    event.add("created", course_session.created_at)
    event.add("sequence", edits)
    event.add("summary", localised(course_session.course, "title"))
    event.add("dtstart", datetime.combine(first_day, course_session.start_time, zone))
    event.add("dtend", datetime.combine(first_day, course_session.end_time, zone))
    days = (course_session.ends_on - first_day).days + 1
    if days > 1:
        event.add("rrule", {"freq": "daily", "count": days})
    location = localised(course_session, "venue") or course_session.virtual_link
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", _session_description(entry, url))
    event.add("status", _session_status(entry))
    return event


def _milestone_event(milestone: Milestone, links: Links, stamp: datetime, edits: int):
    """An all-day VEVENT on the due date, free time (a deadline does not fill a day)."""
    project = milestone.project
    cancelled = (
        milestone.status is MilestoneStatus.CANCELLED or project.status is ProjectStatus.CANCELLED
    )
    url = links.project(project.id)
    event = icalendar.Event()
    event.add("uid", f"milestone-{milestone.id}@{links.host}")
    event.add("dtstamp", stamp)
    event.add("sequence", edits)
    event.add(
        "summary",
        _("%(code)s milestone: %(title)s", code=project.code, title=milestone.title),
    )
    event.add("dtstart", milestone.due_date)
    event.add("dtend", milestone.due_date + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    lines = [f"{project.code} {project.title}"]
    if milestone.owner:
        lines.append(_("Owner: %(owner)s", owner=milestone.owner))
    lines.append(_("Status: %(status)s", status=milestone.status.label))
    if milestone.completed_on:
        lines.append(_("Completed on %(day)s", day=format_day(milestone.completed_on)))
    lines.append(url)
    event.add("url", url)
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _finish(calendar: icalendar.Calendar, days: list[date]) -> bytes:
    """Add a VTIMEZONE for every TZID used, covering the events' dates only (a short text),
    and serialise."""
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=1), last_date=max(days) + timedelta(days=2)
        )
    return calendar.to_ical()


def feed_calendar(session: Session, user: User, *, links: Links, now: datetime) -> bytes:
    """The user's whole feed: her sessions, and her projects' milestones if she manages any."""
    entries = calendar_sessions(session, user)
    milestones = calendar_milestones(session, user)
    session_edits = _edit_counts(
        session, "CourseSession", SESSION_EDITS, (e.course_session.id for e in entries)
    )
    milestone_edits = _edit_counts(
        session, "Milestone", MILESTONE_EDITS, (m.id for m in milestones)
    )
    stamp = now.astimezone(UTC)
    calendar = _calendar(_("Training calendar of %(name)s", name=user.full_name))
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(timedelta(hours=1)))  # not TEXT
    for entry in entries:
        calendar.add_component(
            _session_event(entry, links, stamp, session_edits.get(entry.course_session.id, 0))
        )
    for milestone in milestones:
        calendar.add_component(
            _milestone_event(milestone, links, stamp, milestone_edits.get(milestone.id, 0))
        )
    days = [d for e in entries for d in (e.course_session.starts_on, e.course_session.ends_on)]
    return _finish(calendar, days)


def session_calendar(
    session: Session, course_session: CourseSession, user: User, *, links: Links, now: datetime
) -> bytes:
    """One session as a calendar of one event (the session page's download), described as
    the user's feed would describe it."""
    enrolment = session.scalar(
        sa.select(SessionEnrolment.status).where(
            SessionEnrolment.session_id == course_session.id,
            SessionEnrolment.user_id == user.id,
            SessionEnrolment.status.in_(IN_CALENDAR),
        )
    )
    teaches = any(t.id == user.id for t in course_session.trainers)
    entry = SessionEntry(course_session, enrolment, teaches)
    edits = _edit_counts(session, "CourseSession", SESSION_EDITS, [course_session.id])
    calendar = _calendar(localised(course_session.course, "title"))
    calendar.add_component(
        _session_event(entry, links, now.astimezone(UTC), edits.get(course_session.id, 0))
    )
    return _finish(calendar, [course_session.starts_on, course_session.ends_on])

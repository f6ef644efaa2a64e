"""Scheduled jobs of the learning side: session reminders and waiting-list clean-up."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import Role
from lms.core.i18n import N_, lazy_day
from lms.courses import services
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment, SessionStatus
from lms.notifications.registry import notification_kind
from lms.notifications.services import notify
from lms.scheduler.registry import JobResult, scheduled_job
from lms.scheduler.services import send_reminder_once

SESSION_REMINDER_KIND = notification_kind(
    "session.reminder", _l("A session you are enrolled in starts soon"), roles=(Role.TRAINEE,)
)
SESSION_REMINDER = SESSION_REMINDER_KIND.key
WAITLIST_CLOSED_KIND = notification_kind(
    "session.waitlist_closed",
    _l("A session started before a seat came free"),
    roles=(Role.TRAINEE,),
)
WAITLIST_CLOSED = WAITLIST_CLOSED_KIND.key


@scheduled_job(
    "sessions.remind",
    cron="0 6 * * *",
    description=_l("Remind enrolled trainees of sessions starting soon."),
)
def remind_sessions(session: Session, now: datetime) -> JobResult:
    days = current_app.config.get("LMS_SESSION_REMINDER_DAYS", 3)
    today = now.date()
    enrolments = session.scalars(
        sa.select(SessionEnrolment)
        .join(CourseSession)
        .options(joinedload(SessionEnrolment.user), joinedload(SessionEnrolment.session))
        .where(
            SessionEnrolment.status == EnrolmentStatus.ENROLLED,
            CourseSession.status.in_(
                [SessionStatus.OPEN, SessionStatus.PLANNED, SessionStatus.RUNNING]
            ),
            CourseSession.starts_on >= today,
            CourseSession.starts_on <= today + timedelta(days=days),
        )
    ).all()
    sent = 0
    for enrolment in enrolments:
        course_session = enrolment.session
        if send_reminder_once(
            session,
            ("session-start", course_session.id, course_session.starts_on),
            enrolment.user,
            SESSION_REMINDER,
            f"{course_session.course.code} {course_session.course.title} starts on "
            f"{course_session.starts_on.isoformat()}",
            f"Where: {course_session.venue or course_session.virtual_link or 'see the session'}"
            f" ({course_session.timezone}).",
            f"/sessions/{course_session.id}",
            now=now,
        ):
            sent += 1
    return JobResult.say(
        N_("%(sent)s reminder(s) sent for %(enrolments)s enrolment(s)"),
        sent,
        sent=sent,
        enrolments=len(enrolments),
    )


@scheduled_job(
    "sessions.waitlist_cleanup",
    cron="15 1 * * *",
    description=_l("Close the waiting lists of sessions that have started."),
)
def clean_up_waitlists(session: Session, now: datetime) -> JobResult:
    """Trainees still waiting (or awaiting approval) when a session starts will not get a
    seat: their requests are withdrawn, with the reason in the history, and they are told."""
    waiting = session.scalars(
        sa.select(SessionEnrolment)
        .join(CourseSession)
        .options(joinedload(SessionEnrolment.user), joinedload(SessionEnrolment.session))
        .where(
            SessionEnrolment.status.in_([EnrolmentStatus.WAITLISTED, EnrolmentStatus.REQUESTED]),
            CourseSession.starts_on <= now.date(),
        )
    ).all()
    for enrolment in waiting:
        services.withdraw_enrolment(
            session, enrolment, actor=None, note="The session started before a seat came free"
        )
        course_session = enrolment.session
        notify(
            session,
            enrolment.user,
            WAITLIST_CLOSED,
            _l(
                "No seat came free in %(code)s (%(day)s)",
                code=course_session.course.code,
                day=lazy_day(course_session.starts_on),
            ),
            _l("Look for the next session of the course in the catalogue."),
            f"/courses/{course_session.course_id}",
        )
    return JobResult.say(
        N_("%(closed)s waiting request(s) closed"), len(waiting), closed=len(waiting)
    )

"""Who may see and edit courses, sessions and enrolments, and who approves requests.

Declared in the courses feature entry and registered in ``lms.core.permissions`` by the
wiring. Approvers beyond a session's trainers and the editors come from other features
through the ``session_approvers`` signal (a project manager for sessions delivered to her
project's beneficiaries).
"""

from __future__ import annotations

from typing import Any

from lms.accounts.models import Role
from lms.core import signals
from lms.core.corrections import is_recorder_or_admin
from lms.core.extensions import db
from lms.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    EnrolmentEvent,
    SessionEnrolment,
)

EDITORS = (Role.ADMIN, Role.DIRECTORATE)


def is_editor(user: Any) -> bool:
    return user.has_role(*EDITORS)


def can_view_course(user: Any, course: Course) -> bool:
    return course.status == CourseStatus.PUBLISHED or is_editor(user)


def is_session_manager(user: Any, course_session: CourseSession) -> bool:
    """Who runs a session: editors and its trainers."""
    return is_editor(user) or any(t.id == user.id for t in course_session.trainers)


def is_session_approver(session: Any, user: Any, course_session: CourseSession) -> bool:
    """A rule of another feature (through the ``session_approvers`` signal) says yes."""
    return signals.any_listener_agrees(
        signals.session_approvers, session, user=user, course_session=course_session
    )


def can_approve(user: Any, enrolment: SessionEnrolment) -> bool:
    """Trainers of the session and editors approve; so do those a feature names."""
    return is_session_manager(user, enrolment.session) or is_session_approver(
        db.session, user, enrolment.session
    )


def can_view_enrolment(user: Any, enrolment: SessionEnrolment) -> bool:
    return enrolment.user_id == user.id or can_approve(user, enrolment)


def can_edit_enrolment(user: Any, enrolment: SessionEnrolment) -> bool:
    return is_session_manager(user, enrolment.session)


def _editor_rule(user: Any, record: Any) -> bool:
    return is_editor(user)


RULES = (
    (Course, can_view_course, _editor_rule),
    (CourseSession, lambda user, s: can_view_course(user, s.course), is_session_manager),
    (SessionEnrolment, can_view_enrolment, can_edit_enrolment),
)


def can_correct_enrolment_record(user: Any, event: EnrolmentEvent | None) -> bool:
    """An attendance mark or result is corrected by whoever recorded it, or an admin."""
    return event is not None and is_recorder_or_admin(user, event.actor_id)

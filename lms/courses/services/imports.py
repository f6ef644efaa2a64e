"""A session's trainers and the editors enrol a list of trainees from a CSV file, all or
nothing.

Columns (header row, any order): ``email`` (required: a user's email) and ``status``
(optional): ``enrolled`` (the default: the trainee must get a seat, so a full session is
that row's error) or ``waitlisted`` (a seat if one is free, otherwise the waiting list).

Each row goes through the enrolment services themselves (``request_enrolment``, then
``approve_enrolment`` for a session that needs approval, since whoever may import may
approve), so their rules — seats, open session and deadline, trainee role, reserved
administrations, prerequisites, one session of a course, duplicates — are the ones applied,
with their own messages. All rows run inside one SAVEPOINT, each in a nested one; when any
row is refused the SAVEPOINT is rolled back (seats included) and ``RowErrors`` lists them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from lms.accounts.services import get_user_by_email, normalise_email
from lms.core.csv_import import OncePerFile, RowError, RowErrors, read_table
from lms.core.errors import DomainError, ValidationError
from lms.core.i18n import _
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment
from lms.courses.services.enrolment import approve_enrolment, request_enrolment

REQUIRED_COLUMNS = ("email",)
OPTIONAL_COLUMNS = ("status",)
MAX_BYTES = 500_000
MAX_ROWS = 1_000
# The statuses a row may ask for: must hold a seat, or may wait for one.
WANTED = {
    "": EnrolmentStatus.ENROLLED,
    "enrolled": EnrolmentStatus.ENROLLED,
    "waitlisted": EnrolmentStatus.WAITLISTED,
}


def column_help() -> list[tuple[str, bool, str]]:
    return [
        ("email", True, _("The trainee's email address, as in their account.")),
        (
            "status",
            False,
            _(
                "enrolled (the default: a seat is required, so a full session refuses the "
                "row) or waitlisted (a seat if one is free, otherwise the waiting list)."
            ),
        ),
    ]


def template_csv_rows() -> tuple[list[str], list[tuple[str, ...]]]:
    return [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS], [
        ("ana.silva@customs.example.org", "enrolled"),
        ("jean.dupont@douane.example.org", "waitlisted"),
    ]


def _enrol(
    session: Session,
    course_session: CourseSession,
    user: Any,
    wanted: EnrolmentStatus,
    *,
    actor: Any,
    today: date,
) -> SessionEnrolment:
    enrolment = request_enrolment(session, course_session, user, actor=actor, today=today)
    if enrolment.status == EnrolmentStatus.REQUESTED:
        approve_enrolment(session, enrolment, actor=actor)
    if enrolment.status == EnrolmentStatus.WAITLISTED and wanted == EnrolmentStatus.ENROLLED:
        raise ValidationError(
            _(
                "The session is full (%(capacity)s seats): no seat is left for %(name)s "
                "(write waitlisted in the status column to put them on the waiting list).",
                capacity=course_session.capacity,
                name=user.full_name,
            ),
            field="status",
        )
    return enrolment


def import_enrolments(
    session: Session,
    course_session: CourseSession,
    content: bytes,
    *,
    actor: Any,
    today: date,
) -> list[SessionEnrolment]:
    """Enrol every row's trainee in ``course_session``, or nobody (``RowErrors``);
    ``CsvFileError`` for a file that cannot be read at all."""
    table = read_table(
        content,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
    )
    errors: list[RowError] = []
    enrolments: list[SessionEnrolment] = []
    emails = OncePerFile("email")
    outer = session.begin_nested()
    for number, row in table.rows:
        email = normalise_email(row["email"])
        wanted = WANTED.get(row["status"].lower())
        if wanted is None:
            errors.append(
                RowError(
                    number,
                    "status",
                    _(
                        "Unknown status “%(value)s” (use enrolled or waitlisted).",
                        value=row["status"],
                    ),
                )
            )
            continue
        if not email:
            errors.append(RowError(number, "email", _("The email is empty.")))
            continue
        repeat = emails.repeat(number, email)
        if repeat:
            errors.append(repeat)
            continue
        user = get_user_by_email(session, email)
        if user is None:
            errors.append(
                RowError(number, "email", _("No user has the email %(email)s.", email=email))
            )
            continue
        try:
            with session.begin_nested():
                enrolment = _enrol(session, course_session, user, wanted, actor=actor, today=today)
        except DomainError as error:
            column = "status" if error.field == "status" else "email"
            errors.append(RowError(number, column, error.message))
            continue
        enrolments.append(enrolment)
    if errors:
        outer.rollback()  # every row's enrolment and seat undone
        raise RowErrors(errors)
    outer.commit()
    return enrolments

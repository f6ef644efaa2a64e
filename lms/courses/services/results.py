"""Attendance and results, one by one or from a results file.

What a result does to competencies and tracks is the progress feature's: it listens to
``signals.session_result_recorded``, which these functions send.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.core import clock, signals
from lms.core.audit import audited
from lms.core.errors import DomainError, ValidationError
from lms.core.i18n import _
from lms.core.model_base import utcnow
from lms.courses.models import (
    CourseSession,
    EnrolmentStatus,
    SessionEnrolment,
)
from lms.courses.services.enrolment import _status_words, _transition


def _record_picture(enrolment: SessionEnrolment) -> dict[str, Any]:
    """What the audit log shows of an attendance mark or a result."""
    return {
        "status": enrolment.status.value,
        "score": None if enrolment.score is None else f"{enrolment.score:.1f}",
        "passed": enrolment.passed,
    }


def _local(moment: datetime, course_session: CourseSession) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") + f" ({course_session.timezone})"


def check_attendance_time(course_session: CourseSession, now: datetime) -> None:
    """Attendance is true only once the session has started."""
    if not course_session.has_started(now):
        raise ValidationError(
            _(
                "Attendance can be recorded once the session has started, on %(start)s.",
                start=_local(course_session.starts_at, course_session),
            )
        )


def check_result_time(course_session: CourseSession, now: datetime) -> None:
    """A result is true only once the session has ended, or, when the course says so, once it
    has started."""
    if course_session.course.results_from_start:
        if not course_session.has_started(now):
            raise ValidationError(
                _(
                    "Results can be recorded once the session has started, on %(start)s.",
                    start=_local(course_session.starts_at, course_session),
                )
            )
    elif not course_session.has_ended(now):
        raise ValidationError(
            _(
                "Results can be recorded once the session has ended, on %(end)s.",
                end=_local(course_session.ends_at, course_session),
            )
        )


def mark_attendance(
    session: Session,
    enrolment: SessionEnrolment,
    *,
    attended: bool,
    actor: Any,
    now: datetime | None = None,
) -> None:
    """``now`` (aware) defaults to the application's clock."""
    check_attendance_time(enrolment.session, now or clock.now())
    if enrolment.status not in (
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ATTENDED,
        EnrolmentStatus.NO_SHOW,
    ):
        raise ValidationError(
            _("%(full_name)s does not hold a seat.", full_name=enrolment.user.full_name)
        )
    target = EnrolmentStatus.ATTENDED if attended else EnrolmentStatus.NO_SHOW
    if enrolment.status in (EnrolmentStatus.ATTENDED, EnrolmentStatus.NO_SHOW) and (
        enrolment.status != target
    ):
        # A mark once recorded changes only by a correction, which keeps the original and
        # says why (lms.courses.services.corrections).
        raise ValidationError(
            _(
                "%(name)s's attendance is already recorded; correct it with a reason "
                "(Correct / withdraw on the roster).",
                name=enrolment.user.full_name,
            )
        )
    if enrolment.status != target:
        with audited(
            session,
            enrolment,
            _record_picture,
            actor=actor,
            action="attendance.recorded",
            summary=enrolment.user.email,
        ):
            _transition(session, enrolment, target, actor=actor, audit=False, announce=False)
    session.flush()
    signals.session_result_recorded.send(session, enrolment=enrolment, actor=actor)


def record_result(
    session: Session,
    enrolment: SessionEnrolment,
    *,
    score: Decimal | None,
    passed: bool,
    actor: Any,
    today: date,
    now: datetime | None = None,
) -> None:
    """Complete an enrolment with a result. What a pass does to competencies and tracks is
    the progress feature's business: it listens to ``session_result_recorded``. ``now``
    (aware) defaults to the application's clock."""
    check_result_time(enrolment.session, now or clock.now())
    if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED):
        raise ValidationError(
            _(
                "%(full_name)s is %(status)s; a result can be recorded only for an enrolled or "
                "attending trainee.",
                full_name=enrolment.user.full_name,
                status=_status_words(enrolment),
            )
        )
    if score is not None and not (0 <= score <= 100):
        raise ValidationError(_("The score must be between 0 and 100."), field="score")
    with (
        audited(
            session,
            enrolment,
            _record_picture,
            actor=actor,
            action="result.recorded",
            summary=enrolment.user.email,
        ),
        session.no_autoflush,  # status and result change together (a CHECK ties them)
    ):
        _transition(
            session,
            enrolment,
            EnrolmentStatus.COMPLETED,
            actor=actor,
            note=("passed" if passed else "failed")
            + (f", score {score}" if score is not None else ""),
            audit=False,
            announce=False,
        )
        enrolment.score = score
        enrolment.passed = passed
        enrolment.result_recorded_at = utcnow()
    session.flush()
    signals.session_result_recorded.send(session, enrolment=enrolment, actor=actor, today=today)


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
        super().__init__(_("The file was not imported: %(errors)s", errors="; ".join(errors[:20])))
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


def apply_results(
    session: Session,
    rows: Sequence[ResultRow],
    *,
    actor: Any,
    today: date,
    now: datetime | None = None,
) -> int:
    for row in rows:
        if not row.attended:
            mark_attendance(session, row.enrolment, attended=False, actor=actor, now=now)
            continue
        if row.enrolment.status == EnrolmentStatus.NO_SHOW:
            mark_attendance(session, row.enrolment, attended=True, actor=actor, now=now)
        record_result(
            session,
            row.enrolment,
            score=row.score,
            passed=bool(row.passed),
            actor=actor,
            today=today,
            now=now,
        )
    return len(rows)

"""Courses as xAPI activities, and courses completed elsewhere.

Each course has a stable activity IRI on this installation's address (``LMS_BASE_URL``):
``<base>/xapi/activities/course/<code>``. Statements the LMS sends name it as their object
(lms.xapi), the API shows it as ``activity_id``, and a ``completed`` or ``passed``
statement an e-learning platform sends about it is recorded here as an
``ExternalCompletion``: a pass of the course, which the progress feature applies exactly as
a passed session result (it listens to ``external_completion_recorded``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core import signals
from lms.core.audit import record_change
from lms.courses.models import Course, ExternalCompletion

ACTIVITY_PATH = "/xapi/activities/course/"


def _base(base_url: str | None) -> str:
    return (base_url or current_app.config["LMS_BASE_URL"]).rstrip("/")


def course_activity_iri(course: Course, base_url: str | None = None) -> str:
    """The course's xAPI activity id, built from ``LMS_BASE_URL`` and its (unique) code."""
    return _base(base_url) + ACTIVITY_PATH + quote(course.code, safe="")


def course_for_activity(session: Session, iri: str, base_url: str | None = None) -> Course | None:
    """The course an activity IRI of ours names, or None (another site's, or no such code)."""
    prefix = _base(base_url) + ACTIVITY_PATH
    if not iri.startswith(prefix):
        return None
    code = unquote(iri[len(prefix) :])
    if not code or "/" in code:
        return None
    return session.scalar(sa.select(Course).where(Course.code == code))


def record_external_completion(
    session: Session,
    *,
    user: User,
    course: Course,
    statement_id: uuid.UUID,
    verb: str,
    completed_at: datetime,
    score_scaled: Decimal | None = None,
    platform: str = "",
    actor: Any,
    today: date,
) -> ExternalCompletion:
    """Record a completion reported from elsewhere as a pass of ``course`` and announce it
    (ratings, evidence and track progress follow, by the same rule as a passed session).
    A statement id already recorded returns the completion it made, unchanged."""
    existing = session.scalar(
        sa.select(ExternalCompletion).where(ExternalCompletion.statement_id == statement_id)
    )
    if existing is not None:
        return existing
    completion = ExternalCompletion(
        user_id=user.id,
        course_id=course.id,
        statement_id=statement_id,
        verb=verb,
        completed_at=completed_at,
        score_scaled=score_scaled,
        platform=platform[:200],
        recorded_by_id=getattr(actor, "id", None),
    )
    session.add(completion)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="course.completed_elsewhere",
        entity=completion,
        before=None,
        after={"course": course.code, "verb": verb, "statement": str(statement_id)},
        summary=f"{user.email} {course.code}",
    )
    signals.external_completion_recorded.send(
        session, completion=completion, actor=actor, today=today
    )
    return completion


def external_completions_of(session: Session, user_id: int) -> list[ExternalCompletion]:
    return list(
        session.scalars(
            sa.select(ExternalCompletion)
            .where(ExternalCompletion.user_id == user_id)
            .order_by(ExternalCompletion.completed_at)
        )
    )

"""The xAPI demo step: the customs organisation's own e-learning platform reports that a
midway trainee (trainee03) completed DS-303 there, so her Data specialists progress counts
a course taken elsewhere (``POST /api/v1/xapi/statements`` does the same)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core import clock
from lms.courses.models import Course
from lms.courses.services import course_activity_iri
from lms.xapi.receive import check_statements, receive_statements

PLATFORM = "Customs e-learning platform"


def load_xapi(session: Session) -> str:
    trainee = session.scalar(sa.select(User).where(User.email == "trainee03@example.org"))
    admin = session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    course = session.scalar(sa.select(Course).where(Course.code == "DS-303"))
    if trainee is None or course is None:
        return "xAPI: nothing (no demo trainee or course)"
    done_at = clock.now() - timedelta(days=9)
    statement = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "demo:xapi:trainee03:DS-303")),
        "actor": {"objectType": "Agent", "mbox": f"mailto:{trainee.email}"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed"},
        },
        "object": {"objectType": "Activity", "id": course_activity_iri(course)},
        "result": {"completion": True, "success": True, "score": {"scaled": 0.86}},
        "context": {"platform": PLATFORM},
        "timestamp": done_at.isoformat(),
    }
    statements, errors = check_statements(statement)
    if errors:  # the demo's own statement: a failure here is a bug, never skipped under -O
        raise RuntimeError(f"the demo xAPI statement is invalid: {errors}")
    receive_statements(session, statements, actor=admin, today=clock.today())
    return f"xAPI: 1 completion received from {PLATFORM} ({trainee.email}, {course.code})"

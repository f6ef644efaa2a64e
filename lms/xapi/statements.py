"""Outgoing xAPI 1.0.3 statements: what the LMS tells a learning record store.

- a session enrolment that gets a seat: ``registered``;
- attendance marked present: ``attended``;
- a result: ``completed`` (result.completion) and ``passed`` or ``failed`` (result.success
  and, with a score, result.score: scaled = score / 100, raw, min 0, max 100); a corrected
  result sends its new statements (the superseded ones stay in the LRS: no voiding);
- a competency rating: ``scored`` on the competency's activity (its CASE uuid), raw = the
  level's position on the scale, success = the level is proficient.

The actor is identified by ``mbox`` (mailto:), the object of session statements is the
course's activity IRI (``course_activity_iri``); the context carries the enrolment's
registration UUID, the session as parent activity, the course's tracks as grouping, the
platform and the trainee's language. A statement's id is a UUID 5 of the event it reports
(the enrolment's registration and its history length, or the rating's id), so announcing
the same event twice queues it once (the outbox's dedupe key) and a resent one is the same
statement for the LRS.

Statements are queued in the HTTP outbox (channel ``xapi``) only when ``LMS_XAPI_LRS_URL``,
``LMS_XAPI_LRS_USERNAME`` and ``LMS_XAPI_LRS_PASSWORD`` are set; the credentials are never
stored: ``outbound_headers`` answers them at each attempt.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from lms.core import http_outbox
from lms.core.model_base import utcnow
from lms.core.models import OutboundRequest
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment
from lms.courses.services import course_activity_iri
from lms.progress.models import CompetencyRating

CHANNEL = "xapi"
VERSION = "1.0.3"
PLATFORM = "Capacity LMS"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = ("registered", "attended", "completed", "passed", "failed", "scored")
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MEETING_TYPE = "http://adlnet.gov/expapi/activities/meeting"
COMPETENCY_TYPE = "http://adlnet.gov/expapi/activities/objective"
TRACK_TYPE = "http://adlnet.gov/expapi/activities/module"


@dataclass(frozen=True)
class LrsSettings:
    url: str = ""
    username: str = ""
    password: str = ""

    @classmethod
    def from_config(cls, config: Any) -> LrsSettings:
        return cls(
            url=(config.get("LMS_XAPI_LRS_URL") or "").strip(),
            username=config.get("LMS_XAPI_LRS_USERNAME") or "",
            password=config.get("LMS_XAPI_LRS_PASSWORD") or "",
        )

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.username and self.password)

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"


def _settings() -> LrsSettings:
    return LrsSettings.from_config(current_app.config) if has_app_context() else LrsSettings()


def _base() -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/")


def statement_id(key: str) -> uuid.UUID:
    """The id of the statement reporting event ``key``, on this installation."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, _base() + "/xapi")
    return uuid.uuid5(namespace, key)


def verb(name: str) -> dict[str, Any]:
    return {"id": ADL + name, "display": {"en-US": name}}


def actor(user: Any) -> dict[str, Any]:
    return {"objectType": "Agent", "mbox": f"mailto:{user.email}", "name": user.full_name}


def _names(record: Any, attribute: str) -> dict[str, str]:
    names = {"en": getattr(record, attribute)}
    french = getattr(record, f"{attribute}_fr", None)
    if french:
        names["fr"] = french
    return names


def session_activity(course_session: CourseSession) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"{_base()}/xapi/activities/session/{course_session.id}",
        "definition": {
            "type": MEETING_TYPE,
            "name": {"en": f"{course_session.course.code} {course_session.starts_on.isoformat()}"},
        },
    }


def course_object(course: Any) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": course_activity_iri(course),
        "definition": {"type": COURSE_TYPE, "name": _names(course, "title")},
    }


def _track_activities(course: Any) -> list[dict[str, Any]]:
    tracks = sorted({link.track.code: link.track for link in course.track_links}.items())
    return [
        {
            "objectType": "Activity",
            "id": f"{_base()}/xapi/activities/track/{track.id}",
            "definition": {"type": TRACK_TYPE, "name": {"en": track.name}},
        }
        for _code, track in tracks
    ]


def _timestamp(moment: datetime | None) -> str:
    return (moment or utcnow()).isoformat(timespec="milliseconds")


def _session_statement(
    enrolment: SessionEnrolment, name: str, key: str, result: dict | None, at: datetime | None
) -> dict[str, Any]:
    course_session = enrolment.session
    course = course_session.course
    context: dict[str, Any] = {
        "registration": str(enrolment.registration),
        "platform": PLATFORM,
        "language": enrolment.user.preferred_language or "en",
        "contextActivities": {"parent": [session_activity(course_session)]},
    }
    grouping = _track_activities(course)
    if grouping:
        context["contextActivities"]["grouping"] = grouping
    statement = {
        "id": str(statement_id(key)),
        "actor": actor(enrolment.user),
        "verb": verb(name),
        "object": course_object(course),
        "context": context,
        "timestamp": _timestamp(at),
        "version": VERSION,
    }
    if result is not None:
        statement["result"] = result
    return statement


def _score(score: Decimal | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {"scaled": float(round(score / 100, 4)), "raw": float(score), "min": 0, "max": 100}


def enrolment_statements(enrolment: SessionEnrolment) -> list[dict[str, Any]]:
    """The statements an enrolment's present state reports (none for a request, a waiting
    place, a no-show, a withdrawal)."""
    history = len(enrolment.events)
    base = f"{enrolment.registration}:{history}"
    if enrolment.status == EnrolmentStatus.ENROLLED:
        return [_session_statement(enrolment, "registered", f"registered:{base}", None, None)]
    if enrolment.status == EnrolmentStatus.ATTENDED:
        return [_session_statement(enrolment, "attended", f"attended:{base}", None, None)]
    if enrolment.status != EnrolmentStatus.COMPLETED or enrolment.passed is None:
        return []
    at = enrolment.result_recorded_at
    outcome = "passed" if enrolment.passed else "failed"
    key = f"{base}:{enrolment.score}:{enrolment.passed}:{_timestamp(at)}"
    success: dict[str, Any] = {"success": bool(enrolment.passed), "completion": True}
    score = _score(enrolment.score)
    if score is not None:
        success["score"] = score
    return [
        _session_statement(enrolment, "completed", f"completed:{key}", {"completion": True}, at),
        _session_statement(enrolment, outcome, f"{outcome}:{key}", success, at),
    ]


def rating_statement(rating: CompetencyRating) -> dict[str, Any]:
    level = rating.level
    positions = sorted(lv.position for lv in level.scale.levels)
    low, high = positions[0], positions[-1]
    competency = rating.competency
    result: dict[str, Any] = {
        "score": {
            "raw": level.position,
            "min": low,
            "max": high,
            "scaled": round(level.position / high, 4) if high > 0 else 0,
        },
        "success": bool(level.is_proficient),
        "response": level.name,
    }
    return {
        "id": str(statement_id(f"rated:{rating.id}")),
        "actor": actor(rating.user),
        "verb": verb("scored"),
        "object": {
            "objectType": "Activity",
            "id": f"{_base()}/xapi/activities/competency/{competency.uuid}",
            "definition": {
                "type": COMPETENCY_TYPE,
                "name": {"en": f"{competency.code} {competency.short_name}"},
            },
        },
        "result": result,
        "context": {
            "platform": PLATFORM,
            "language": rating.user.preferred_language or "en",
            "extensions": {f"{_base()}/xapi/extensions/rating-source": rating.source.value},
        },
        "timestamp": _timestamp(rating.rated_at),
        "version": VERSION,
    }


def queue(session: Session, statements: list[dict[str, Any]]) -> list[OutboundRequest]:
    """Queue each statement for the LRS (nothing when no LRS is configured)."""
    settings = _settings()
    if not settings.enabled:
        return []
    return [
        http_outbox.enqueue(
            session,
            channel=CHANNEL,
            method="POST",
            url=settings.statements_url,
            body=http_outbox.json_body(statement),
            headers={"X-Experience-API-Version": VERSION},
            reference=f"statement:{statement['id']}",
            dedupe_key=f"xapi:{statement['id']}",
        )
        for statement in statements
    ]


# Listeners (declared in lms/xapi/feature.py) ------------------------------------------------


def on_enrolment_changed(session: Session, *, enrolment: SessionEnrolment, **_: Any) -> None:
    if _settings().enabled:
        queue(session, enrolment_statements(enrolment))


def on_session_result(session: Session, *, enrolment: SessionEnrolment, **_: Any) -> None:
    """Attendance, a result, or a correction of either: what the enrolment now reports."""
    if _settings().enabled:
        queue(session, enrolment_statements(enrolment))


def on_competency_rated(session: Session, *, rating: CompetencyRating, **_: Any) -> None:
    if _settings().enabled:
        queue(session, [rating_statement(rating)])


def lrs_headers(session: Session, *, request: OutboundRequest, **_: Any) -> dict[str, str] | None:
    """``outbound_headers``: the LRS's Basic credentials, read from the configuration at each
    attempt (never stored with the request)."""
    if request.channel != CHANNEL:
        return None
    settings = _settings()
    if not (settings.username and settings.password):
        raise http_outbox.Undeliverable(
            "LMS_XAPI_LRS_USERNAME and LMS_XAPI_LRS_PASSWORD are no longer set"
        )
    pair = f"{settings.username}:{settings.password}".encode()
    return {
        "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
        "X-Experience-API-Version": VERSION,
    }

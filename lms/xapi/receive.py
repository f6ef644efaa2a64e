"""Incoming xAPI statements (``POST /api/v1/xapi/statements``): check, store, apply.

A request carries one statement or a list. Every statement is checked first; one invalid
statement refuses the whole request (400, with the reasons per statement) and nothing is
stored, as an LRS does. The checks are structural: an ``id`` (a UUID: we require it, so a
statement sent twice is recognised), an ``actor`` with an ``mbox`` (``mailto:`` and an
address), a ``verb`` with an absolute IRI ``id``, an ``object`` with an absolute IRI ``id``
(an Activity), and where given a ``result.score.scaled`` between -1 and 1, a boolean
``result.success`` and an ISO 8601 ``timestamp``.

Each valid statement is then stored once (``ReceivedStatement``, unique statement id: a
repeated id is ignored and changes nothing) with its outcome:

- *recorded*: a ``completed`` or ``passed`` statement (ADL verbs) on one of our courses'
  activity IRIs, by a learner we know by that email address, not reporting a failure
  (``result.success`` false): the courses feature records an ``ExternalCompletion`` and the
  progress feature applies it as it applies a passed session result;
- *ignored*, with the reason in ``note``: any other verb, an activity that is not one of our
  courses, an unknown learner, a failure.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.courses.services import course_for_activity, record_external_completion
from lms.xapi.models import ReceivedOutcome, ReceivedStatement
from lms.xapi.statements import ADL

COMPLETION_VERBS = {ADL + "completed": "completed", ADL + "passed": "passed"}
MAX_STATEMENTS = 100


def _iri(value: Any) -> bool:
    if not isinstance(value, str) or not value or len(value) > 2000:
        return False
    scheme, sep, rest = value.partition(":")
    return bool(
        sep and rest and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)
    )


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_statement(statement: Any) -> list[str]:
    """What is wrong with one statement (empty when it is valid)."""
    if not isinstance(statement, dict):
        return ["a statement is a JSON object"]
    problems: list[str] = []
    raw_id = statement.get("id")
    if not isinstance(raw_id, str):
        problems.append("id: required, a UUID")
    else:
        try:
            uuid.UUID(raw_id)
        except ValueError:
            problems.append("id: not a UUID")
    agent = statement.get("actor")
    mbox = agent.get("mbox") if isinstance(agent, dict) else None
    if not isinstance(agent, dict):
        problems.append("actor: required, an object")
    elif not isinstance(mbox, str) or not mbox.startswith("mailto:"):
        problems.append("actor.mbox: required, mailto: followed by an email address")
    else:
        try:
            validate_email(mbox[len("mailto:") :], check_deliverability=False)
        except EmailNotValidError:
            problems.append("actor.mbox: not a valid email address")
    action = statement.get("verb")
    if not isinstance(action, dict) or not _iri(action.get("id")):
        problems.append("verb.id: required, an absolute IRI")
    target = statement.get("object")
    if not isinstance(target, dict) or not _iri(target.get("id")):
        problems.append("object.id: required, an absolute IRI")
    elif target.get("objectType", "Activity") != "Activity":
        problems.append("object.objectType: only activities are accepted")
    result = statement.get("result")
    if result is not None:
        if not isinstance(result, dict):
            problems.append("result: an object")
        else:
            if "success" in result and not isinstance(result["success"], bool):
                problems.append("result.success: true or false")
            score = result.get("score")
            if score is not None:
                scaled = score.get("scaled") if isinstance(score, dict) else None
                if not isinstance(score, dict):
                    problems.append("result.score: an object")
                elif scaled is not None and (
                    isinstance(scaled, bool)
                    or not isinstance(scaled, int | float)
                    or not math.isfinite(scaled)
                    or not -1 <= scaled <= 1
                ):
                    problems.append("result.score.scaled: a number from -1 to 1")
    if "timestamp" in statement and _timestamp(statement["timestamp"]) is None:
        problems.append("timestamp: an ISO 8601 date and time")
    return problems


def check_statements(document: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The statements of a request body, and the problems keyed ``statements[i]`` (or
    ``statement`` for a single one)."""
    single = isinstance(document, dict)
    statements = [document] if single else document
    if not isinstance(statements, list) or not statements:
        return [], {"_schema": ["send one statement (an object) or a non-empty list of them"]}
    if len(statements) > MAX_STATEMENTS:
        return [], {"_schema": [f"at most {MAX_STATEMENTS} statements per request"]}
    errors: dict[str, list[str]] = {}
    for index, statement in enumerate(statements):
        problems = check_statement(statement)
        if problems:
            errors["statement" if single else f"statements[{index}]"] = problems
    return statements, errors


@dataclass(frozen=True)
class Received:
    statement_id: str
    outcome: str  # recorded, ignored, duplicate
    note: str = ""


def _learner(session: Session, mbox: str) -> User | None:
    email = mbox[len("mailto:") :].strip().lower()
    return session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))


def _one(session: Session, statement: dict[str, Any], *, actor: Any, today: date) -> Received:
    sid = uuid.UUID(statement["id"])
    if session.scalar(sa.select(ReceivedStatement.id).where(ReceivedStatement.statement_id == sid)):
        return Received(str(sid), "duplicate", "already received")
    mbox = statement["actor"]["mbox"]
    verb_id = statement["verb"]["id"]
    object_id = statement["object"]["id"]
    stored = ReceivedStatement(
        statement_id=sid,
        received_by_id=getattr(actor, "id", None),
        actor_mbox=mbox[:261],
        verb_id=verb_id[:500],
        object_id=object_id[:2000],
        outcome=ReceivedOutcome.IGNORED,
        statement=statement,
    )
    result = statement.get("result") or {}
    course = course_for_activity(session, object_id)
    learner = _learner(session, mbox)
    if verb_id not in COMPLETION_VERBS:
        stored.note = "not a completion (only completed and passed count)"
    elif course is None:
        stored.note = "not one of our courses' activities"
    elif learner is None:
        stored.note = "no learner with this email address"
    elif result.get("success") is False:
        stored.note = "reports a failure"
    else:
        scaled = (result.get("score") or {}).get("scaled")
        completion = record_external_completion(
            session,
            user=learner,
            course=course,
            statement_id=sid,
            verb=COMPLETION_VERBS[verb_id],
            completed_at=_timestamp(statement.get("timestamp")) or datetime.now(UTC),
            score_scaled=(
                Decimal(str(round(scaled, 4))) if scaled is not None and scaled >= 0 else None
            ),
            platform=str((statement.get("context") or {}).get("platform") or "")[:200],
            actor=actor,
            today=today,
        )
        stored.outcome = ReceivedOutcome.RECORDED
        stored.external_completion_id = completion.id
    session.add(stored)
    session.flush()
    return Received(str(sid), stored.outcome.value, stored.note)


def _once(session: Session, statement: dict[str, Any], *, actor: Any, today: date) -> Received:
    """One statement in a savepoint: the same id posted at the same moment by another
    request meets the unique key and is answered as the duplicate it is."""
    try:
        with session.begin_nested():
            return _one(session, statement, actor=actor, today=today)
    except IntegrityError:
        sid = str(uuid.UUID(statement["id"]))
        if session.scalar(
            sa.select(ReceivedStatement.id).where(ReceivedStatement.statement_id == uuid.UUID(sid))
        ):
            return Received(sid, "duplicate", "already received")
        raise


def receive_statements(
    session: Session, statements: list[dict[str, Any]], *, actor: Any, today: date
) -> list[Received]:
    """Store and apply checked statements (``check_statements`` first); flushes only."""
    return [_once(session, statement, actor=actor, today=today) for statement in statements]


def received_history(session: Session, *, user: Any, **_: Any) -> str | None:
    """``user_history_probe``: an account whose token posted statements keeps them pointing
    at it, so it cannot be hard-deleted."""
    stmt = sa.select(ReceivedStatement.id).where(ReceivedStatement.received_by_id == user.id)
    return "has posted xAPI statements" if session.scalar(sa.select(stmt.exists())) else None

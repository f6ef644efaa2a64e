"""POST /api/v1/xapi/statements: completions reported by another platform count towards
tracks through the same rule as a passed session; malformed statements get a 400 with the
reason; a repeated statement id is ignored."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses.models import ExternalCompletion
from lms.progress import services as progress
from lms.progress.models import CompetencyEvidence, CompetencyRating, RatingSource
from lms.xapi.models import ReceivedOutcome, ReceivedStatement
from tests.api.conftest import assert_problem

URL = "/api/v1/xapi/statements"
ST201 = "http://localhost/xapi/activities/course/ST201"


def _statement(**overrides):
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": "mailto:Lea@Example.org", "name": "Léa"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed"},
        },
        "object": {"objectType": "Activity", "id": ST201},
        "result": {"completion": True, "score": {"scaled": 0.9}},
        "context": {"platform": "Customs e-learning"},
        "timestamp": "2026-03-01T10:00:00Z",
    }
    statement.update(overrides)
    return statement


@pytest.fixture
def learner(world, make_user):
    user = make_user(Role.TRAINEE, email="lea@example.org", full_name="Léa Trainee")
    progress.enrol_in_track(db.session, user, world.specialists, actor=user)
    db.session.commit()
    return user


@pytest.fixture
def platform(make_user, make_token):
    """The external platform's account: an administrator's read-write token."""
    return make_token(make_user(Role.ADMIN, email="platform@example.org"))


def _course_done(user, track, code) -> bool:
    report = progress.track_progress(db.session, user, track)
    return next(c.completed for c in report.courses if c.course.code == code)


def test_a_completed_statement_counts_towards_the_track(client, world, learner, platform):
    assert not _course_done(learner, world.specialists, "ST201")
    before = progress.track_progress(db.session, learner, world.specialists)
    statement = _statement()
    response = client.post(URL, json=statement, headers=platform)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == [statement["id"]]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"

    db.session.expire_all()
    assert _course_done(learner, world.specialists, "ST201")
    after = progress.track_progress(db.session, learner, world.specialists)
    assert after.required_done == before.required_done + 1
    # The course's outcome (rate Descriptive statistics at Practitioner) applied as for a
    # passed session: a course rating and the evidence, tied to the completion.
    completion = db.session.scalar(sa.select(ExternalCompletion))
    assert (completion.user_id, completion.course_id) == (learner.id, world.course_b.id)
    assert str(completion.statement_id) == statement["id"] and completion.verb == "completed"
    assert float(completion.score_scaled) == 0.9
    assert completion.platform == "Customs e-learning"
    rating = db.session.scalar(
        sa.select(CompetencyRating).where(CompetencyRating.user_id == learner.id)
    )
    assert rating.competency_id == world.stats.id
    assert rating.level_id == world.levels["Practitioner"].id
    assert rating.source == RatingSource.COURSE
    assert rating.external_completion_id == completion.id
    evidence = db.session.scalar(
        sa.select(CompetencyEvidence).where(CompetencyEvidence.user_id == learner.id)
    )
    assert evidence.external_completion_id == completion.id
    received = db.session.scalar(sa.select(ReceivedStatement))
    assert received.outcome == ReceivedOutcome.RECORDED
    assert received.external_completion_id == completion.id


def test_a_repeated_statement_id_is_ignored(client, world, learner, platform):
    statement = _statement()
    assert client.post(URL, json=[statement], headers=platform).status_code == 200
    again = client.post(URL, json=[statement, statement], headers=platform)
    assert again.status_code == 200 and again.get_json() == [statement["id"]] * 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExternalCompletion)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedStatement)) == 1
    ratings = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CompetencyRating)
        .where(CompetencyRating.user_id == learner.id)
    )
    assert ratings == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"actor": {"name": "No mbox"}}, "actor.mbox"),
        ({"actor": {"mbox": "lea@example.org"}}, "actor.mbox"),
        ({"actor": {"mbox": "mailto:not an address"}}, "actor.mbox: not a valid email address"),
        ({"verb": {"display": {"en-US": "completed"}}}, "verb.id"),
        ({"verb": {"id": "completed"}}, "verb.id"),
        ({"object": {"id": ""}}, "object.id"),
        ({"id": "not-a-uuid"}, "id: not a UUID"),
        ({"id": None}, "id: required"),
        ({"result": {"score": {"scaled": 1.5}}}, "result.score.scaled"),
        ({"result": {"success": "yes"}}, "result.success"),
        ({"timestamp": "yesterday"}, "timestamp"),
    ],
)
def test_a_malformed_statement_is_refused_with_the_reason(
    client, world, learner, platform, change, reason
):
    body = assert_problem(client.post(URL, json=_statement(**change), headers=platform), 400)
    assert any(reason in message for message in body["errors"]["statement"]), body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedStatement)) == 0
    assert not _course_done(learner, world.specialists, "ST201")


def test_one_bad_statement_refuses_the_whole_list(client, world, learner, platform):
    good, bad = _statement(), _statement(actor={"mbox": "nobody"})
    body = assert_problem(client.post(URL, json=[good, bad], headers=platform), 400)
    assert list(body["errors"]) == ["statements[1]"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedStatement)) == 0
    for document in ("[]", "42", "not json"):
        response = client.post(
            URL, data=document, content_type="application/json", headers=platform
        )
        assert_problem(response, 400)


def test_statements_that_change_nothing_are_stored_as_ignored_with_why(
    client, world, learner, platform
):
    cases = {
        "no learner with this email address": _statement(actor={"mbox": "mailto:x@example.org"}),
        "not one of our courses' activities": _statement(
            object={"id": "http://elsewhere.example.org/course/ST201"}
        ),
        "not a completion (only completed and passed count)": _statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/attempted"}
        ),
        "reports a failure": _statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/passed"}, result={"success": False}
        ),
    }
    response = client.post(URL, json=list(cases.values()), headers=platform)
    assert response.status_code == 200
    assert response.get_json() == [s["id"] for s in cases.values()]
    stored = {str(r.statement_id): r for r in db.session.scalars(sa.select(ReceivedStatement))}
    for note, statement in cases.items():
        assert stored[statement["id"]].outcome == ReceivedOutcome.IGNORED
        assert stored[statement["id"]].note == note
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExternalCompletion)) == 0
    assert not _course_done(learner, world.specialists, "ST201")


def test_a_passed_statement_counts_too(client, world, learner, platform):
    statement = _statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/passed"}, result={"success": True}
    )
    assert client.post(URL, json=statement, headers=platform).status_code == 200
    assert _course_done(learner, world.specialists, "ST201")


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.TRAINER, Role.PROJECT_MANAGER])
def test_only_admin_or_directorate_tokens_may_post(
    client, world, learner, make_user, make_token, role
):
    headers = make_token(make_user(role))
    assert_problem(client.post(URL, json=_statement(), headers=headers), 403)
    assert not _course_done(learner, world.specialists, "ST201")


def test_a_read_only_token_may_not_post(client, world, learner, make_user, make_token):
    headers = make_token(make_user(Role.DIRECTORATE), scope="read")
    assert_problem(client.post(URL, json=_statement(), headers=headers), 403)
    directorate = make_token(make_user(Role.DIRECTORATE))
    assert client.post(URL, json=_statement(), headers=directorate).status_code == 200


def test_no_token_is_refused(client, world):
    assert_problem(client.post(URL, json=_statement()), 401)

"""The correction pages: a "Correct / withdraw" action with a confirmation page and a reason,
on the session roster, the competency history, the claim page and the indicator page; each
refused (403) to a trainer or manager who did not record it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.courses.correction_models import EnrolmentCorrection
from lms.progress import services
from lms.progress.correction_models import ClaimCorrection, RatingCorrection
from lms.progress.models import ClaimStatus, RatingSource
from lms.projects import services as project_services
from lms.projects.models import ActualCorrection
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY


def _passed(world, make_user):
    trainee = make_user(Role.TRAINEE, full_name="Amina Holder")
    enrolment = courses.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    world.session_a.starts_on = TODAY - timedelta(days=5)
    world.session_a.ends_on = TODAY - timedelta(days=3)
    courses.record_result(
        db.session, enrolment, score=Decimal(75), passed=True, actor=world.trainer, today=TODAY
    )
    other = make_user(Role.TRAINER, email="second.trainer@example.org")
    world.session_a.trainers.append(other)  # runs the session too, but recorded nothing
    db.session.commit()
    return trainee, enrolment, other


def test_the_roster_offers_the_correction_to_its_recorder_only(client, world, make_user):
    _trainee, enrolment, other = _passed(world, make_user)
    page = f"/sessions/{world.session_a.id}"
    correct = f"/enrolments/{enrolment.id}/correct/result"
    login(client, other)
    assert correct not in client.get(page).get_data(as_text=True)
    assert client.get(correct).status_code == 403
    assert post_form(client, correct, {"action": "withdrawn", "reason": "x"}).status_code == 403
    client = client.application.test_client()  # signed out

    login(client, world.trainer)
    assert correct in client.get(page).get_data(as_text=True)
    form = client.get(correct).get_data(as_text=True)
    assert "Confirm the correction" in form and "Reason" in form
    # No reason: nothing happens.
    post_form(client, correct, {"action": "corrected", "passed": "no", "reason": " "})
    assert db.session.scalar(sa.select(sa.func.count(EnrolmentCorrection.id))) == 0
    response = post_form(
        client,
        correct,
        {"action": "corrected", "passed": "no", "score": "40", "reason": "Wrong script"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert enrolment.passed is False and enrolment.score == Decimal("40.0")
    # The attendance mark that now stands (the result's event) is the trainer's to correct.
    history = client.get(f"/enrolments/{enrolment.id}/correct/result").get_data(as_text=True)
    assert "Wrong script" in history and "passed True" in history and "passed False" in history


def test_rating_history_offers_correction_to_the_assessor_only(client, world, make_user):
    trainee, _enrolment, other = _passed(world, make_user)
    rating = services.rate_competency(
        db.session,
        user=trainee,
        competency=world.stats,
        level=world.levels["Expert"],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
        comment="Observed",
    )
    db.session.commit()
    page = f"/trainees/{trainee.id}/competencies/{world.stats.id}"
    correct = f"/ratings/{rating.id}/correct"
    login(client, other)
    assert correct not in client.get(page).get_data(as_text=True)
    assert client.get(correct).status_code == 403
    client = client.application.test_client()  # signed out
    login(client, world.trainer)
    assert correct in client.get(page).get_data(as_text=True)
    response = post_form(
        client,
        correct,
        {
            "action": "corrected",
            "level_id": str(world.levels["Practitioner"].id),
            "reason": "Typed Expert for Practitioner",
        },
    )
    assert response.status_code == 302
    assert services.latest_ratings(db.session, trainee.id)[world.stats.id].level.name == (
        "Practitioner"
    )
    text = client.get(page).get_data(as_text=True)
    assert "Typed Expert for Practitioner" in text and "Observed" in text
    assert db.session.scalar(sa.select(sa.func.count(RatingCorrection.id))) == 1


def test_the_claim_page_offers_correction_to_the_reviewer_only(client, world, make_user):
    trainee, _enrolment, other = _passed(world, make_user)
    claim = services.claim_prior_learning(
        db.session,
        user=trainee,
        competency=world.stats,
        level=world.levels["Practitioner"],
        description="Five years of risk statistics",
    )
    services.review_claim(db.session, claim, accept=True, actor=world.trainer)
    db.session.commit()
    page = f"/claims/{claim.id}"
    login(client, other)
    assert client.get(page).status_code == 200
    assert "correction-form" not in client.get(page).get_data(as_text=True)
    assert post_form(client, page, {"action": "withdrawn", "reason": "x"}).status_code == 200
    db.session.expire_all()
    assert claim.status == ClaimStatus.ACCEPTED
    client = client.application.test_client()  # signed out
    login(client, world.trainer)
    assert "correction-form" in client.get(page).get_data(as_text=True)
    post_form(client, page, {"action": "corrected", "decision": "reject", "reason": "Not hers"})
    db.session.expire_all()
    assert claim.status == ClaimStatus.REJECTED
    assert "Not hers" in client.get(page).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ClaimCorrection.id))) == 1


def test_the_indicator_page_offers_correction_to_the_reporter_only(
    client, make_project, make_indicator, make_user
):
    manager = make_user(Role.PROJECT_MANAGER)
    colleague = make_user(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    project.managers.append(colleague)
    indicator = make_indicator(project, targets={"2024": 10})
    actual = project_services.report_actual(
        db.session, indicator, actor=manager, period="2024", value=9
    )
    db.session.commit()
    page = f"/projects/{project.id}/indicators/{indicator.id}"
    correct = f"/projects/{project.id}/actuals/{actual.id}/correct"
    login(client, colleague)
    assert correct not in client.get(page).get_data(as_text=True)
    assert client.get(correct).status_code == 403
    client = client.application.test_client()  # signed out
    login(client, manager)
    assert correct in client.get(page).get_data(as_text=True)
    post_form(client, correct, {"action": "corrected", "value": "6", "reason": "Recount"})
    db.session.expire_all()
    assert project_services.current_actuals(indicator)["2024"].value == 6
    text = client.get(page).get_data(as_text=True)
    assert "Recount" in text
    assert db.session.scalar(sa.select(sa.func.count(ActualCorrection.id))) == 1

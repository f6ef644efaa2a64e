"""Consequential choices start empty: a rating records only a level the trainer chose, and a
prior-learning claim is decided only by an explicit accept or reject."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.progress import services
from lms.progress.models import (
    ClaimStatus,
    CompetencyRating,
    PriorLearningClaim,
    ReviewRequest,
    ReviewStatus,
)
from tests.conftest import login, post_form


def _review_waiting(app, client, world, logged_in):
    """A trainee asks for a review; returns her, the page and a trainer's client."""
    me = logged_in(Role.TRAINEE)
    url = f"/trainees/{me.id}/competencies/{world.quality.id}"
    post_form(client, url, {"action": "review", "review-note": "Please look"})
    trainer = app.test_client()
    login(trainer, world.trainer)
    return me, url, trainer


def test_rating_form_starts_empty_and_shows_descriptors_and_the_target(
    app, client, world, logged_in
):
    from lms.progress.services import enrol_in_track

    me, url, client = _review_waiting(app, client, world, logged_in)
    enrol_in_track(db.session, me, world.specialists, actor=me)
    world.levels["Advanced"].descriptor = "Leads analyses <unaided>"
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    select = html.split('name="rate-level_id"')[1].split("</select>")[0]
    # Nothing is chosen for the trainer: only the empty placeholder is selected.
    assert select.count("selected") == 1
    assert '<option selected value="">— choose a level —</option>' in select
    guide = html.split('data-testid="rating-guide"')[1].split("</div>")[0]
    assert "Leads analyses &lt;unaided&gt;" in guide
    assert "Practitioner (Data specialists)" in guide  # the trainee's target level


def test_rating_posted_without_a_level_is_refused_and_the_review_stays_open(
    app, client, world, logged_in
):
    me, url, client = _review_waiting(app, client, world, logged_in)
    response = post_form(client, url, {"action": "rate", "rate-comment": "Looks fine"})
    assert response.status_code == 200
    assert "Choose a level." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyRating)) == 0
    assert db.session.scalar(sa.select(ReviewRequest.status)) == ReviewStatus.OPEN
    # Choosing a level records it and closes the request.
    response = post_form(
        client, url, {"action": "rate", "rate-level_id": str(world.levels["Advanced"].id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(ReviewRequest.status)) == ReviewStatus.DONE
    assert services.latest_ratings(db.session, me.id)[world.quality.id].level.name == "Advanced"


def _claim(world, make_user) -> PriorLearningClaim:
    trainee = make_user(Role.TRAINEE)
    claim = services.claim_prior_learning(
        db.session,
        user=trainee,
        competency=world.stats,
        level=world.levels["Advanced"],
        description="MSc statistics",
    )
    db.session.commit()
    return claim


def test_claim_decision_starts_empty(client, world, make_user):
    _claim(world, make_user)
    login(client, world.trainer)
    html = client.get("/assessments/").get_data(as_text=True)
    select = html.split('name="decision"')[1].split("</select>")[0]
    # Nothing selected: the browser shows the first option, the empty placeholder.
    assert "selected" not in select
    assert select.startswith(' required><option value="">— choose —</option>')


def test_claim_decision_without_a_choice_is_refused(client, world, make_user):
    claim = _claim(world, make_user)
    login(client, world.trainer)
    response = post_form(client, f"/assessments/claims/{claim.id}", {"comment": "ok"})
    assert response.status_code == 302
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Choose accept or reject." in page
    db.session.expire_all()
    assert db.session.get(PriorLearningClaim, claim.id).status == ClaimStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyRating)) == 0
    post_form(client, f"/assessments/claims/{claim.id}", {"decision": "reject"})
    db.session.expire_all()
    assert db.session.get(PriorLearningClaim, claim.id).status == ClaimStatus.REJECTED

"""Trainee dashboard, profile, gap analysis, assessments; privacy between trainees."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.progress import services
from lms.progress.models import ClaimStatus, CompetencyRating, PriorLearningClaim, ReviewRequest
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY, after
from tests.courses.test_pages import QueryCounter


def _done(world, trainee, course_session):
    enrolment = courses.request_enrolment(
        db.session, course_session, trainee, actor=trainee, today=TODAY
    )
    courses.record_result(
        db.session,
        enrolment,
        score=Decimal(80),
        passed=True,
        actor=world.trainer,
        today=TODAY,
        now=after(enrolment.session),
    )


def test_a_trainee_cannot_see_another_trainees_record(client, world, logged_in, make_user):
    other = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, other, world.specialists, actor=other)
    db.session.commit()
    me = logged_in(Role.TRAINEE)
    assert client.get(f"/trainees/{me.id}").status_code == 200
    for url in (
        f"/trainees/{other.id}",
        f"/trainees/{other.id}/tracks/{world.specialists.id}/gaps",
        f"/trainees/{other.id}/competencies/{world.quality.id}",
    ):
        assert client.get(url).status_code == 403, url
    assert (
        post_form(
            client,
            f"/trainees/{other.id}/competencies/{world.quality.id}",
            {"action": "self", "self-level_id": str(world.levels["Expert"].id)},
        ).status_code
        == 403
    )
    assert client.get("/trainees/").status_code == 403
    assert client.get("/assessments/").status_code == 403


def test_directorate_reads_any_profile_and_trainer_only_their_trainees(
    client, world, make_user, logged_in
):
    trainee = make_user(Role.TRAINEE, full_name="Sarah Nakato")
    logged_in(Role.DIRECTORATE)
    assert "Sarah Nakato" in client.get(f"/trainees/{trainee.id}").get_data(as_text=True)
    other_client = client.application.test_client()
    outsider_trainer = make_user(Role.TRAINER)
    login(other_client, outsider_trainer)
    assert other_client.get(f"/trainees/{trainee.id}").status_code == 403
    courses.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    their_trainer = client.application.test_client()
    login(their_trainer, world.trainer)
    assert their_trainer.get(f"/trainees/{trainee.id}").status_code == 200


def test_dashboard_shows_progress_and_runs_bounded_queries(client, world, logged_in):
    me = logged_in(Role.TRAINEE)
    services.enrol_in_track(db.session, me, world.specialists, actor=me)
    _done(world, me, world.session_a)
    db.session.commit()
    with QueryCounter() as few:
        html = client.get("/learning").get_data(as_text=True)
    assert 'data-testid="percent">50%' in html
    assert "1 of 2 required courses completed" in html and "<svg" in html
    # More history must not mean more queries.
    _done(world, me, world.session_b)
    db.session.commit()
    with QueryCounter() as more:
        html = client.get("/learning").get_data(as_text=True)
    assert 'data-testid="percent">100%' in html and "certificate-code" in html
    assert len(more.statements) <= len(few.statements) + 2, (
        len(few.statements),
        len(more.statements),
    )
    assert len(more.statements) <= 25


def test_gap_analysis_lists_courses_and_next_sessions(client, world, logged_in):
    me = logged_in(Role.TRAINEE)
    services.enrol_in_track(db.session, me, world.specialists, actor=me)
    _done(world, me, world.session_a)
    db.session.commit()
    html = client.get(f"/trainees/{me.id}/tracks/{world.specialists.id}/gaps").get_data(
        as_text=True
    )
    assert 'data-testid="gap-DM.2"' in html and 'data-testid="gap-DM.1"' not in html
    assert "ST201" in html and world.session_b.starts_on.isoformat() in html


def test_review_request_waits_in_the_queue_until_a_trainer_rates(app, client, world, logged_in):
    me = logged_in(Role.TRAINEE)
    url = f"/trainees/{me.id}/competencies/{world.quality.id}"
    post_form(client, url, {"action": "review", "review-note": "Please look at my work"})
    post_form(client, url, {"action": "self", "self-level_id": str(world.levels["Advanced"].id)})
    trainer_client = app.test_client()
    login(trainer_client, world.trainer)
    queue = trainer_client.get("/assessments/").get_data(as_text=True)
    assert "Please look at my work" in queue
    response = post_form(
        trainer_client,
        url,
        {
            "action": "rate",
            "rate-level_id": str(world.levels["Practitioner"].id),
            "rate-comment": "Observed in the workshop",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(ReviewRequest.status)).value == "done"
    assert "Please look at my work" not in trainer_client.get("/assessments/").get_data(
        as_text=True
    )
    # The assessed level is the trainer's; the self-assessment sits beside it.
    page = client.get(f"/trainees/{me.id}").get_data(as_text=True)
    assert "<td>Practitioner</td>" in page and "<td>Advanced</td>" in page


def test_ratings_are_never_overwritten(world, make_user):
    trainee = make_user(Role.TRAINEE)
    for level in ("Awareness", "Advanced", "Practitioner"):
        services.rate_competency(
            db.session,
            user=trainee,
            competency=world.quality,
            level=world.levels[level],
            source=services.RatingSource.ASSESSOR,
            actor=world.trainer,
            comment=f"now {level}",
        )
    db.session.commit()
    history = services.rating_history(db.session, trainee, world.quality)
    assert [r.level.name for r in history] == ["Practitioner", "Advanced", "Awareness"]
    assert services.latest_ratings(db.session, trainee.id)[world.quality.id].level.name == (
        "Practitioner"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyRating)) == 3


def test_prior_learning_claim_accepted_by_a_trainer_rates_the_competency(client, world, make_user):
    trainee = make_user(Role.TRAINEE)
    claim = services.claim_prior_learning(
        db.session,
        user=trainee,
        competency=world.stats,
        level=world.levels["Advanced"],
        description="MSc statistics",
    )
    db.session.commit()
    login(client, world.trainer)
    response = post_form(
        client,
        f"/assessments/claims/{claim.id}",
        {"decision": "accept", "comment": "Diploma checked"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PriorLearningClaim, claim.id).status == ClaimStatus.ACCEPTED
    rating = services.latest_ratings(db.session, trainee.id)[world.stats.id]
    assert (rating.level.name, rating.source.value, rating.rated_by_id) == (
        "Advanced",
        "prior_learning",
        world.trainer.id,
    )


def test_certificate_with_validity_expires_and_recertification_renews_it(world, make_user):
    from datetime import timedelta

    from lms.courses.models import TrackCourse
    from lms.progress.models import CertificateStatus, TrackCertificationPolicy

    db.session.add(TrackCertificationPolicy(track_id=world.specialists.id, validity_months=36))
    refresher = courses.create_course(
        db.session,
        actor=world.manager,
        code="RF1",
        title="Refresher",
        hours=4,
        delivery_mode="e_learning",
        languages=["en"],
        status="published",
        tracks=[courses.TrackLink(world.specialists.id, False, for_recertification=True)],
    )
    db.session.flush()
    assert (
        db.session.scalar(
            sa.select(TrackCourse.for_recertification).where(TrackCourse.course_id == refresher.id)
        )
        is True
    )
    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    _done(world, trainee, world.session_a)
    _done(world, trainee, world.session_b)
    db.session.commit()
    first = services.certificates_for(db.session, trainee)[0]
    assert first.expires_on == TODAY.replace(year=TODAY.year + 3)
    soon = services.certificates_expiring(
        db.session, today=first.expires_on - timedelta(days=30), within_days=60
    )
    assert [c.id for c in soon] == [first.id]
    later = first.expires_on - timedelta(days=40)
    refresher_session = courses.create_session(
        db.session, refresher, actor=world.manager, starts_on=later, ends_on=later, capacity=5
    )
    enrolment = courses.request_enrolment(
        db.session, refresher_session, trainee, actor=trainee, today=later - timedelta(days=10)
    )
    courses.record_result(
        db.session,
        enrolment,
        score=None,
        passed=True,
        actor=world.trainer,
        today=later,
        now=after(enrolment.session),
    )
    db.session.commit()
    history = services.certificates_for(db.session, trainee)
    assert len(history) == 2
    assert history[0].renews_id == first.id and history[0].status == CertificateStatus.VALID
    assert first.status == CertificateStatus.SUPERSEDED


def test_a_new_framework_version_carries_ratings_over_through_the_mapping(world, make_user):
    from lms.frameworks import services as frameworks
    from lms.frameworks import tracks as track_services
    from lms.progress.models import RatingSource

    trainee = make_user(Role.TRAINEE)
    services.enrol_in_track(db.session, trainee, world.specialists, actor=trainee)
    services.rate_competency(
        db.session,
        user=trainee,
        competency=world.quality,
        level=world.levels["Advanced"],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
        comment="Workshop",
    )
    db.session.commit()
    v2 = frameworks.create_new_version(db.session, world.framework, actor=world.manager)
    frameworks.publish_framework(db.session, v2, actor=world.manager)
    track_services.move_track_to_version(db.session, world.specialists, v2, actor=world.manager)
    db.session.commit()

    new_quality = frameworks.map_competency(db.session, world.quality, v2)
    assert new_quality.framework_id == v2.id and new_quality.id != world.quality.id
    old = services.rating_history(db.session, trainee, world.quality)
    assert [r.source for r in old] == [RatingSource.ASSESSOR]  # still against version 1
    carried = services.latest_ratings(db.session, trainee.id)[new_quality.id]
    assert (carried.source, carried.level.name) == (RatingSource.CARRIED_OVER, "Advanced")
    progress = services.track_progress(db.session, trainee, world.specialists)
    met = {t.competency.code: t.met for t in progress.targets}
    assert met == {"DM.1": True, "DM.2": False}

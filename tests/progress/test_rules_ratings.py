"""The current rating is the latest one: by rating time, then by id for equal times; per user
and per competency. Written to kill the mutants of ``make mutate``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.progress.models import CompetencyRating, RatingSource
from lms.progress.services import latest_ratings, latest_ratings_for_users, rate_competency

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_the_latest_rating_wins_by_time_then_by_id(world, make_user):
    s = db.session
    ana, bo = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    lv = world.levels

    def rate(user, competency, level, minutes):
        rating = CompetencyRating(
            user_id=user.id,
            competency_id=competency.id,
            level_id=lv[level].id,
            source=RatingSource.ASSESSOR,
            rated_by_id=world.trainer.id,
            rated_at=T0 + timedelta(minutes=minutes),
        )
        s.add(rating)
        s.flush()
        return rating

    newest = rate(ana, world.quality, "Expert", 30)
    rate(ana, world.quality, "Practitioner", 10)  # added later, rated earlier
    rate(ana, world.stats, "Practitioner", 20)
    second_same_time = rate(ana, world.stats, "Expert", 20)  # same time, higher id
    bo_rating = rate(bo, world.quality, "Practitioner", 40)
    s.commit()

    current = latest_ratings(s, ana.id)
    assert {cid: r.id for cid, r in current.items()} == {
        world.quality.id: newest.id,
        world.stats.id: second_same_time.id,
    }
    assert {cid: r.id for cid, r in latest_ratings(s, ana.id, [world.quality.id]).items()} == {
        world.quality.id: newest.id
    }
    assert latest_ratings(s, ana.id, []) == {}

    many = latest_ratings_for_users(s, [ana.id, bo.id], [world.quality.id, world.stats.id])
    assert {cid: {uid: r.id for uid, r in by_user.items()} for cid, by_user in many.items()} == {
        world.quality.id: {ana.id: newest.id, bo.id: bo_rating.id},
        world.stats.id: {ana.id: second_same_time.id},
    }
    only_bo = latest_ratings_for_users(s, [bo.id], [world.stats.id])
    assert dict(only_bo) == {}
    assert dict(latest_ratings_for_users(s, [], [world.quality.id])) == {}
    assert dict(latest_ratings_for_users(s, [ana.id], [])) == {}


def test_a_rating_records_what_was_given_and_nothing_else(world, make_user):
    """No comment or evidence given: none stored; given ones are stored trimmed; the rater
    and the source are the ones given."""
    ana = make_user(Role.TRAINEE)
    bare = rate_competency(
        db.session,
        user=ana,
        competency=world.quality,
        level=world.levels["Practitioner"],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
    )
    noted = rate_competency(
        db.session,
        user=ana,
        competency=world.stats,
        level=world.levels["Expert"],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
        comment="  Strong analysis.  ",
        evidence_url=" https://example.org/e ",
    )
    db.session.commit()
    db.session.expire_all()
    bare, noted = (
        db.session.get(CompetencyRating, bare.id),
        db.session.get(CompetencyRating, noted.id),
    )
    assert (bare.comment, bare.evidence_url) == ("", "")
    assert (noted.comment, noted.evidence_url) == ("Strong analysis.", "https://example.org/e")
    assert (bare.rated_by_id, bare.source, bare.level_id) == (
        world.trainer.id,
        RatingSource.ASSESSOR,
        world.levels["Practitioner"].id,
    )


def test_only_a_trainer_gives_an_assessors_rating(world, make_user):
    import pytest

    from lms.core.errors import ValidationError

    trainee = make_user(Role.TRAINEE)
    for actor in (None, make_user(Role.DIRECTORATE), make_user(Role.TRAINEE)):
        with pytest.raises(ValidationError) as refused:
            rate_competency(
                db.session,
                user=trainee,
                competency=world.quality,
                level=world.levels["Practitioner"],
                source=RatingSource.ASSESSOR,
                actor=actor,
            )
        assert refused.value.message == "Only a trainer or assessor can rate a competency."
    assert db.session.query(CompetencyRating).count() == 0

"""Who may read a trainee's record (``can_view_trainee``): the trainee, admins and the
directorate, the trainers of the trainee's sessions and, while something of the trainee waits
for assessment, any trainer. Written to kill the mutants of ``make mutate``."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.courses import services as courses
from lms.progress.models import (
    ClaimStatus,
    PriorLearningClaim,
    RatingSource,
    ReviewRequest,
    ReviewStatus,
)
from lms.progress.services import can_view_trainee, rate_competency
from tests.courses.fixtures import TODAY


def _enrol(world, user, course_session):
    return courses.request_enrolment(db.session, course_session, user, actor=user, today=TODAY)


@pytest.fixture
def remit(world, make_user):
    """Two trainers with a session each; ``mine`` is enrolled in trainer one's session, a
    second trainee in trainer two's."""
    other_trainer = make_user(Role.TRAINER, email="other.trainer@example.org")
    other_session = courses.create_session(
        db.session,
        world.course_b,
        actor=world.manager,
        starts_on=TODAY + timedelta(days=50),
        ends_on=TODAY + timedelta(days=52),
        capacity=5,
        trainer_ids=[other_trainer.id],
    )
    mine = make_user(Role.TRAINEE, email="mine@example.org")
    theirs = make_user(Role.TRAINEE, email="theirs@example.org")
    _enrol(world, mine, world.session_a)
    _enrol(world, theirs, other_session)
    db.session.commit()
    return SimpleNamespace(
        trainer=world.trainer, other_trainer=other_trainer, mine=mine, theirs=theirs
    )


def test_a_trainer_reads_the_trainees_of_her_own_sessions_only(world, remit):
    s = db.session
    assert can_view_trainee(s, remit.trainer, remit.mine) is True
    assert can_view_trainee(s, remit.trainer, remit.theirs) is False
    assert can_view_trainee(s, remit.other_trainer, remit.theirs) is True
    assert can_view_trainee(s, remit.other_trainer, remit.mine) is False


def test_nobody_logged_in_is_refused_even_with_the_trainees_id(world, remit):
    s = db.session
    assert can_view_trainee(s, None, remit.mine) is False
    anonymous = SimpleNamespace(is_authenticated=False, id=remit.mine.id)
    assert can_view_trainee(s, anonymous, remit.mine) is False
    no_flag = SimpleNamespace(id=remit.mine.id)
    assert can_view_trainee(s, no_flag, remit.mine) is False


def test_the_trainee_admins_and_the_directorate_read_the_record(world, remit, make_user):
    s = db.session
    assert can_view_trainee(s, remit.mine, remit.mine) is True
    assert can_view_trainee(s, remit.theirs, remit.mine) is False
    assert can_view_trainee(s, make_user(Role.ADMIN), remit.mine) is True
    assert can_view_trainee(s, make_user(Role.DIRECTORATE), remit.mine) is True
    assert can_view_trainee(s, make_user(Role.PROJECT_MANAGER), remit.mine) is False


def test_an_open_review_request_of_the_trainee_opens_it_to_every_trainer(world, remit):
    s = db.session
    s.add(ReviewRequest(user_id=remit.mine.id, competency_id=world.quality.id))
    s.add(ReviewRequest(user_id=remit.theirs.id, competency_id=world.quality.id))
    s.flush()
    rate_competency(  # resolves (closes) the trainee's request
        s,
        user=remit.mine,
        competency=world.quality,
        level=world.levels["Practitioner"],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
    )
    s.commit()
    assert [r.status for r in s.query(ReviewRequest).filter_by(user_id=remit.mine.id)] == [
        ReviewStatus.DONE
    ]
    # A closed request of the trainee, or an open one of someone else, opens nothing.
    assert can_view_trainee(s, remit.other_trainer, remit.mine) is False
    s.add(ReviewRequest(user_id=remit.mine.id, competency_id=world.stats.id))
    s.commit()
    assert can_view_trainee(s, remit.other_trainer, remit.mine) is True
    assert can_view_trainee(s, remit.theirs, remit.mine) is False  # trainers only


def test_a_pending_prior_learning_claim_opens_it_to_every_trainer(world, remit):
    s = db.session

    def claim(user, status):
        s.add(
            PriorLearningClaim(
                user_id=user.id,
                competency_id=world.quality.id,
                level_id=world.levels["Practitioner"].id,
                description="Ten years of data quality work",
                status=status,
                reviewed_by_id=None if status is ClaimStatus.PENDING else world.trainer.id,
                reviewed_at=None if status is ClaimStatus.PENDING else utcnow(),
            )
        )
        s.commit()

    claim(remit.mine, ClaimStatus.ACCEPTED)
    claim(remit.mine, ClaimStatus.REJECTED)
    claim(remit.theirs, ClaimStatus.PENDING)
    assert can_view_trainee(s, remit.other_trainer, remit.mine) is False
    claim(remit.mine, ClaimStatus.PENDING)
    assert can_view_trainee(s, remit.other_trainer, remit.mine) is True

"""Deleting an account held by courses records is refused with a reason, not an integrity
error (the ``user_history_probe`` listener of the courses feature)."""

from __future__ import annotations

import pytest

from lms.accounts import services as accounts
from lms.accounts.history import history_reasons
from lms.accounts.models import Role
from lms.core.errors import ConflictError
from lms.core.extensions import db
from lms.courses import services
from tests.courses.fixtures import TODAY

OWN_HISTORY = ("has logged in", "has made recorded changes")


def _reason(user):
    """The first reason after the account's own history (enrolment changes are audited, so
    whoever made one "has made recorded changes" first)."""
    assert accounts.history_reason(db.session, user) is not None
    return next(r for r in history_reasons(db.session, user) if r not in OWN_HISTORY)


def test_a_trainee_with_a_session_enrolment_cannot_be_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    services.request_enrolment(db.session, world.session_a, trainee, actor=trainee, today=TODAY)
    db.session.commit()
    assert _reason(trainee) == "has session enrolments"
    with pytest.raises(ConflictError, match="cannot be deleted"):
        accounts.delete_user(db.session, trainee, actor=world.manager)


def test_a_trainer_of_a_session_cannot_be_deleted(world):
    assert accounts.history_reason(db.session, world.trainer) == "trains course sessions"


def test_someone_who_changed_an_enrolment_cannot_be_deleted(world, make_user):
    trainee = make_user(Role.TRAINEE)
    helper = make_user(Role.TRAINER)
    enrolment = services.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    services.withdraw_enrolment(db.session, enrolment, actor=helper, note="On leave")
    db.session.commit()
    assert _reason(helper) == "has recorded enrolment decisions"


def test_an_account_without_course_history_can_still_be_deleted(world, make_user):
    unused = make_user(Role.TRAINEE)
    assert accounts.history_reason(db.session, unused) is None
    accounts.delete_user(db.session, unused, actor=world.manager)
    db.session.commit()

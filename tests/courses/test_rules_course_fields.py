"""A course's hours are checked as they will be stored (one decimal), so no value reaches the
database's CHECK (found by the API's schemathesis run on PostgreSQL: 1.8e-250 hours)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.accounts.models import Role
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.courses import services as courses


def _course(actor, hours, languages=("en",)):
    return courses.create_course(
        db.session,
        actor=actor,
        code="H-1",
        title="Hours",
        hours=hours,
        delivery_mode="workshop",
        languages=list(languages),
    )


@pytest.mark.parametrize("hours", ["0.04", "1.8e-250", "0", "-1", "NaN", "Infinity", "100000"])
def test_hours_that_cannot_be_stored_are_refused(make_user, hours):
    with pytest.raises(ValidationError) as refused:
        _course(make_user(Role.ADMIN), hours)
    assert refused.value.field == "hours"


@pytest.mark.parametrize(
    ("typed", "stored"), [("0.05", "0.1"), ("7.25", "7.3"), ("99999.9", "99999.9")]
)
def test_hours_are_kept_to_one_decimal(make_user, typed, stored):
    course = _course(make_user(Role.ADMIN), typed)
    db.session.commit()
    db.session.refresh(course)
    assert course.hours == Decimal(stored)


def test_a_language_listed_twice_is_kept_once(make_user):
    course = _course(make_user(Role.ADMIN), 2, languages=("fr", "en", "fr"))
    assert course.languages == ["fr", "en"]

"""Certificate validity: ``Certificate.is_current`` and the certificates that expire within a
reminder window (``certificates_expiring``). Written to kill the mutants of ``make mutate``."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.progress.models import Certificate, CertificateStatus
from lms.progress.services import certificates_expiring
from tests.courses.fixtures import TODAY

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "expires_on", "current"),
    [
        (CertificateStatus.VALID, None, True),
        (CertificateStatus.VALID, TODAY + DAY, True),
        (CertificateStatus.VALID, TODAY, True),  # valid through its expiry day
        (CertificateStatus.VALID, TODAY - DAY, False),
        (CertificateStatus.SUPERSEDED, None, False),
        (CertificateStatus.SUPERSEDED, TODAY + DAY, False),
        (CertificateStatus.REVOKED, TODAY + DAY, False),
    ],
)
def test_a_certificate_is_current_while_valid_and_not_past_its_expiry(status, expires_on, current):
    certificate = Certificate(
        status=status, issued_on=date(2025, 1, 1), expires_on=expires_on, verification_code="x"
    )
    assert certificate.is_current(TODAY) is current


def test_expiring_lists_valid_certificates_lapsing_within_the_window_soonest_first(
    world, make_user
):
    s = db.session
    codes = count(1)
    trainee = make_user(Role.TRAINEE)

    def certificate(expires_on, status=CertificateStatus.VALID):
        c = Certificate(
            user_id=trainee.id,
            track_id=world.specialists.id,
            issued_on=TODAY - timedelta(days=400),
            expires_on=expires_on,
            status=status,
            verification_code=f"CODE{next(codes)}",
        )
        s.add(c)
        return c

    last_day = certificate(TODAY + timedelta(days=30))
    certificate(TODAY + timedelta(days=31))
    today = certificate(TODAY)
    soon = certificate(TODAY + timedelta(days=5))
    certificate(TODAY - DAY)
    certificate(None)
    certificate(TODAY + timedelta(days=3), CertificateStatus.SUPERSEDED)
    certificate(TODAY + timedelta(days=4), CertificateStatus.REVOKED)
    s.commit()
    found = certificates_expiring(s, today=TODAY, within_days=30)
    assert [c.id for c in found] == [today.id, soon.id, last_day.id]


@pytest.mark.parametrize(
    ("issued", "months", "expires"),
    [
        (date(2026, 3, 2), 1, date(2026, 4, 2)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),  # no 31 April: the month's last day
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 1, 30), 13, date(2028, 2, 29)),  # a leap year's February
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
    ],
)
def test_a_certificate_expires_the_validity_in_months_after_issue(
    world, make_user, issued, months, expires
):
    from lms.progress.services import issue_certificate, set_certification_policy

    s = db.session
    set_certification_policy(
        s, world.specialists, actor=world.manager, validity_months=months, reminder_days_before=30
    )
    certificate = issue_certificate(
        s, make_user(Role.TRAINEE), world.specialists, today=issued, actor=world.manager
    )
    assert certificate.expires_on == expires

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


def test_a_renewal_supersedes_the_old_certificate_and_both_steps_are_audited(world, make_user):
    import sqlalchemy as sa

    from lms.core.models import AuditEntry
    from lms.progress.services import issue_certificate, set_certification_policy

    s = db.session
    set_certification_policy(
        s, world.specialists, actor=world.manager, validity_months=24, reminder_days_before=30
    )
    trainee = make_user(Role.TRAINEE)
    first = issue_certificate(s, trainee, world.specialists, today=TODAY, actor=world.manager)
    renewal = issue_certificate(
        s, trainee, world.specialists, today=TODAY + DAY, actor=world.manager, renews=first
    )
    s.commit()

    assert (first.status, renewal.status) == (CertificateStatus.SUPERSEDED, CertificateStatus.VALID)
    assert renewal.renews_id == first.id
    assert (renewal.user_id, renewal.track_id, renewal.issued_on) == (
        trainee.id,
        world.specialists.id,
        TODAY + DAY,
    )
    assert first.verification_code != renewal.verification_code
    entries = s.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("certificate.%")).order_by(AuditEntry.id)
    ).all()
    track = world.specialists.code
    assert [(e.action, e.entity_id, e.actor_id, e.before, e.after, e.summary) for e in entries] == [
        (
            "certificate.issued",
            str(first.id),
            world.manager.id,
            None,
            None,
            f"{trainee.email} {track} {first.verification_code}",
        ),
        (
            "certificate.superseded",
            str(first.id),
            world.manager.id,
            {"status": "valid"},
            {"status": "superseded"},
            f"{trainee.email} {track} {first.verification_code}",
        ),
        (
            "certificate.issued",
            str(renewal.id),
            world.manager.id,
            None,
            None,
            f"{trainee.email} {track} {renewal.verification_code}",
        ),
    ]


def test_a_track_without_a_validity_issues_certificates_that_never_expire(world, make_user):
    from lms.progress.services import issue_certificate, set_certification_policy

    s = db.session
    plain = issue_certificate(
        s, make_user(Role.TRAINEE), world.specialists, today=TODAY, actor=world.manager
    )
    set_certification_policy(
        s, world.specialists, actor=world.manager, validity_months=None, reminder_days_before=30
    )
    unlimited = issue_certificate(
        s, make_user(Role.TRAINEE), world.specialists, today=TODAY, actor=world.manager
    )
    assert (plain.expires_on, unlimited.expires_on) == (None, None)


def test_recertification_is_done_by_the_holders_own_passes_of_the_tracks_path_since_issue(
    world, make_user
):
    from lms.courses.models import EnrolmentStatus, SessionEnrolment, TrackCourse
    from lms.progress.services import recertification_done

    s = db.session
    # The specialists' path: DQ101; ST201 is on the experts' path only (another track).
    s.query(TrackCourse).filter_by(
        track_id=world.specialists.id, course_id=world.course_a.id
    ).one().for_recertification = True
    s.add(
        TrackCourse(
            track_id=world.experts.id, course_id=world.course_b.id, for_recertification=True
        )
    )
    ana, bo = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    codes = count(1)

    def certificate(issued_on, expires_on):
        held = Certificate(
            user_id=ana.id,
            track_id=world.specialists.id,
            issued_on=issued_on,
            expires_on=expires_on,
            verification_code=f"RECERT-{next(codes)}",
        )
        s.add(held)
        s.flush()
        return held

    def result(user, passed):
        s.add(
            SessionEnrolment(
                session_id=world.session_a.id,
                user_id=user.id,
                status=EnrolmentStatus.COMPLETED,
                passed=passed,
            )
        )
        s.flush()

    ends = world.session_a.ends_on
    current = certificate(ends - 10 * DAY, ends + 355 * DAY)
    later = certificate(ends + DAY, ends + 366 * DAY)  # issued after the session ended
    lifelong = certificate(ends - 10 * DAY, None)

    result(bo, True)  # someone else's pass
    assert recertification_done(s, ana, current) is False
    s.query(SessionEnrolment).delete()
    result(ana, False)  # completed the session without passing
    assert recertification_done(s, ana, current) is False
    s.query(SessionEnrolment).delete()
    result(ana, True)
    assert recertification_done(s, ana, current) is True  # ST201 (experts) not asked for
    assert recertification_done(s, ana, later) is False  # that pass came before this issue
    assert recertification_done(s, ana, lifelong) is False  # nothing to renew

"""Certificates: issuing and renewing them, their status on a date, expiry reminders, and
each track's certification policy."""

from __future__ import annotations

import enum
import secrets
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.core import signals
from lms.core.audit import record_change
from lms.core.errors import ValidationError
from lms.core.i18n import _
from lms.courses.models import (
    CourseSession,
    SessionEnrolment,
    TrackCourse,
)
from lms.frameworks.models import (
    Track,
)
from lms.progress.models import (
    Certificate,
    CertificateStatus,
    TrackCertificationPolicy,
)


def _verification_code(session: Session) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
    while True:
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not session.scalar(
            sa.select(Certificate.id).where(Certificate.verification_code == code)
        ):
            return code


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def issue_certificate(
    session: Session,
    user: User,
    track: Track,
    *,
    today: date,
    actor: Any,
    renews: Certificate | None = None,
) -> Certificate:
    policy = session.get(TrackCertificationPolicy, track.id)
    expires = (
        _add_months(today, policy.validity_months) if policy and policy.validity_months else None
    )
    certificate = Certificate(
        user_id=user.id,
        track_id=track.id,
        issued_on=today,
        expires_on=expires,
        verification_code=_verification_code(session),
        renews_id=renews.id if renews else None,
    )
    if renews is not None:
        renews.status = CertificateStatus.SUPERSEDED
        record_change(
            session,
            actor=actor,
            action="certificate.superseded",
            entity=renews,
            before={"status": CertificateStatus.VALID.value},
            after={"status": CertificateStatus.SUPERSEDED.value},
            summary=f"{user.email} {track.code} {renews.verification_code}",
        )
    session.add(certificate)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="certificate.issued",
        entity=certificate,
        summary=f"{user.email} {track.code} {certificate.verification_code}",
    )
    signals.certificate_issued.send(session, certificate=certificate, actor=actor)
    return certificate


def certificates_for(session: Session, user: User) -> list[Certificate]:
    return list(
        session.scalars(
            sa.select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )


def recertification_done(session: Session, user: User, certificate: Certificate) -> bool:
    """A certificate that expires is renewed when every course of the track's recertification
    path has been passed since it was issued."""
    if certificate.expires_on is None:
        return False
    course_ids = set(
        session.scalars(
            sa.select(TrackCourse.course_id).where(
                TrackCourse.track_id == certificate.track_id,
                TrackCourse.for_recertification.is_(True),
            )
        )
    )
    if not course_ids:
        return False
    passed_since = set(
        session.scalars(
            sa.select(CourseSession.course_id)
            .join(SessionEnrolment, SessionEnrolment.session_id == CourseSession.id)
            .where(
                SessionEnrolment.user_id == user.id,
                SessionEnrolment.passed.is_(True),
                CourseSession.course_id.in_(course_ids),
                CourseSession.ends_on >= certificate.issued_on,
            )
        )
    )
    return course_ids <= passed_since


def certificates_expiring(
    session: Session,
    *,
    today: date,
    within_days: int,
) -> list[Certificate]:
    """Valid certificates that lapse within ``within_days`` (for reminders)."""
    return list(
        session.scalars(
            sa.select(Certificate)
            .options(joinedload(Certificate.user))
            .where(
                Certificate.status == CertificateStatus.VALID,
                Certificate.expires_on.is_not(None),
                Certificate.expires_on >= today,
                Certificate.expires_on <= today + timedelta(days=within_days),
            )
            .order_by(Certificate.expires_on)
        )
    )


def set_certification_policy(
    session: Session,
    track: Track,
    *,
    actor: Any,
    validity_months: int | None,
    reminder_days_before: int,
    recertification_note: str = "",
) -> TrackCertificationPolicy:
    """How long the track's certificates stay valid. Existing certificates keep the expiry
    they were issued with; the policy applies to certificates issued from now on."""
    if validity_months is not None and validity_months < 1:
        raise ValidationError(
            _("The validity must be at least one month."), field="validity_months"
        )
    if reminder_days_before < 0:
        raise ValidationError(
            _("Reminders cannot come after expiry."), field="reminder_days_before"
        )
    policy = session.get(TrackCertificationPolicy, track.id)
    before = None
    if policy is None:
        policy = TrackCertificationPolicy(track_id=track.id)
        session.add(policy)
    else:
        before = {
            "validity_months": policy.validity_months,
            "reminder_days_before": policy.reminder_days_before,
        }
    policy.validity_months = validity_months
    policy.reminder_days_before = reminder_days_before
    policy.recertification_note = (recertification_note or "").strip()
    session.flush()
    record_change(
        session,
        actor=actor,
        action="track.certification_policy",
        entity=track,
        before=before,
        after={"validity_months": validity_months, "reminder_days_before": reminder_days_before},
        summary=track.code,
    )
    return policy


class CertificateState(enum.StrEnum):
    """What a certificate is worth on a given day."""

    VALID = "valid"
    EXPIRING = "expiring"  # valid, but within the policy's reminder period before expiry
    LAPSED = "lapsed"  # its expiry date has passed
    SUPERSEDED = "superseded"  # renewed by a later certificate
    REVOKED = "revoked"

    @property
    def is_current(self) -> bool:
        return self in (CertificateState.VALID, CertificateState.EXPIRING)


DEFAULT_REMINDER_DAYS = 60  # a track without a policy reminds as the policy's default does


def certificate_status(certificate: Certificate, *, on: date) -> CertificateState:
    """The one answer to "is this certificate good on ``on``?", for pages, reports, the
    verification page and the API. Revoked and superseded win over dates; "expiring" uses the
    track policy's reminder lead time."""
    if certificate.status == CertificateStatus.REVOKED:
        return CertificateState.REVOKED
    if certificate.status == CertificateStatus.SUPERSEDED:
        return CertificateState.SUPERSEDED
    if not certificate.is_current(on):  # the one validity rule: good through its expiry date
        return CertificateState.LAPSED
    if certificate.expires_on is None:
        return CertificateState.VALID
    policy = certificate.policy
    lead = policy.reminder_days_before if policy is not None else DEFAULT_REMINDER_DAYS
    if certificate.expires_on <= on + timedelta(days=lead):
        return CertificateState.EXPIRING
    return CertificateState.VALID


def certificate_counts(session: Session, *, on: date) -> dict[CertificateState, int]:
    """How many certificates are in each state on ``on`` (``certificate_status`` decides)."""
    counts = dict.fromkeys(CertificateState, 0)
    for certificate in session.scalars(
        sa.select(Certificate).options(joinedload(Certificate.policy))
    ):
        counts[certificate_status(certificate, on=on)] += 1
    return counts


def certification_policy(session: Session, track: Track) -> TrackCertificationPolicy | None:
    return session.get(TrackCertificationPolicy, track.id)


def recertification_due(session: Session, user: User, course_id: int, *, on: date) -> bool:
    """Is the course on the recertification path of a track whose certificate the trainee
    must renew on ``on`` (expiring within the policy's lead time, or lapsed)? Then she may take
    it again although she has passed it."""
    track_ids = set(
        session.scalars(
            sa.select(TrackCourse.track_id).where(
                TrackCourse.course_id == course_id, TrackCourse.for_recertification.is_(True)
            )
        )
    )
    if not track_ids:
        return False
    certificates = session.scalars(
        sa.select(Certificate).where(
            Certificate.user_id == user.id,
            Certificate.track_id.in_(track_ids),
            Certificate.status == CertificateStatus.VALID,
        )
    )
    due = (CertificateState.EXPIRING, CertificateState.LAPSED)
    return any(certificate_status(c, on=on) in due for c in certificates)

"""Awarding and revoking badges (the listeners of progress's certificate signals), and the
awards a page or the API lists. Plain functions over the session: they flush, never commit."""

from __future__ import annotations

import secrets
import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import User
from lms.badges.models import BadgeAward
from lms.core.audit import record_change
from lms.core.model_base import utcnow
from lms.progress.models import Certificate, CertificateStatus

# A status list holds this many awards (Bitstring Status List v1.0's minimum length, so a
# list does not tell how many badges were issued); award n is bit n % LIST_SIZE of list
# n // LIST_SIZE.
LIST_SIZE = 131_072


def award_for(session: Session, certificate: Certificate) -> BadgeAward | None:
    return session.scalar(sa.select(BadgeAward).where(BadgeAward.certificate_id == certificate.id))


def _next_status_index(session: Session) -> int:
    highest = session.scalar(sa.select(sa.func.max(BadgeAward.status_index)))
    return 0 if highest is None else highest + 1


def award_badge(session: Session, certificate: Certificate, *, actor: Any = None) -> BadgeAward:
    """The badge a certificate earns (once: a second call returns the first award). A
    revoked certificate's badge is awarded revoked, so the history stays whole."""
    existing = award_for(session, certificate)
    if existing is not None:
        return existing
    award = BadgeAward(
        uuid=str(uuid.uuid4()),
        user_id=certificate.user_id,
        track_id=certificate.track_id,
        certificate_id=certificate.id,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        salt=secrets.token_hex(16),
        status_index=_next_status_index(session),
    )
    if certificate.status == CertificateStatus.REVOKED:
        award.revoked_at = utcnow()
        award.revocation_reason = "The certificate was revoked."
    session.add(award)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="badge.awarded",
        entity=award,
        summary=f"{certificate.track.code} {award.uuid}",
    )
    return award


def revoke_badge(
    session: Session, certificate: Certificate, *, actor: Any = None, reason: str
) -> BadgeAward | None:
    """Revoke the certificate's badge: its assertion answers "revoked" with the reason, and
    its bit in the status list is set."""
    award = award_for(session, certificate)
    if award is None or award.revoked:
        return award
    award.revoked_at = utcnow()
    award.revocation_reason = (reason or "").strip() or "The certificate was revoked."
    session.flush()
    record_change(
        session,
        actor=actor,
        action="badge.revoked",
        entity=award,
        before={"revoked": False},
        after={"revoked": True},
        summary=f"{award.uuid}: {award.revocation_reason}",
    )
    return award


def on_certificate_issued(sender: Session, *, certificate: Certificate, actor: Any = None, **_):
    award_badge(sender, certificate, actor=actor)


def on_certificate_revoked(
    sender: Session, *, certificate: Certificate, actor: Any = None, reason: str = "", **_
):
    revoke_badge(sender, certificate, actor=actor, reason=reason)


def awards_query(user_id: int | None = None) -> sa.Select:
    stmt = sa.select(BadgeAward).options(joinedload(BadgeAward.user))
    if user_id is not None:
        stmt = stmt.where(BadgeAward.user_id == user_id)
    return stmt.order_by(BadgeAward.issued_on.desc(), BadgeAward.id.desc())


def awards_of(session: Session, user: User) -> list[BadgeAward]:
    return list(session.scalars(awards_query(user.id)).unique())


def award_by_uuid(session: Session, value: str) -> BadgeAward | None:
    try:
        canonical = str(uuid.UUID(value))
    except (ValueError, TypeError):
        return None
    return session.scalar(
        sa.select(BadgeAward)
        .options(joinedload(BadgeAward.user))
        .where(BadgeAward.uuid == canonical)
    )


def revoked_indices(session: Session, list_number: int) -> list[int]:
    """The bits set in status list ``list_number`` (positions within the list)."""
    start = list_number * LIST_SIZE
    return [
        index - start
        for index in session.scalars(
            sa.select(BadgeAward.status_index).where(
                BadgeAward.revoked_at.is_not(None),
                BadgeAward.status_index >= start,
                BadgeAward.status_index < start + LIST_SIZE,
            )
        )
    ]


def status_list_count(session: Session) -> int:
    highest = session.scalar(sa.select(sa.func.max(BadgeAward.status_index)))
    return 1 if highest is None else highest // LIST_SIZE + 1


def revoked_awards(session: Session) -> list[BadgeAward]:
    return list(
        session.scalars(
            sa.select(BadgeAward).where(BadgeAward.revoked_at.is_not(None)).order_by(BadgeAward.id)
        )
    )


def award_missing_badges(session: Session) -> int:
    """Award a badge for every certificate that has none (the demo, an upgrade)."""
    certificates = session.scalars(
        sa.select(Certificate)
        .outerjoin(BadgeAward, BadgeAward.certificate_id == Certificate.id)
        .where(BadgeAward.id.is_(None))
        .order_by(Certificate.issued_on, Certificate.id)
    ).all()
    for certificate in certificates:
        award_badge(session, certificate)
    return len(certificates)


def is_expired(award: BadgeAward, *, on: date) -> bool:
    return award.expires_on is not None and award.expires_on < on

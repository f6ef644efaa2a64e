"""Certificate documents, certificate bundles for administrators and public verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload, object_session

from lms.core.errors import ValidationError
from lms.core.i18n import localised
from lms.courses.models import CourseSession, EnrolmentStatus, SessionEnrolment, TrackCourse
from lms.progress import services as progress
from lms.progress.models import Certificate, CertificateStatus
from lms.reports import exports, organisation
from lms.reports.certificate_page import CertificateData, certificate_pdf


def verify_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{code}"


def certificate_data(certificate: Certificate, base_url: str) -> CertificateData:
    """The certificate's page: the track's competencies with the level the holder has
    reached (progress's one "latest rating wins" rule)."""
    session = object_session(certificate)
    targets = sorted(certificate.track.targets, key=lambda t: t.competency.code)
    reached = (
        progress.ratings_as_of(
            session,
            user_ids=[certificate.user_id],
            competency_ids=[t.competency_id for t in targets],
        )
        if session is not None and targets
        else {}
    )
    competencies = []
    for target in targets:
        rating = reached.get((certificate.user_id, target.competency_id))
        level = localised(rating.level, "name") if rating else "—"
        competencies.append(
            (f"{target.competency.code} {localised(target.competency, 'short_name')}", level)
        )
    issuer = organisation.branding(session)
    return CertificateData(
        organisation=issuer.organisation,
        logo=issuer.logo,
        signatory_name=issuer.signatory_name,
        signatory_title=issuer.signatory_title,
        signature=issuer.signature,
        holder=certificate.user.full_name,
        track=localised(certificate.track, "name"),
        code=certificate.verification_code,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        verify_url=verify_url(base_url, certificate.verification_code),
        competencies=competencies,
    )


def certificate_document(certificate: Certificate, base_url: str) -> bytes:
    return certificate_pdf(certificate_data(certificate, base_url))


def certificate_filename(certificate: Certificate) -> str:
    return (
        f"certificate-{exports.slug(certificate.track.code)}-"
        f"{exports.slug(certificate.user.full_name)}-{certificate.verification_code}.pdf"
    )


def select_certificates(
    session: Session,
    *,
    track_id: int | None = None,
    session_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[Certificate]:
    """Certificates of a track, of the trainees who took part in a session (for the tracks
    its course belongs to), or issued in a period; filters combine. Revoked ones are left out."""
    if track_id is None and session_id is None and start is None and end is None:
        raise ValidationError(_("Choose a track, a session or a period."))
    if start and end and end < start:
        raise ValidationError(_("The end of the period is before its start."), field="end")
    stmt = (
        sa.select(Certificate)
        .options(joinedload(Certificate.user), joinedload(Certificate.track))
        .where(Certificate.status != CertificateStatus.REVOKED)
        .order_by(Certificate.issued_on, Certificate.id)
    )
    if track_id is not None:
        stmt = stmt.where(Certificate.track_id == track_id)
    if session_id is not None:
        course_session = session.get(CourseSession, session_id)
        if course_session is None:
            raise ValidationError(_("Unknown session."), field="session_id")
        took_part = sa.select(SessionEnrolment.user_id).where(
            SessionEnrolment.session_id == session_id,
            SessionEnrolment.status.in_([EnrolmentStatus.ATTENDED, EnrolmentStatus.COMPLETED]),
        )
        tracks = sa.select(TrackCourse.track_id).where(
            TrackCourse.course_id == course_session.course_id
        )
        stmt = stmt.where(Certificate.user_id.in_(took_part), Certificate.track_id.in_(tracks))
    if start is not None:
        stmt = stmt.where(Certificate.issued_on >= start)
    if end is not None:
        stmt = stmt.where(Certificate.issued_on <= end)
    return list(session.scalars(stmt).unique())


def certificates_zip(certificates: list[Certificate], base_url: str) -> bytes:
    return exports.files_zip(
        (certificate_filename(c), certificate_document(c, base_url)) for c in certificates
    )


@dataclass(frozen=True)
class Verification:
    holder: str
    track: str
    issued_on: date
    expires_on: date | None
    valid: bool
    reason: str


def verify(session: Session, code: str, today: date) -> Verification | None:
    """What a public verification page may show about a code: nothing else."""
    code = (code or "").strip().upper()
    certificate = session.scalar(
        sa.select(Certificate)
        .options(joinedload(Certificate.user), joinedload(Certificate.track))
        .where(Certificate.verification_code == code)
    )
    if certificate is None:
        return None
    # Progress's one answer for a certificate on a day: the word and the verdict agree.
    state = progress.certificate_status(certificate, on=today)
    reason = {
        progress.CertificateState.REVOKED: _("Revoked"),
        progress.CertificateState.SUPERSEDED: _("Superseded by a renewed certificate"),
        progress.CertificateState.LAPSED: _("Expired"),
    }.get(state, _("Valid"))
    return Verification(
        holder=certificate.user.full_name,
        track=localised(certificate.track, "name"),
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        valid=state.is_current,
        reason=reason,
    )

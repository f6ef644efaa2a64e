"""Certificate expiry reminders, to the holder and to their administration's focal point."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.i18n import N_
from lms.notifications.registry import notification_kind
from lms.progress.models import Certificate, CertificateStatus, TrackCertificationPolicy
from lms.scheduler.registry import JobResult, scheduled_job
from lms.scheduler.services import send_reminder_once

CERTIFICATE_EXPIRING_KIND = notification_kind(
    "certificate.expiring", _l("A certificate expires soon")
)
CERTIFICATE_EXPIRING = CERTIFICATE_EXPIRING_KIND.key


@scheduled_job(
    "certificates.expiry_reminders",
    cron="0 7 * * *",
    description=_l("Remind holders (and their focal point) before a certificate lapses."),
)
def remind_expiring_certificates(session: Session, now: datetime) -> JobResult:
    """Each track's policy says how many days ahead; each reminder goes once per certificate
    and recipient."""
    today = now.date()
    rows = session.execute(
        sa.select(Certificate, TrackCertificationPolicy.reminder_days_before)
        .join(TrackCertificationPolicy, TrackCertificationPolicy.track_id == Certificate.track_id)
        .where(
            Certificate.status == CertificateStatus.VALID,
            Certificate.expires_on.is_not(None),
            Certificate.expires_on >= today,
        )
    ).all()
    sent = 0
    for certificate, days in rows:
        if (certificate.expires_on - today).days > days:
            continue
        holder = certificate.user
        title = (
            f"Your {certificate.track.name} certificate expires on "
            f"{certificate.expires_on.isoformat()}"
        )
        body = "Follow the track's recertification path to renew it."
        recipients = [(holder, title)]
        member = holder.member_administration
        if member is not None and member.focal_point_email:
            focal = session.scalar(sa.select(User).where(User.email == member.focal_point_email))
            if focal is not None and focal.id != holder.id:
                recipients.append(
                    (
                        focal,
                        f"{holder.full_name}'s {certificate.track.name} "
                        f"certificate expires on "
                        f"{certificate.expires_on.isoformat()}",
                    )
                )
        for user, text in recipients:
            if send_reminder_once(
                session,
                ("certificate-expiry", certificate.id),
                user,
                CERTIFICATE_EXPIRING,
                text,
                body,
                f"/trainees/{holder.id}",
                now=now,
            ):
                sent += 1
    return JobResult.say(N_("%(sent)s reminder(s) sent"), sent, sent=sent)

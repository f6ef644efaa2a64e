"""What the webhooks feature does when other features announce something (declared in
``lms/webhooks/feature.py``). Each receiver gets the database session as ``sender``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from lms.courses.models import SessionEnrolment
from lms.progress.models import Certificate
from lms.projects.models import Milestone
from lms.webhooks import services
from lms.webhooks.models import WebhookEvent


def on_enrolment_changed(
    sender: Session, *, enrolment: SessionEnrolment, from_status: str | None = None, **_: Any
) -> None:
    services.publish(
        sender,
        WebhookEvent.ENROLMENT_CHANGED,
        lambda: services.enrolment_data(enrolment, from_status),
    )


def on_result_recorded(sender: Session, *, enrolment: SessionEnrolment, **_: Any) -> None:
    # Attendance alone is an enrolment change; a result is a score and a pass or a fail.
    if enrolment.passed is not None:
        services.publish(
            sender,
            WebhookEvent.RESULT_RECORDED,
            lambda: services.result_data(enrolment, corrected=False),
        )


def on_result_corrected(sender: Session, *, enrolment: SessionEnrolment, **_: Any) -> None:
    services.publish(
        sender,
        WebhookEvent.RESULT_RECORDED,
        lambda: services.result_data(enrolment, corrected=True),
    )


def on_certificate_issued(sender: Session, *, certificate: Certificate, **_: Any) -> None:
    services.publish(
        sender, WebhookEvent.CERTIFICATE_ISSUED, lambda: services.certificate_data(certificate)
    )


def on_milestone_overdue(sender: Session, *, milestone: Milestone, today: date, **_: Any) -> None:
    # The job announces a late milestone every day; one delivery per milestone and due date.
    services.publish(
        sender,
        WebhookEvent.MILESTONE_LATE,
        lambda: services.milestone_data(milestone, today),
        once=f"milestone-late:{milestone.id}:{milestone.due_date.isoformat()}",
    )


def on_outbound_headers(sender: Session, *, request: Any, now: datetime, **_: Any) -> dict | None:
    return services.signature_headers(sender, request, now)

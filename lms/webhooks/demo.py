"""Demo subscriptions: an HR system that hears of enrolments and results, and a retired
registry address (disabled). Runs last among the steps that make events, so loading the
demo queues no delivery; events made while someone tries the demo are queued for the HR
address, which does not exist, and show the outbox's retries on the HTTP outbox page."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core import clock
from lms.webhooks import services
from lms.webhooks.models import WebhookEvent


def load(session: Session) -> str:
    admin = session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    services.create_subscription(
        session,
        url="https://hr.example.org/lms/webhook",
        events=[WebhookEvent.ENROLMENT_CHANGED.value, WebhookEvent.RESULT_RECORDED.value],
        description="Demo: the HR system of a member administration",
        actor=admin,
    )
    retired = services.create_subscription(
        session,
        url="https://registry.example.org/hooks/certificates",
        events=[WebhookEvent.CERTIFICATE_ISSUED.value, WebhookEvent.MILESTONE_LATE.value],
        description="Demo: a retired certificate registry",
        actor=admin,
    )
    services.disable_subscription(session, retired, actor=admin, now=clock.now())
    return "2 webhook subscriptions (1 disabled)"

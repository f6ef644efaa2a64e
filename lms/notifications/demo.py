"""Demo notifications, so the bell has something to show on first login."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.model_base import utcnow
from lms.notifications.services import ANNOUNCEMENT, notify

WELCOME = (
    "Welcome to Capacity LMS",
    "Under the bell you find what needs your attention. Choose which notifications also come "
    "by email on your preferences page.",
    "/notifications/preferences",
)
EXTRA = {
    "admin@example.org": [
        (
            "Scheduled jobs run in their own process",
            "Start it with “lms scheduler” next to the web server; the Scheduled jobs page "
            "shows each job's next run, last result and history.",
            "/admin/jobs",
        )
    ],
    "trainee@example.org": [
        ("Bienvenue, Nadia", "La plateforme est disponible en français et en anglais.", None),
    ],
}


def load_notifications(session: Session) -> str:
    users = session.scalars(sa.select(User).where(User.is_demo.is_(True)).order_by(User.id)).all()
    count = 0
    for user in users:
        welcome = notify(session, user, ANNOUNCEMENT.key, *WELCOME)
        count += 1
        if user.email.startswith("trainee") and user.email != "trainee@example.org":
            welcome.read_at = utcnow()  # most trainees have already read it
        for title, body, link in EXTRA.get(user.email, []):
            notify(session, user, ANNOUNCEMENT.key, title, body, link)
            count += 1
    return f"Demo notifications: {count} for {len(users)} users."

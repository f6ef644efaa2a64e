"""Glue between the outbox service and the running app: deliver what is due right after a
commit, without ever failing the request that queued the mail."""

from __future__ import annotations

import logging

from flask import current_app

from lms.core.extensions import db
from lms.core.outbox import MailSettings, deliver_due

log = logging.getLogger("lms.outbox")


def deliver_outbox_now() -> int:
    try:
        sent = deliver_due(db.session, MailSettings.from_config(current_app.config))
        db.session.commit()
        return sent
    except Exception:  # a broken mail set-up must not turn a saved change into an error page
        db.session.rollback()
        log.exception("Outbox delivery failed; messages stay queued")
        return 0

"""Notifications and emails in their recipient's language, whoever (or whatever job) sends them:
the title and body are lazy messages rendered for each recipient, and the email arrives in that
language through a real SMTP server on loopback."""

from __future__ import annotations

import socket
from datetime import date, timedelta
from email.header import decode_header, make_header

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from flask_babel import lazy_gettext as _l

from lms.accounts import services as accounts
from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.i18n import lazy_day
from lms.core.models import OutboxMessage
from lms.core.outbox import MailSettings, deliver_due
from lms.notifications.models import Notification
from lms.notifications.registry import register_notification_kind
from lms.notifications.services import notify
from tests.translations import install_french

register_notification_kind("test.language", "Language test", email_default=True)

FRENCH = {
    "Session on %(day)s starts soon": "La session du %(day)s commence bientôt",
    "Bring your laptop.": "Apportez votre ordinateur portable.",
    "You choose which notifications also come by email on your preferences page:": (
        "Vous choisissez les notifications reçues aussi par courriel sur votre page de "
        "préférences :"
    ),
    "Your Capacity LMS account": "Votre compte Capacity LMS",
}


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _deliver() -> list:
    port = _free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        deliver_due(db.session, MailSettings(server="127.0.0.1", port=port, timeout=2))
        db.session.commit()
    finally:
        controller.stop()
    return inbox.messages


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def test_each_recipient_gets_the_notification_and_email_in_their_language(
    app, make_user, monkeypatch
):
    install_french(monkeypatch, FRENCH)
    awa = make_user(Role.TRAINEE, email="awa@example.org", preferred_language="fr")
    ann = make_user(Role.TRAINEE, email="ann@example.org", preferred_language="en")
    with app.app_context():  # as a scheduled job would: no request, no reader
        for user in (awa, ann):
            notify(
                db.session,
                user,
                "test.language",
                _l("Session on %(day)s starts soon", day=lazy_day(date(2026, 3, 2))),
                _l("Bring your laptop."),
                "/learning",
            )
        db.session.commit()

    titles = dict(
        db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.subject)).all()
    )
    assert titles == {
        "awa@example.org": "La session du 02/03/2026 commence bientôt",
        "ann@example.org": "Session on 2026-03-02 starts soon",
    }
    in_app = dict(db.session.execute(sa.select(Notification.user_id, Notification.body)).all())
    assert in_app == {awa.id: "Apportez votre ordinateur portable.", ann.id: "Bring your laptop."}

    delivered = {m["To"]: m for m in _deliver()}
    french = delivered["awa@example.org"]
    assert _subject(french) == "La session du 02/03/2026 commence bientôt"
    assert "Apportez votre ordinateur portable." in _body(french)
    assert "votre page de préférences" in _body(french)
    english = delivered["ann@example.org"]
    assert _subject(english) == "Session on 2026-03-02 starts soon"
    assert "on your preferences page" in _body(english)


def test_an_invitation_is_written_in_the_invited_users_language(app, make_user, monkeypatch):
    install_french(monkeypatch, FRENCH)
    admin = make_user(Role.ADMIN, preferred_language="en")
    awa = make_user(Role.TRAINEE, email="awa@example.org", preferred_language="fr")
    with app.test_request_context(headers={"Accept-Language": "en"}):  # the admin reads English
        accounts.send_invitation(
            db.session,
            awa,
            actor=admin,
            link_for=lambda token: f"http://localhost/auth/invite/{token}",
            lifetime=timedelta(days=7),
        )
        db.session.commit()
    (message,) = _deliver()
    assert _subject(message) == "Votre compte Capacity LMS"

"""Notifications: in-app always, email by preference; the bell's count in one query; the list,
mark read, mark all read, preferences; and the admin's retry of a dead-letter email."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.core.models import AuditEntry, OutboxMessage, OutboxStatus
from lms.notifications.models import Notification, NotificationPreference
from lms.notifications.registry import register_notification_kind
from lms.notifications.services import notify
from tests.conftest import post_form

register_notification_kind("test.milestone", "Milestone due soon", email_default=True)
register_notification_kind("test.digest", "Weekly digest", email_default=False)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_notify_emails_by_the_kinds_default(app, make_user):
    grace = make_user(Role.PROJECT_MANAGER, email="grace@example.org")
    notify(db.session, grace, "test.milestone", "M2 due Friday", "Inception report", "/projects/1")
    notify(db.session, grace, "test.digest", "Your week", "3 milestones moved")
    db.session.commit()

    assert _count(Notification) == 2
    emails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [(m.recipient, m.subject) for m in emails] == [("grace@example.org", "M2 due Friday")]
    assert "Inception report" in emails[0].body
    assert "http://localhost/projects/1" in emails[0].body
    assert "http://localhost/notifications/preferences" in emails[0].body


def test_notify_honours_the_users_preferences(app, make_user):
    from lms.notifications.services import save_email_preferences

    user = make_user(Role.TRAINEE, email="sarah@example.org")
    save_email_preferences(db.session, user, {"test.digest"})  # the opposite of the defaults
    db.session.commit()
    notify(db.session, user, "test.milestone", "Due")
    notify(db.session, user, "test.digest", "Digest")
    db.session.commit()
    assert db.session.scalars(sa.select(OutboxMessage.subject)).all() == ["Digest"]
    assert _count(Notification) == 2


def test_a_deactivated_user_gets_no_email(app, make_user):
    user = make_user(Role.TRAINEE, is_active=False)
    notify(db.session, user, "test.milestone", "Due")
    db.session.commit()
    assert _count(OutboxMessage) == 0 and _count(Notification) == 1


def test_notify_refuses_unknown_kinds_and_outside_links(app, make_user):
    user = make_user(Role.TRAINEE)
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(db.session, user, "test.typo", "x")
    for link in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example/x",
        "javascript:alert(1)",
        "/ok\nLocation: x",
    ):
        with pytest.raises(ValidationError, match="page of the application"):
            notify(db.session, user, "test.milestone", "x", link=link)
    with pytest.raises(ValidationError, match="needs a title"):
        notify(db.session, user, "test.milestone", "   ")


def test_the_database_refuses_an_outside_link(app, make_user):
    user = make_user(Role.TRAINEE)
    db.session.add(Notification(user_id=user.id, kind="k", title="t", link="https://x.example"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_bell_shows_the_unread_count_with_one_query(app, client, logged_in, make_user):
    me = logged_in(Role.TRAINEE)
    someone_else = make_user(Role.TRAINEE)
    for title in ("One", "Two", "Three"):
        notify(db.session, me, "test.digest", title)
    notify(db.session, someone_else, "test.digest", "Not yours")
    db.session.commit()

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        html = client.get("/").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert 'data-testid="unread-count">3<' in html
    bell_queries = [s for s in statements if "notifications" in s]
    assert len(bell_queries) == 1 and "count(" in bell_queries[0].lower()

    # The notifications page asks for the count twice (bell, "mark all" button): still one query.
    statements.clear()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/notifications")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    counts = [s for s in statements if "notifications" in s and "count(" in s.lower()]
    # one for the bell, one for the pagination total of the list
    assert len(counts) == 2


def test_list_mark_read_and_mark_all_read(app, client, logged_in):
    me = logged_in(Role.TRAINEE)
    first = notify(db.session, me, "test.digest", "First", link="/notifications/preferences")
    notify(db.session, me, "test.digest", "Second")
    notify(db.session, me, "test.digest", "Third")
    db.session.commit()
    first_id = first.id

    html = client.get("/notifications").get_data(as_text=True)
    assert html.index("Third") < html.index("Second") < html.index("First")  # newest first
    assert html.count('data-read="no"') == 3

    response = post_form(client, f"/notifications/{first_id}/read", {"open": "1"})
    assert response.status_code == 302 and response.location == "/notifications/preferences"
    html = client.get("/notifications?show=unread").get_data(as_text=True)
    assert "First" not in html and "Second" in html
    assert 'data-testid="unread-count">2<' in html

    html = post_form(client, "/notifications/read-all", follow_redirects=True).get_data(
        as_text=True
    )
    assert "2 notification(s) marked as read." in html
    assert 'data-testid="unread-count"' not in html
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.read_at.is_(None))
        )
        == 0
    )
    assert "No unread notification." in client.get("/notifications?show=unread").get_data(
        as_text=True
    )


def test_nobody_reads_or_marks_anothers_notifications(app, client, logged_in, make_user):
    other = make_user(Role.TRAINEE)
    theirs = notify(db.session, other, "test.digest", "Private matter")
    db.session.commit()
    theirs_id = theirs.id
    logged_in(Role.ADMIN)  # not even an admin
    assert "Private matter" not in client.get("/notifications").get_data(as_text=True)
    assert post_form(client, f"/notifications/{theirs_id}/read").status_code == 404
    post_form(client, "/notifications/read-all")
    db.session.expire_all()
    assert db.session.get(Notification, theirs_id).read_at is None


def test_notifications_pages_need_a_login_and_paginate(app, client, logged_in):
    assert client.get("/notifications").status_code == 302
    me = logged_in(Role.TRAINEE)
    assert "No notification yet." in client.get("/notifications").get_data(as_text=True)
    for n in range(30):
        notify(db.session, me, "test.digest", f"Notice {n:02d}")
    db.session.commit()
    page1 = client.get("/notifications").get_data(as_text=True)
    page2 = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Notice 29" in page1 and "Notice 05" in page1 and "Notice 04" not in page1
    assert "Notice 04" in page2 and "30 in all" in page2


def test_preferences_page_saves_the_users_choice(app, client, logged_in):
    me = logged_in(Role.TRAINEE)
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Milestone due soon" in html and "Weekly digest" in html
    tags = re.findall(r'<input [^>]*name="email_kinds"[^>]*>', html)
    boxes = {re.search(r'value="([^"]+)"', tag).group(1): " checked" in tag for tag in tags}
    # Each kind's default: emails for milestones, none for the digest.
    assert (boxes["test.milestone"], boxes["test.digest"]) == (True, False)

    response = post_form(client, "/notifications/preferences", {"email_kinds": ["test.digest"]})
    assert response.status_code == 302
    db.session.expire_all()
    prefs = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.email).where(
                NotificationPreference.user_id == me.id
            )
        ).all()
    )
    assert prefs["test.milestone"] is False and prefs["test.digest"] is True

    notify(db.session, db.session.get(type(me), me.id), "test.milestone", "Due")
    notify(db.session, db.session.get(type(me), me.id), "test.digest", "Digest")
    db.session.commit()
    assert db.session.scalars(sa.select(OutboxMessage.subject)).all() == ["Digest"]

    bad = post_form(client, "/notifications/preferences", {"email_kinds": ["no.such.kind"]})
    assert bad.status_code == 200 and "is not a valid choice" in bad.get_data(as_text=True)


def _dead_message() -> int:
    message = OutboxMessage(
        recipient="gone@example.org",
        subject="Lost",
        body="b",
        status=OutboxStatus.DEAD,
        attempts=8,
        last_error="SMTPRecipientsRefused",
    )
    db.session.add(message)
    db.session.commit()
    return message.id


def test_admin_retries_a_dead_letter_email(app, client, logged_in):
    admin = logged_in(Role.ADMIN)
    message_id = _dead_message()
    html = client.get("/admin/outbox?status=dead").get_data(as_text=True)
    assert f'action="/admin/outbox/{message_id}/retry' in html

    html = post_form(client, f"/admin/outbox/{message_id}/retry", follow_redirects=True).get_data(
        as_text=True
    )
    assert "is queued again" in html
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "outbox.retried"))
    assert entry.actor_id == admin.id and entry.after["status"] == "pending"

    again = post_form(client, f"/admin/outbox/{message_id}/retry", follow_redirects=True)
    assert "Only a dead message can be retried" in again.get_data(as_text=True)


def test_only_admins_retry_emails(app, client, logged_in):
    message_id = _dead_message()
    logged_in(Role.DIRECTORATE)
    assert post_form(client, f"/admin/outbox/{message_id}/retry").status_code == 403
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == OutboxStatus.DEAD


def test_preferences_offer_only_the_kinds_a_user_can_receive(app, client, logged_in):
    import lms.scheduler.services  # noqa: F401  (registers the admin-only kind)

    logged_in(Role.TRAINEE)
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Weekly digest" in html and "A scheduled job failed" not in html
    refused = post_form(
        client, "/notifications/preferences", {"email_kinds": ["scheduler.job_failed"]}
    )
    assert "is not a valid choice" in refused.get_data(as_text=True)


def test_admins_choose_whether_job_failures_come_by_email(app, client, logged_in):
    import lms.scheduler.services  # noqa: F401

    logged_in(Role.ADMIN)
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "A scheduled job failed" in html


@pytest.mark.demo
def test_demo_data_gives_every_demo_user_a_welcome_and_sends_no_email(app, client, demo_summary):
    from lms.demo import DEMO_PASSWORD
    from tests.conftest import login

    summary = demo_summary
    assert "Demo notifications:" in summary
    assert _count(OutboxMessage) == 0  # announcements are in-app only by default
    login(client, "trainee@example.org", DEMO_PASSWORD)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Welcome to Capacity LMS" in html and "Bienvenue, Nadia" in html
    assert 'data-testid="unread-count">2<' in html


def test_a_title_becomes_one_line_so_it_is_a_safe_email_subject(app, make_user):
    user = make_user(Role.TRAINEE)
    note = notify(db.session, user, "test.milestone", "Due\r\nBcc: everyone@example.org")
    db.session.commit()
    assert note.title == "Due Bcc: everyone@example.org"
    assert db.session.scalar(sa.select(OutboxMessage.subject)) == note.title


def test_deleting_an_unused_account_takes_its_notifications_along(app, make_user):
    from lms.accounts.services import delete_user
    from lms.scheduler.models import SentReminder
    from lms.scheduler.services import send_reminder_once

    admin = make_user(Role.ADMIN)
    mistaken = make_user(Role.TRAINEE)
    send_reminder_once(db.session, "welcome", mistaken, "test.milestone", "Welcome")
    from lms.notifications.services import save_email_preferences

    save_email_preferences(db.session, mistaken, set())
    db.session.commit()

    delete_user(db.session, mistaken, actor=admin)
    db.session.commit()
    assert _count(Notification) == 0
    assert _count(NotificationPreference) == 0
    assert _count(SentReminder) == 0

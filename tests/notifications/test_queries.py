"""The notification list query and the owner check."""

from __future__ import annotations

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.notifications import services
from lms.notifications.models import Notification


def test_notifications_query_and_own_notification(app, make_user):
    alice = make_user(Role.TRAINEE)
    bob = make_user(Role.TRAINEE)
    read = Notification(user_id=alice.id, kind="test", title="Read one")
    unread = Notification(user_id=alice.id, kind="test", title="Unread one")
    other = Notification(user_id=bob.id, kind="test", title="Bob's")
    db.session.add_all([read, unread, other])
    db.session.flush()
    services.mark_read(db.session, read)
    db.session.commit()

    titles = [n.title for n in db.session.scalars(services.notifications_query(alice))]
    assert sorted(titles) == ["Read one", "Unread one"]
    unread_only = db.session.scalars(services.notifications_query(alice, "unread")).all()
    assert [n.title for n in unread_only] == ["Unread one"]
    assert services.own_notification(db.session, alice, unread.id) is unread
    assert services.own_notification(db.session, alice, other.id) is None

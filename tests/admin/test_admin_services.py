"""The queries behind the audit log and outbox pages."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.admin import services
from lms.core.audit import record_change
from lms.core.extensions import db
from lms.core.models import OutboxMessage, OutboxStatus
from lms.core.outbox import enqueue_email


def test_audit_query_filters_by_action_prefix_entity_and_actor(app, make_user):
    alice = make_user(Role.ADMIN, email="alice@example.org")
    bob = make_user(Role.ADMIN, email="bob@example.org")
    record_change(db.session, actor=alice, action="user.created", entity_type="User", entity_id=1)
    record_change(db.session, actor=bob, action="user.updated", entity_type="User", entity_id=1)
    record_change(db.session, actor=bob, action="job.paused", entity_type="ScheduledJob")
    db.session.commit()

    def actions(**filters):
        stmt = services.audit_query(services.AuditFilters(**filters))
        return [e.action for e in db.session.scalars(stmt)]

    assert sorted(actions(action="user.")) == ["user.created", "user.updated"]
    assert actions(entity_type="ScheduledJob") == ["job.paused"]
    assert sorted(actions(actor="bob")) == ["job.paused", "user.updated"]
    assert services.AuditFilters.from_args({"actor": " Bob "}).actor == "bob"
    assert services.audit_entity_types(db.session) == ["ScheduledJob", "User"]


def test_user_audit_trail_says_how_many_there_are(app, make_user):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.TRAINEE)
    for n in range(3):
        record_change(db.session, actor=admin, action=f"user.step{n}", entity=user)
    record_change(db.session, actor=user, action="user.password_changed", entity=user)
    db.session.commit()
    entries, total = services.user_audit_trail(db.session, user, limit=2)
    assert len(entries) == 2 and total == 4
    entries, total = services.user_audit_trail(db.session, admin)
    assert total == 3 and len(entries) == 3  # changes made by the admin


def test_outbox_query_and_counts(app):
    enqueue_email(db.session, "a@example.org", "One", "Body")
    enqueue_email(db.session, "b@example.org", "Two", "Body")
    db.session.flush()
    first = db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id))
    first.status = OutboxStatus.DEAD
    db.session.commit()

    assert [m.subject for m in db.session.scalars(services.outbox_query(None))] == ["Two", "One"]
    assert [m.subject for m in db.session.scalars(services.outbox_query("dead"))] == ["One"]
    assert len(list(db.session.scalars(services.outbox_query("bogus")))) == 2
    assert services.outbox_counts(db.session) == {OutboxStatus.DEAD: 1, OutboxStatus.PENDING: 1}

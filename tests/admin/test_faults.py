"""The users import is one transaction: a database fault at any write statement of it (the
users, their roles, the invitations queued in the outbox, the audit entry) leaves every table
as it was; once committed, delivering the invitations may write on its own."""

from __future__ import annotations

import io

import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.core.extensions import db
from lms.core.models import OutboxMessage
from tests.conftest import csrf_token
from tests.faults import assert_all_or_nothing

FILE = (
    b"email,full_name,roles,member_administration,language\n"
    b"ada.faults@example.org,Ada Faults,trainee,,en\n"
    b"bo.faults@example.org,Bo Faults,trainee;trainer,,fr\n"
)


def _count(model, *where) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_users_import_is_all_or_nothing(client, logged_in):
    logged_in(Role.ADMIN)
    token = csrf_token(client)

    def send():
        data = {"csrf_token": token, "send_invitation": "y", "file": (io.BytesIO(FILE), "u.csv")}
        return client.post("/admin/users/import", data=data, content_type="multipart/form-data")

    failed = assert_all_or_nothing(
        send,
        succeeded=lambda r: (
            r.status_code == 302 and _count(User, User.email.like("%.faults@example.org")) == 2
        ),
        writes_after_commit=True,  # the invitations are delivered after the commit
    )
    assert failed >= 6  # two users, their roles, two invitations and the audit entry
    assert _count(OutboxMessage, OutboxMessage.recipient.like("%.faults@example.org")) == 2

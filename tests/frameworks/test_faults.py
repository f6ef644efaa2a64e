"""Publishing a framework version (the earlier version archived, the audit entries, the
ratings carried over by progress's listener) is one transaction: a database fault at any of
its write statements leaves every table as it was."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.frameworks import services
from lms.frameworks.models import Framework, FrameworkStatus
from tests.conftest import csrf_token, login
from tests.faults import assert_all_or_nothing


def _status(framework_id: int) -> FrameworkStatus:
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(Framework.status).where(Framework.id == framework_id))


def test_publishing_a_new_version_is_all_or_nothing(client, world, make_user):
    editor = make_user(Role.DIRECTORATE)
    draft = services.create_new_version(db.session, world.framework, actor=editor)
    db.session.commit()
    login(client, editor)
    token = csrf_token(client)
    failed = assert_all_or_nothing(
        lambda: client.post(f"/frameworks/{draft.id}/publish", data={"csrf_token": token}),
        succeeded=lambda r: r.status_code == 302 and _status(draft.id) == FrameworkStatus.PUBLISHED,
    )
    assert failed >= 4  # both versions and their two audit entries
    assert _status(world.framework.id) == FrameworkStatus.ARCHIVED

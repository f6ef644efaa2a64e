"""A user who is referenced by any row that the database would refuse to orphan (a RESTRICT or
NO ACTION foreign key to ``users.id``) cannot be deleted: the rule is derived from the schema,
so every such key is covered, including the ones added after this test was written."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

import lms.features
from lms.accounts import services
from lms.accounts.history import history_reasons, user_references
from lms.accounts.models import Role, User
from lms.core.audit import record_change
from lms.core.errors import ConflictError
from lms.core.extensions import db
from tests.conftest import post_form
from tests.courses.fixtures import TODAY

lms.features.wire()  # every feature's models, so the parametrisation sees the whole schema
REFERENCES = {reference.key: reference for reference in user_references()}


def test_the_rule_is_derived_from_the_foreign_keys():
    keys = set(REFERENCES)
    # Some of the tables that hold a user, from several features:
    assert {
        "track_enrolments.user_id",
        "session_enrolments.user_id",
        "session_trainers.user_id",
        "competency_ratings.user_id",
        "certificates.user_id",
        "project_managers.user_id",
        "report_runs.requested_by_id",
        "audit_entries.actor_id",
    } <= keys
    # The account's own records go with it (ON DELETE CASCADE or SET NULL):
    assert (
        not {
            "auth_sessions.user_id",
            "user_tokens.user_id",
            "user_roles.user_id",
            "notification_preferences.user_id",
            "notifications.user_id",
            "scheduled_jobs.run_requested_by_id",
        }
        & keys
    )


# A generic minimal row: every required column gets a plain value of its type, and every
# required foreign key a minimal parent row (built the same way), so each holding key is tested
# with a real row on both databases, whatever feature owns the table.


# Values a table's CHECK constraints need, where a plain value would not do.
CHECKED_VALUES = {
    "badge_awards": {"uuid": "0" * 8 + "-0000-4000-8000-" + "0" * 12},
    "competency_ratings": {"source": "course"},  # an assessor's rating names the assessor
    "evidence_files": {"stored_name": "0" * 32, "sha256": "0" * 64},
    "external_completions": {"verb": "completed"},
    "intakes": {"year": 2026},
    "milestone_replans": {"previous_date": date(2026, 1, 1), "new_date": date(2026, 2, 1)},
}


def _plain_value(column: sa.Column, n: int):
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    enums = getattr(kind, "enums", None)
    if enums:
        enum_class = getattr(kind, "enum_class", None)
        return next(iter(enum_class)) if enum_class else enums[0]
    try:
        python = kind.python_type
    except NotImplementedError:
        python = str
    if python is bool:
        return False
    if python is int:
        return n
    if python in (float, Decimal):
        return 1
    if python is datetime:
        return datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    if python is date:
        return date(2026, 1, 1)
    if python is timedelta:
        return timedelta(days=1)
    if python is uuid.UUID:
        return uuid.UUID(int=n)
    if python in (dict, list):
        return {} if python is dict else []
    if isinstance(python, type) and issubclass(python, enum.Enum):
        return next(iter(python))
    length = getattr(kind, "length", None) or 40
    return f"x{n}"[:length] if length < 4 else f"minimal row {n}"[:length]


def _insert_minimal(connection, table: sa.Table, fixed: dict, counter) -> dict:
    values = {**CHECKED_VALUES.get(table.name, {}), **fixed}
    for column in table.columns:
        if column.name in values:
            continue
        if column.nullable or column.default is not None or column.server_default is not None:
            continue
        if (
            column.primary_key
            and column.autoincrement in (True, "auto")
            and not column.foreign_keys
        ) and isinstance(column.type, sa.Integer):
            continue
        fks = list(column.foreign_keys)
        if fks:
            target = fks[0].column
            parent = _insert_minimal(connection, target.table, {}, counter)
            values[column.name] = parent[target.name]
        else:
            values[column.name] = _plain_value(column, next(counter))
    result = connection.execute(table.insert().values(**values))
    pk = result.inserted_primary_key
    for column, value in zip(table.primary_key.columns, pk or (), strict=False):
        values.setdefault(column.name, value)
    return values


@pytest.mark.parametrize("key", sorted(REFERENCES))
def test_every_holding_foreign_key_keeps_the_user(app, make_user, key):
    reference = REFERENCES[key]
    admin = make_user(Role.ADMIN)
    user = make_user(Role.TRAINEE)
    assert services.history_reason(db.session, user) is None

    counter = iter(range(1000, 100_000))
    _insert_minimal(
        db.session.connection(), reference.table, {reference.column.name: user.id}, counter
    )
    db.session.commit()

    reasons = history_reasons(db.session, user)
    if key == "audit_entries.actor_id":
        assert reasons[0] == "has made recorded changes"  # the nicer words come first
    else:
        assert reference.reason(1) in reasons, reasons
    with pytest.raises(ConflictError, match="cannot be deleted; deactivate it instead"):
        services.delete_user(db.session, user, actor=admin)
    db.session.rollback()
    assert db.session.get(User, user.id) is not None


def test_the_reason_names_what_holds_the_user_in_words():
    reference = REFERENCES["session_enrolments.user_id"]
    assert reference.reason(3) == "has 3 session enrolments (session_enrolments.user_id)"
    assert reference.reason(1) == "has 1 session enrolment (session_enrolments.user_id)"


def test_an_account_without_history_is_deleted(app, make_user):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.TRAINEE)
    assert history_reasons(db.session, user) == []
    services.delete_user(db.session, user, actor=admin)
    db.session.commit()
    assert db.session.get(User, user.id) is None


def test_a_probe_listener_gives_nicer_words_first(app, make_user):
    from lms.core import signals

    user = make_user(Role.TRAINEE)
    other = make_user(Role.TRAINEE)

    def probe(session, *, user):
        return "is the star of the show" if user.id == other.id else None

    signals.user_history_probe.connect(probe)
    try:
        assert services.history_reason(db.session, other) == "is the star of the show"
        assert services.history_reason(db.session, user) is None
    finally:
        signals.user_history_probe.disconnect(probe)


# The same rule, with rows built through the features' own services.


@pytest.fixture
def trainee(make_user):
    return make_user(Role.TRAINEE, full_name="Never Logged In")


def _refused(user: User, admin: User, words: str) -> None:
    # The generic rule names the table even where a feature's listener words it first.
    assert any(words in reason for reason in history_reasons(db.session, user))
    assert services.history_reason(db.session, user)
    with pytest.raises(ConflictError, match="cannot be deleted"):
        services.delete_user(db.session, user, actor=admin)
    db.session.rollback()


def test_track_and_session_enrolments_hold_the_user(world, trainee):
    from lms.courses import services as courses
    from lms.progress import services as tracks

    tracks.enrol_in_track(db.session, trainee, world.specialists, actor=world.manager)
    db.session.commit()
    _refused(trainee, world.manager, "has 1 track enrolment (track_enrolments.user_id)")

    other = User(email="second@example.org", full_name="Second", role_links=[])
    other.role_links = [type(trainee.role_links[0])(role=Role.TRAINEE)]
    db.session.add(other)
    courses.request_enrolment(db.session, world.session_a, other, actor=other, today=TODAY)
    db.session.commit()
    _refused(other, world.manager, "session enrolment (session_enrolments.user_id)")


def test_a_session_trainer_is_held(world):
    _refused(world.trainer, world.manager, "(session_trainers.user_id)")


def test_ratings_and_certificates_hold_the_user(world, trainee):
    from lms.progress import services as progress
    from lms.progress.models import RatingSource

    progress.rate_competency(
        db.session,
        user=trainee,
        competency=world.quality,
        level=world.levels["Practitioner"],
        source=RatingSource.ASSESSOR,
        actor=world.trainer,
    )
    db.session.commit()
    _refused(trainee, world.manager, "(competency_ratings.user_id)")

    holder = User(email="holder@example.org", full_name="Holder")
    holder.role_links = [type(trainee.role_links[0])(role=Role.TRAINEE)]
    db.session.add(holder)
    db.session.flush()
    progress.issue_certificate(
        db.session, holder, world.specialists, today=TODAY, actor=world.manager
    )
    db.session.commit()
    _refused(holder, world.manager, "has 1 certificate (certificates.user_id)")


def test_a_project_manager_is_held(app, make_user, make_project):
    admin = make_user(Role.ADMIN)
    manager = make_user(Role.PROJECT_MANAGER)
    make_project(manager=manager)
    _refused(manager, admin, "(project_managers.user_id)")


def test_a_report_run_holds_its_requester(app, make_user):
    from lms.reports import services as reports

    admin = make_user(Role.ADMIN)
    director = make_user(Role.DIRECTORATE)
    reports.request_run(
        db.session,
        user=director,
        kind="directorate",
        params={},
        format="csv",
        today=TODAY,
    )
    db.session.commit()
    _refused(director, admin, "(report_runs.requested_by_id)")


def test_an_audited_actor_is_held(app, make_user):
    admin = make_user(Role.ADMIN)
    actor = make_user(Role.DIRECTORATE)
    record_change(db.session, actor=actor, action="test.changed", entity_type="X", entity_id=1)
    db.session.commit()
    _refused(actor, admin, "has made recorded changes")


def test_the_admin_page_refuses_a_trainee_with_a_track_enrolment(world, client, logged_in):
    """Once a 500 (IntegrityError): the trainee never logged in, but joined a track."""
    from lms.progress import services as tracks

    admin = logged_in(Role.ADMIN, email="boss@example.org")
    trainee = User(email="quiet@example.org", full_name="Quiet Trainee")
    trainee.role_links = [type(admin.role_links[0])(role=Role.TRAINEE)]
    db.session.add(trainee)
    db.session.flush()
    tracks.enrol_in_track(db.session, trainee, world.specialists, actor=world.manager)
    db.session.commit()

    page = client.get(f"/admin/users/{trainee.id}/delete")
    assert page.status_code == 200
    assert "track enrolment" in page.get_data(as_text=True)
    response = post_form(client, f"/admin/users/{trainee.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "has track enrolments" in html  # the progress feature words the reason
    assert "deactivate it instead" in html
    db.session.expire_all()
    assert db.session.get(User, trainee.id) is not None

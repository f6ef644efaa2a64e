"""Migrations: one head, they build exactly the models' schema, and every step goes down and
up again — on the backend under test (SQLite, or PostgreSQL in the second run)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from lms import PACKAGE_DIR, create_app
from lms.core.extensions import db
from lms.core.model_base import UTCDateTime
from tests.conftest import BACKEND

MIGRATIONS = str(PACKAGE_DIR / "migrations")


@pytest.fixture
def empty_database_url(database_url: str, tmp_path) -> Iterator[str]:
    """A brand-new empty database beside the test database."""
    if BACKEND != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"lms_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.engine.make_url(database_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migration_app(empty_database_url: str):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _script() -> ScriptDirectory:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config)


def _compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    # Our UTCDateTime is a TypeDecorator over DateTime(timezone=True): compare what it stores.
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, sa.DateTime)
    return None  # default comparison


def _schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": _compare_type, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_there_is_a_single_head():
    assert len(_script().get_heads()) == 1


def test_upgrade_builds_exactly_the_models_schema(migration_app):
    upgrade(directory=MIGRATIONS)
    assert _tables() == set(db.metadata.tables)
    assert _schema_differences() == []


def test_every_migration_goes_down_and_up_again(migration_app):
    revisions = list(reversed(list(_script().walk_revisions())))  # oldest first
    for revision in revisions:
        upgrade(directory=MIGRATIONS, revision=revision.revision)
        after_up = _tables()
        downgrade(directory=MIGRATIONS, revision=revision.down_revision or "base")
        upgrade(directory=MIGRATIONS, revision=revision.revision)
        assert _tables() == after_up, revision.revision
    downgrade(directory=MIGRATIONS, revision="base")
    assert _tables() == set()
    upgrade(directory=MIGRATIONS)
    assert _schema_differences() == []


def test_check_constraints_exist_after_migration(migration_app):
    """Enums and invariants are enforced by the migrated database, not only by the models."""
    upgrade(directory=MIGRATIONS)
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO member_administrations (name, country_code, region, focal_point_name,"
                " focal_point_email, is_active, is_demo, created_at)"
                " VALUES ('X', 'XX', 'ATLANTIS', '', '', true, false, CURRENT_TIMESTAMP)"
            )
        )

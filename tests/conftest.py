"""Test fixtures: an app per test on a clean database, SQLite by default and PostgreSQL when
``LMS_TEST_BACKEND=postgresql`` (with ``TEST_DATABASE_URL``); factories return callables."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask.testing import FlaskClient

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ["LMS_ENV"] = "testing"
os.environ.pop("DATABASE_URL", None)

from lms import create_app
from lms.accounts import passwords
from lms.accounts import services as account_services
from lms.accounts.models import MemberAdministration, Region, Role, User, UserRole
from lms.accounts.passwords import hash_password
from lms.config import normalise_database_url
from lms.core.extensions import db
from tests import speedups
from tests.demo_copies import DemoTemplates

speedups.install()

# Cheap argon2 in the tests: the production parameters (64 MiB, 3 passes, 4 lanes) cost ~0.2 s
# of CPU per hash or check, paid at every login of every test. Hashes stay argon2id, and a
# hash made with other parameters is still rehashed at login (test_rules_throttle checks it).
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
account_services._DUMMY_HASH = passwords.hash_password("timing-equaliser-not-a-password")

pytest_plugins = ["tests.courses.fixtures", "tests.projects.fixtures"]

BACKEND = os.environ.get("LMS_TEST_BACKEND", "sqlite")
TEST_PASSWORD = "correct-horse-battery-staple-42"
# The shared data (CASE schemas) lives beside the repository; runs from a copy of the tree (the
# mutation tests run in ``mutants/``) point at it with ``LMS_SHARED_DIR``.
SHARED_DIR = Path(
    os.environ.get("LMS_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared"
)


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if BACKEND == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("LMS_TEST_BACKEND=postgresql needs TEST_DATABASE_URL", returncode=2)
        return _worker_database(normalise_database_url(url))
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside the given one,
    since every test truncates the tables it runs on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _config(database_url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_BASE_URL": "http://localhost",
        "MAIL_SERVER": "",
        # A reduced run of the demo's history builder (the full one has 150 trainees).
        "LMS_DEMO_TRAINEES": 30,
        **extra,
    }


@pytest.fixture(scope="session")
def _schema(database_url: str) -> None:
    app = create_app(_config(database_url))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        db.engine.dispose()


def clean_database() -> None:
    """Empty every table that holds rows (found in one query: most tests fill few tables), so
    each test starts as on a new database."""
    tables = list(reversed(db.metadata.sorted_tables))
    probe = sa.text(
        " UNION ALL ".join(
            f'SELECT {i} WHERE EXISTS (SELECT 1 FROM "{t.name}")' for i, t in enumerate(tables)
        )
    )
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            _clean_postgresql(conn, [tables[i] for (i,) in conn.execute(probe)])
        return
    # RESTRICT foreign keys (certificates renewing certificates, ...) are checked row by row,
    # so rows pointing at each other in one table cannot be deleted with the keys on.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            for (i,) in conn.execute(probe).all():
                conn.execute(tables[i].delete())
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def _clean_postgresql(conn: sa.Connection, filled: list[sa.Table]) -> None:
    """DELETE rather than TRUNCATE: a TRUNCATE makes new files for every table and index it
    reaches (CASCADE reaches nearly all), seconds per test on a busy machine. A superuser
    skips the foreign keys for the deletes (replication role), so neither the order nor rows
    pointing at each other matter; otherwise the filled tables are truncated. Then every
    sequence a test moved starts again, as TRUNCATE ... RESTART IDENTITY did."""
    if (
        filled
        and conn.exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).scalar()
    ):
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in filled:
            conn.execute(table.delete())
    elif filled:
        names = ", ".join(f'"{t.name}"' for t in filled)
        conn.exec_driver_sql(f"TRUNCATE {names} CASCADE")
    conn.exec_driver_sql(
        "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass,"
        " start_value, false) FROM pg_sequences"
        " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )


@pytest.fixture
def app_config(database_url: str) -> dict:
    """Override in a test module to change configuration."""
    return _config(database_url)


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in a real server.

    The ``app`` fixture keeps an app context open for the test's own queries; without this,
    requests would share its ``g`` (and Flask-Login's cached user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _demo_templates(database_url: str, tmp_path_factory) -> Iterator[DemoTemplates]:
    templates = DemoTemplates(database_url, tmp_path_factory.mktemp("demo"))
    yield templates
    templates.close()


@pytest.fixture
def app(request, app_config: dict, _schema, _demo_templates) -> Iterator:
    """The app on a clean database; with ``@pytest.mark.demo``, on a copy of the demo data
    (loaded once per worker: tests/demo_copies.py) that is dropped after the test."""
    demo = request.node.get_closest_marker("demo") is not None
    config = app_config
    if demo:
        url, _summary = _demo_templates.copy(app_config)
        config = {**app_config, "SQLALCHEMY_DATABASE_URI": url}
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if not demo:
            clean_database()
        yield app
        db.session.remove()
        db.engine.dispose()
    if demo:
        _demo_templates.drop(url)


@pytest.fixture
def demo_summary(request, app, app_config: dict, _demo_templates) -> str:
    """What loading the demo said (``@pytest.mark.demo`` tests): its per-feature summary."""
    assert request.node.get_closest_marker("demo"), "demo_summary needs @pytest.mark.demo"
    return _demo_templates.copy_summary(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def _password_hash() -> str:
    return hash_password(TEST_PASSWORD)


@pytest.fixture
def make_member(app) -> Callable[..., MemberAdministration]:
    counter = iter(range(1, 10_000))

    def make(
        name: str | None = None,
        country_code: str | None = None,
        region: Region = Region.EUROPE,
        **kwargs,
    ) -> MemberAdministration:
        n = next(counter)
        code = country_code or f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}"
        member = MemberAdministration(
            name=name or f"Customs administration {n}", country_code=code, region=region, **kwargs
        )
        db.session.add(member)
        db.session.commit()
        return member

    return make


@pytest.fixture
def make_user(app, _password_hash) -> Callable[..., User]:
    counter = iter(range(1, 100_000))

    def make(
        role: Role | str | list = Role.TRAINEE,
        email: str | None = None,
        full_name: str | None = None,
        member: MemberAdministration | None = None,
        **kwargs,
    ) -> User:
        n = next(counter)
        roles = role if isinstance(role, list | tuple | set) else [role]
        user = User(
            email=(email or f"user{n}@example.org").lower(),
            full_name=full_name or f"Test User {n}",
            password_hash=_password_hash,
            member_administration_id=member.id if member else None,
            role_links=[UserRole(role=Role(r)) for r in roles],
            **kwargs,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


_CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/auth/reset") -> str:
    html = client.get(path).get_data(as_text=True)
    match = _CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def count_statements(run: Callable[[], object]) -> int:
    """The SQL statements ``run()`` sends, for tests that guard a page or read against N+1."""
    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
    return count


def login(client, user_or_email, password: str = TEST_PASSWORD):
    email = getattr(user_or_email, "email", user_or_email)
    token = csrf_token(client)
    return client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )


def post_form(client, path: str, data: dict | None = None, **kwargs):
    """POST a form with a valid CSRF token, as a browser would after loading a page."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(path, data=data, **kwargs)


@pytest.fixture
def logged_in(client, make_user):
    """Log in a fresh user with ``role`` and return it: ``logged_in(Role.ADMIN)``."""

    def do(role: Role | str | list = Role.TRAINEE, **kwargs) -> User:
        user = make_user(role, **kwargs)
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do

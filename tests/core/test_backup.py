"""Backup and restore (``lms backup`` / ``lms restore``): a round trip loses nothing, on the
backend under test and from PostgreSQL to a SQLite file and back; an older archive comes in
through the migrations; a database holding data, a damaged archive or a failing load leaves
the target as it was.

Every database here is made for the test (beside the test database on PostgreSQL); the demo
is loaded once per module into the source. Tables are compared by reading every row through
SQLAlchemy, independently of the module's own encoding and checksums."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import stamp, upgrade

from lms import PACKAGE_DIR, create_app
from lms.core.backup import BackupError, FileAreas, backup_database, current_revision
from lms.core.extensions import db
from lms.core.restore import parents_first, restore_database
from tests.conftest import BACKEND

MIGRATIONS = str(PACKAGE_DIR / "migrations")
HEAD = "0025_webhooks"
OLDER = "0024_badges"
PDF = b"%PDF-1.4\n% evidence kept beside the database\n%%EOF\n"


@contextmanager
def fresh_database(database_url: str, folder: Path, backend: str = BACKEND) -> Iterator[str]:
    """A brand-new, empty database (no schema) of the given backend."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    name = f"lms_bk_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(database_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def running(url: str, folder: Path) -> Iterator:
    """An app on ``url`` whose evidence folder and badge key live in ``folder``."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "LMS_BASE_URL": "http://localhost",
            "MAIL_SERVER": "",
            "LMS_DEMO_TRAINEES": 6,
            "LMS_EVIDENCE_DIR": str(folder / "evidence"),
            "LMS_BADGE_KEY_FILE": str(folder / "badge_key.pem"),
        }
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def areas(app) -> FileAreas:
    return FileAreas.from_config(app.config)


def schema_at_head() -> None:
    """The models' schema, stamped at head (what ``lms db upgrade`` builds, faster)."""
    db.create_all()
    stamp(directory=MIGRATIONS, revision="head")


def table_digests(engine: sa.Engine) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows in key order, read through the models
    (JSON columns with their SQL NULL flag, so a JSON null is not taken for a NULL)."""
    digests = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = list(table.columns)
            flags = [c.is_(None) for c in columns if isinstance(c.type, sa.JSON)]
            keys = [columns.index(c) for c in table.primary_key.columns]
            rows = sorted(
                conn.execute(sa.select(*columns, *flags)).all(),
                key=lambda row: tuple(row[i] for i in keys),
            )
            text = json.dumps([list(r) for r in rows], sort_keys=True, default=str)
            digests[table.name] = (len(rows), hashlib.sha256(text.encode()).hexdigest())
    return digests


def folder_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def source(database_url, tmp_path_factory):
    """The demo, one uploaded evidence file and the badge key, backed up once."""
    from lms.accounts.models import Role, User, UserRole
    from lms.badges.keys import private_key
    from lms.demo import load_demo
    from lms.frameworks.models import Competency
    from lms.progress.services.evidence_files import EvidenceStore, store_evidence_file

    folder = tmp_path_factory.mktemp("source")
    with fresh_database(database_url, folder) as url, running(url, folder) as app:
        schema_at_head()
        load_demo(db.session)
        trainee = db.session.scalar(
            sa.select(User).join(UserRole).where(UserRole.role == Role.TRAINEE).limit(1)
        )
        store_evidence_file(
            db.session,
            store=EvidenceStore.from_config(app.config),
            trainee_id=trainee.id,
            competency=db.session.scalar(sa.select(Competency).limit(1)),
            uploaded_by=trainee,
            filename="diploma.pdf",
            stream=io.BytesIO(PDF),
        )
        # A JSON null and an SQL NULL in JSON columns, which must not become one another.
        audit = db.metadata.tables["audit_entries"]
        db.session.execute(
            audit.insert(),
            [
                {"action": "backup.test", "entity_type": "x", "before": sa.null(), "after": None},
                {"action": "backup.test", "entity_type": "x", "before": None, "after": sa.null()},
            ],
        )
        db.session.commit()
        private_key(app.config["LMS_BADGE_KEY_FILE"])
        archive = folder / "backup.zip"
        manifest = backup_database(db.engine, archive, areas(app))
        yield {
            "url": url,
            "archive": archive,
            "manifest": manifest,
            "digests": table_digests(db.engine),
            "evidence": folder_files(folder / "evidence"),
            "key": (folder / "badge_key.pem").read_bytes(),
        }


def test_the_archive_lists_every_table_and_file(source):
    manifest = source["manifest"]
    assert manifest["format"] == "capacity-lms-backup" and manifest["format_version"] == 1
    assert manifest["alembic_revision"] == HEAD and manifest["source_dialect"] == BACKEND
    assert set(manifest["tables"]) == set(db.metadata.tables)
    for name, (count, _digest) in source["digests"].items():
        assert manifest["tables"][name]["rows"] == count, name
    assert sum(count for count, _ in source["digests"].values()) > 1000
    assert set(manifest["files"]) == {
        *(f"evidence/{n}" for n in source["evidence"]),
        "badge_key.pem",
    }
    with zipfile.ZipFile(source["archive"]) as zf:
        stored = next(iter(source["evidence"]))
        assert zf.read(f"files/evidence/{stored}") == PDF


def test_round_trip_into_an_empty_database_keeps_every_row_and_file(source, database_url, tmp_path):
    with fresh_database(database_url, tmp_path) as url, running(url, tmp_path) as app:
        summary = restore_database(db.engine, source["archive"], areas(app))
        assert summary.revision == HEAD and summary.files == len(source["manifest"]["files"])
        assert table_digests(db.engine) == source["digests"]
        assert folder_files(tmp_path / "evidence") == source["evidence"]
        assert (tmp_path / "badge_key.pem").read_bytes() == source["key"]
        with db.engine.connect() as conn:
            assert current_revision(conn) == HEAD
        # The ids go on after the restored ones (PostgreSQL's sequences were moved).
        from lms.accounts.models import MemberAdministration, Region

        db.session.add(MemberAdministration(name="New", country_code="QQ", region=Region.ESA))
        db.session.commit()
        # The same data gives the same checksums, whatever wrote it.
        again = backup_database(db.engine, tmp_path / "again.zip", areas(app))
        assert (
            again["tables"]["member_administrations"]
            != (source["manifest"]["tables"]["member_administrations"])
        )
        again["tables"].pop("member_administrations")
        for name, entry in again["tables"].items():
            assert entry == source["manifest"]["tables"][name], name


def test_restore_refuses_a_database_holding_data_unless_forced(source, database_url, tmp_path):
    with fresh_database(database_url, tmp_path) as url, running(url, tmp_path) as app:
        schema_at_head()
        from lms.accounts.models import MemberAdministration, Region

        db.session.add(MemberAdministration(name="Real", country_code="RL", region=Region.ESA))
        db.session.commit()
        stray = tmp_path / "evidence" / ("f" * 32)
        stray.parent.mkdir()
        stray.write_bytes(b"an older file")
        before = table_digests(db.engine)
        runner = app.test_cli_runner()

        result = runner.invoke(args=["restore", str(source["archive"])])
        assert result.exit_code != 0
        assert "already holds data (member_administrations" in result.output
        assert "--force" in result.output
        assert table_digests(db.engine) == before and stray.exists()

        result = runner.invoke(args=["restore", "--force", str(source["archive"])])
        assert result.exit_code == 0, result.output
        assert table_digests(db.engine) == source["digests"]
        assert folder_files(tmp_path / "evidence") == source["evidence"]


@pytest.mark.skipif(BACKEND != "postgresql", reason="moves data from PostgreSQL to SQLite")
def test_postgresql_to_a_sqlite_file_and_back(source, database_url, tmp_path):
    sqlite_dir, back_dir = tmp_path / "sqlite", tmp_path / "back"
    with (
        fresh_database(database_url, sqlite_dir.parent, "sqlite") as url,
        running(url, sqlite_dir) as app,
    ):
        restore_database(db.engine, source["archive"], areas(app))
        from_sqlite = backup_database(db.engine, tmp_path / "sqlite.zip", areas(app))
    assert from_sqlite["source_dialect"] == "sqlite"
    assert from_sqlite["tables"] == source["manifest"]["tables"]
    with fresh_database(database_url, back_dir) as url, running(url, back_dir) as app:
        schema_at_head()
        restore_database(db.engine, tmp_path / "sqlite.zip", areas(app))
        assert table_digests(db.engine) == source["digests"]
        assert folder_files(back_dir / "evidence") == source["evidence"]


def test_an_older_archive_is_upgraded_through_the_migrations(database_url, tmp_path):
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    with fresh_database(database_url, tmp_path) as url, running(url, old_dir) as app:
        upgrade(directory=MIGRATIONS, revision=OLDER)
        with db.engine.begin() as conn:
            assert "webhook_subscriptions" not in sa.inspect(conn).get_table_names()
            members = sa.Table("member_administrations", sa.MetaData(), autoload_with=conn)
            conn.execute(
                members.insert(),
                [
                    {"name": f"Old administration {n}", "country_code": code, "region": "ESA"}
                    | {"focal_point_name": "", "focal_point_email": "", "is_active": True}
                    | {"is_demo": False, "created_at": datetime(2025, 5, 1, 9, 30, tzinfo=UTC)}
                    for n, code in enumerate(["OA", "OB", "OC"])
                ],
            )
        old = backup_database(db.engine, tmp_path / "old.zip", areas(app))
    assert old["alembic_revision"] == OLDER
    with fresh_database(database_url, tmp_path) as url, running(url, new_dir) as app:
        schema_at_head()
        summary = restore_database(db.engine, tmp_path / "old.zip", areas(app))
        assert (summary.archive_revision, summary.revision) == (OLDER, HEAD)
        from lms.accounts.models import MemberAdministration

        names = db.session.scalars(
            sa.select(MemberAdministration.name).order_by(MemberAdministration.id)
        ).all()
        assert names == [f"Old administration {n}" for n in range(3)]
        with db.engine.connect() as conn:
            assert current_revision(conn) == HEAD
            assert "webhook_subscriptions" in sa.inspect(conn).get_table_names()


def _rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with ``change(name, bytes)`` applied (None drops the member)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(target, "w") as out:
        for name in src.namelist():
            content = change(name, src.read(name))
            if content is not None:
                out.writestr(name, content)
    return target


def _manifest_edit(edit):
    def change(name, content):
        if name != "manifest.json":
            return content
        manifest = json.loads(content)
        edit(manifest)
        return json.dumps(manifest)

    return change


def _tamper_users(name, content):
    return (
        content.replace(b"example.org", b"example.net") if name == "tables/users.jsonl" else content
    )


def _duplicate_row(manifest_entry):
    """Repeat a table's first row and fix its checksum: the archive reads back fine, and
    the load fails on the primary key, after other tables were loaded."""

    def change(name, content):
        if name == "tables/users.jsonl":
            first = content.split(b"\n", 1)[0] + b"\n"
            return content + first
        if name == "manifest.json":
            manifest = json.loads(content)
            manifest["tables"]["users"].update(manifest_entry)
            return json.dumps(manifest)
        return content

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_tamper_users, "tables/users.jsonl does not match its checksum"),
        (
            lambda n, c: None if n == "tables/courses.jsonl" else c,
            "tables/courses.jsonl is missing",
        ),
        (
            _manifest_edit(lambda m: m.update(alembic_revision="0099_from_the_future")),
            "revision 0099_from_the_future, which this version of the application does not know",
        ),
        (
            _manifest_edit(
                lambda m: m["files"].update({"../../etc/evil": m["files"]["badge_key.pem"]})
            ),
            "names a file outside its folders",
        ),
        (lambda n, c: None if n == "manifest.json" else c, "it has no manifest.json"),
        ("duplicate", "rolled back, nothing changed"),
    ],
    ids=["checksum", "missing-table", "newer", "path", "no-manifest", "failing-load"],
)
def test_a_bad_archive_is_refused_and_changes_nothing(
    source, database_url, tmp_path, change, message
):
    if change == "duplicate":
        with zipfile.ZipFile(source["archive"]) as zf:
            users = zf.read("tables/users.jsonl")
        first = users.split(b"\n", 1)[0] + b"\n"
        change = _duplicate_row(
            {
                "rows": source["manifest"]["tables"]["users"]["rows"] + 1,
                "sha256": hashlib.sha256(users + first).hexdigest(),
            }
        )
    bad = _rewritten(source["archive"], tmp_path / "bad.zip", change)
    with fresh_database(database_url, tmp_path) as url, running(url, tmp_path) as app:
        # Into a database with no schema: a failure must not leave tables behind either.
        with pytest.raises(BackupError, match=message.replace("(", r"\(")):
            restore_database(db.engine, bad, areas(app), force=True)
        assert sa.inspect(db.engine).get_table_names() == []
        assert not (tmp_path / "evidence").exists()
        assert not (tmp_path / "badge_key.pem").exists()
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_parents_come_before_the_rows_that_point_at_them():
    rows = [
        {"id": 1, "parent_id": 3},
        {"id": 2, "parent_id": None},
        {"id": 3, "parent_id": 2},
        {"id": 4, "parent_id": 1},
        {"id": 5, "parent_id": 6},  # a loop keeps its place, and ends
        {"id": 6, "parent_id": 5},
    ]
    ordered = [r["id"] for r in parents_first(rows, [(["parent_id"], ["id"])])]
    assert ordered == [2, 3, 1, 4, 6, 5]
    assert parents_first(rows, []) is rows

"""The benchmark's PostgreSQL database: created, migrated and loaded when the default one is
used (``lms generate --size L`` when that command exists, else ``lms demo`` with many
trainees), described by its row counts. What loaded it is kept as the database's comment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/lms_bench"
GENERATE_SIZE = "L"


@dataclass(frozen=True)
class Loaded:
    source: str
    seconds: float | None  # None: the data was there already


def engine_for(url: str) -> sa.Engine:
    from lms.config import normalise_database_url

    return sa.create_engine(normalise_database_url(url))


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _lms(args: list[str], env: dict[str, str]) -> None:
    lms = Path(sys.executable).with_name("lms")
    print(f"bench: lms {' '.join(args)}", flush=True)
    subprocess.run([str(lms), *args], cwd=ROOT, env={**os.environ, **env}, check=True)


def has_generate() -> bool:
    lms = Path(sys.executable).with_name("lms")
    done = subprocess.run(
        [str(lms), "generate", "--help"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "bench-probe"},
        capture_output=True,
    )
    return done.returncode == 0


def create_if_missing(url: str) -> bool:
    name = make_url(url).database
    admin = engine_for(str(make_url(url).set(database="postgres")))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return not exists


def drop(url: str) -> None:
    name = make_url(url).database
    admin = engine_for(str(make_url(url).set(database="postgres")))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def user_count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("users"):
            return 0
        return connection.execute(sa.text("SELECT count(*) FROM users")).scalar() or 0


def comment(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            )
        ).scalar()


def set_comment(engine: sa.Engine, text: str) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        name = connection.execute(sa.text("SELECT current_database()")).scalar()
        quoted = text.replace("'", "''")
        connection.execute(sa.text(f"COMMENT ON DATABASE \"{name}\" IS '{quoted}'"))


def prepare(url: str, *, fresh: bool, demo_trainees: int, env: dict[str, str]) -> Loaded:
    """The default database: create, migrate, load when empty (or when ``fresh``)."""
    if fresh:
        drop(url)
    create_if_missing(url)
    env = {**env, "DATABASE_URL": url}
    _lms(["db", "upgrade"], env)
    engine = engine_for(url)
    try:
        if user_count(engine):
            return Loaded(comment(engine) or "data loaded earlier", None)
        started = time.perf_counter()
        if has_generate():
            _lms(["generate", "--size", GENERATE_SIZE], env)
            source = f"`lms generate --size {GENERATE_SIZE}`"
        else:
            _lms(["demo"], {**env, "LMS_DEMO_TRAINEES": str(demo_trainees)})
            source = (
                f"`lms demo` with LMS_DEMO_TRAINEES={demo_trainees} "
                "(no `lms generate` on this branch)"
            )
        seconds = time.perf_counter() - started
        set_comment(engine, f"{source}, loaded in {seconds:.0f} s")
        return Loaded(source, seconds)
    finally:
        engine.dispose()


def describe(engine: sa.Engine) -> dict:
    """Row counts of every table, the schema revision and the server's version."""
    with engine.connect() as connection:
        tables = sorted(sa.inspect(connection).get_table_names())
        counts = {
            t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables
        }
        version = connection.execute(sa.text("SHOW server_version")).scalar()
        revision = (
            connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            if "alembic_version" in tables
            else None
        )
    return {"row_counts": counts, "postgresql": f"PostgreSQL {version}", "revision": revision}

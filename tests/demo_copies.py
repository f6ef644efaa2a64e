"""The demo data loaded once per test worker, and a fresh copy of it for each test that asks
for it (``@pytest.mark.demo``).

Loading the demo takes ~20 s; copying a database holding it takes well under a second:
SQLite copies the file through its backup API, PostgreSQL makes the database from the loaded
one as a template (``CREATE DATABASE ... TEMPLATE``). Each test gets its own copy, dropped
after it, so what one test writes never reaches another. The demo depends on the
configuration (``LMS_TODAY``, ``LMS_DEMO_TRAINEES``, ...) and on the day, so one template is
kept per configuration and day.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from lms import create_app
from lms.core.extensions import db
from lms.demo import load_demo


class DemoTemplates:
    def __init__(self, database_url: str, directory: Path) -> None:
        self.base = sa.engine.make_url(database_url)
        self.directory = directory
        self.templates: dict[str, tuple[str, str]] = {}  # key: (template url, load summary)
        self.copies = 0
        self._admin: sa.Engine | None = None

    @property
    def postgresql(self) -> bool:
        return self.base.get_backend_name() == "postgresql"

    def copy(self, config: dict) -> tuple[str, str]:
        """A new database holding the demo loaded with ``config``: (its URL, what the load
        said)."""
        key = _key(config)
        if key not in self.templates:
            self.templates[key] = self._build(config, f"demo{len(self.templates)}")
        template, summary = self.templates[key]
        self.copies += 1
        target = self._url(f"demo_copy{self.copies}")
        if self.postgresql:
            source = sa.engine.make_url(template).database
            self._execute(f'DROP DATABASE IF EXISTS "{_database(target)}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{_database(target)}" TEMPLATE "{source}"')
        else:
            src, dst = sqlite3.connect(_database(template)), sqlite3.connect(_database(target))
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
        return target, summary

    def copy_summary(self, config: dict) -> str:
        """What the demo's load said, for a configuration already copied."""
        return self.templates[_key(config)][1]

    def drop(self, url: str) -> None:
        if self.postgresql:
            self._execute(f'DROP DATABASE IF EXISTS "{_database(url)}" WITH (FORCE)')
            return
        for suffix in ("", "-wal", "-shm"):
            Path(_database(url) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        for template, _summary in self.templates.values():
            self.drop(template)
        self.templates.clear()
        if self._admin is not None:
            self._admin.dispose()

    def _build(self, config: dict, name: str) -> tuple[str, str]:
        url = self._url(name)
        if self.postgresql:
            self._execute(f'DROP DATABASE IF EXISTS "{_database(url)}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{_database(url)}"')
        else:
            self.drop(url)
        app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            summary = load_demo(db.session)
            db.session.commit()
            db.session.remove()
            # No connection may stay open on a PostgreSQL template while it is copied.
            db.engine.dispose()
        return url, summary

    def _url(self, name: str) -> str:
        if self.postgresql:
            url = self.base.set(database=f"{self.base.database}_{name}")
            return url.render_as_string(hide_password=False)
        return f"sqlite:///{self.directory / f'{name}.sqlite3'}"

    def _execute(self, statement: str) -> None:
        if self._admin is None:
            self._admin = sa.create_engine(
                self.base, isolation_level="AUTOCOMMIT", poolclass=NullPool
            )
        with self._admin.connect() as conn:
            conn.execute(sa.text(statement))


def _database(url: str) -> str:
    return sa.engine.make_url(url).database or ""


# Settings the demo's load never reads: where the data is stored, and whether report runs
# execute inline (the demo makes report schedules, not runs).
_NOT_READ_BY_THE_DEMO = {"SQLALCHEMY_DATABASE_URI", "REPORTS_RUN_INLINE"}


def _key(config: dict) -> str:
    """What the demo's content depends on: the rest of the configuration, and the day it is
    loaded on."""
    settings = sorted((k, repr(v)) for k, v in config.items() if k not in _NOT_READ_BY_THE_DEMO)
    return f"{date.today().isoformat()} {settings!r}"

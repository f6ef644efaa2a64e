"""``lms backup``: the whole database and the files kept beside it in one portable archive.

The archive is a ZIP file:

- ``manifest.json``: the format and its version, the application's version, the Alembic
  revision the data was read at, when (UTC) and from which database engine, and for each
  table its columns, its row count and the SHA-256 of its data file; for each file kept
  beside the database, its size and SHA-256.
- ``tables/<table>.jsonl``: one JSON array per row, the values in the manifest's column
  order, rows in primary-key order (byte order for text keys on every engine). Values are
  portable: timestamps ISO 8601 in UTC with their offset, dates and times ISO 8601,
  decimals as strings at the column's scale, bytes in base64, UUIDs in their 8-4-4-4-12
  form, enums as their stored values, and JSON columns as ``null`` for SQL NULL or a
  one-element array holding the JSON value (so a JSON ``null`` is kept apart from SQL NULL).
- ``files/<area>/...``: the uploaded evidence files, and the badge issuer's signing key.

The same data gives the same bytes on SQLite and PostgreSQL, so a table's checksum is the
same whichever engine it was read from. The schema comes from the models when the database
is at the code's head revision, otherwise from the database itself (an older revision), with
each column's type taken from the models whenever the column still exists there.

Core imports no feature: the tables are the metadata's after ``lms.features.wire()``, the
file areas are configuration keys.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

FORMAT = "capacity-lms-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"
BATCH = 1000
# What lives beside the database, by configuration key: folders whose every file is kept,
# and single files. Only the folders count as data when restore checks the target is empty.
FOLDER_AREAS = {"evidence": "LMS_EVIDENCE_DIR"}
FILE_AREAS = {"badge_key.pem": "LMS_BADGE_KEY_FILE"}


class BackupError(Exception):
    """The archive cannot be written or read back; ``message`` says why, for the console."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FileAreas:
    """Where the files kept beside the database are on this machine."""

    folders: Mapping[str, Path]
    files: Mapping[str, Path]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FileAreas:
        return cls(
            {name: Path(config[key]) for name, key in FOLDER_AREAS.items() if config.get(key)},
            {name: Path(config[key]) for name, key in FILE_AREAS.items() if config.get(key)},
        )

    def walk(self) -> Iterator[tuple[str, Path]]:
        """(name in the archive, path on disk) of every file there is, in a stable order."""
        for area, folder in sorted(self.folders.items()):
            if folder.is_dir():
                for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                    yield f"{area}/{path.relative_to(folder).as_posix()}", path
        for name, path in sorted(self.files.items()):
            if path.is_file():
                yield name, path

    def folders_holding_files(self) -> list[str]:
        return [
            area
            for area, folder in sorted(self.folders.items())
            if folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))
        ]


# --- the schema -------------------------------------------------------------------------


def migration_heads() -> tuple[list[str], str]:
    """The code's revisions, oldest first, and its head (Flask-Migrate's directory)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    head = script.get_current_head()
    revisions = [r.revision for r in script.walk_revisions("base", "heads")]
    return list(reversed(revisions)), head


def current_revision(connection: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def tables_at(connection: Connection, revision: str, head: str) -> list[sa.Table]:
    """The data tables in dependency order: the models' at the head revision, else the
    database's own, typed from the models for every column that still exists there."""
    from lms.core.extensions import db

    if revision == head:
        return list(db.metadata.sorted_tables)
    reflected = sa.MetaData()
    reflected.reflect(bind=connection)
    for table in reflected.tables.values():
        model = db.metadata.tables.get(table.name)
        for column in table.columns:
            if model is not None and column.name in model.c:
                column.type = model.c[column.name].type
    return [t for t in reflected.sorted_tables if t.name != VERSION_TABLE]


def ordered_by_key(table: sa.Table, dialect: str) -> list[Any]:
    """ORDER BY the primary key (every column when there is none), text in byte order."""
    columns = list(table.primary_key.columns) or list(table.columns)
    order = []
    for column in columns:
        text = isinstance(_base_type(column.type), sa.String)
        order.append(column.collate("C") if text and dialect == "postgresql" else column)
    return order


@contextmanager
def snapshot(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """One transaction over the whole database: a consistent read for a backup, an
    all-or-nothing write for a restore. SQLite gets an explicit BEGIN (the driver would
    leave DDL outside the transaction) and its foreign keys off while writing, since rows
    arrive before the rows they point at; ``restore`` checks them all before committing."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            if write:
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
        else:
            if not write:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            connection.begin()
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        else:
            connection.commit()
        finally:
            if write and engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


# --- portable values --------------------------------------------------------------------


def _base_type(type_: sa.types.TypeEngine) -> sa.types.TypeEngine:
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def _is_json(column: sa.Column) -> bool:
    return isinstance(_base_type(column.type), sa.JSON)


def portable(value: Any) -> Any:
    """A value read from the database as JSON that reads the same from every engine."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return value
    raise BackupError(f"cannot write a value of type {type(value).__name__} to the archive")


def encoder(column: sa.Column) -> Callable[[Any, bool], Any]:
    """(value, is SQL NULL) → portable value, for one column."""
    base = _base_type(column.type)
    if isinstance(base, sa.JSON):
        return lambda value, is_null: None if is_null else [value]
    scale = getattr(base, "scale", None)
    if isinstance(base, sa.Numeric) and not isinstance(base, sa.Float) and scale is not None:
        quantum = Decimal(1).scaleb(-scale)

        def numeric(value: Any, _is_null: bool) -> Any:
            return None if value is None else format(Decimal(value).quantize(quantum), "f")

        return numeric
    return lambda value, _is_null: portable(value)


def decoder(column: sa.Column) -> Callable[[Any], Any]:
    """Portable value → what the column's type binds."""
    base = _base_type(column.type)
    if isinstance(base, sa.JSON):
        return lambda value: sa.null() if value is None else value[0]
    parse: Callable[[Any], Any] | None = None
    if isinstance(base, sa.DateTime):
        parse = datetime.fromisoformat
    elif isinstance(base, sa.Date):
        parse = date.fromisoformat
    elif isinstance(base, sa.Time):
        parse = time.fromisoformat
    elif isinstance(base, sa.Float):
        parse = float
    elif isinstance(base, sa.Numeric):
        parse = Decimal
    elif isinstance(base, sa.LargeBinary):
        parse = base64.b64decode
    elif isinstance(base, sa.Uuid) and base.as_uuid:
        parse = uuid.UUID
    if parse is None:
        return lambda value: value
    return lambda value: None if value is None else parse(value)


def row_line(values: list[Any]) -> bytes:
    return (
        json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    ).encode("utf-8")


def table_lines(connection: Connection, table: sa.Table) -> Iterator[bytes]:
    """The table's rows as archive lines, in key order, read in batches."""
    columns = list(table.columns)
    encoders = [encoder(c) for c in columns]
    nulls = [c.is_(None).label(f"null_{i}") for i, c in enumerate(columns) if _is_json(c)]
    json_at = {i for i, c in enumerate(columns) if _is_json(c)}
    query = sa.select(*columns, *nulls).order_by(*ordered_by_key(table, connection.dialect.name))
    result = connection.execution_options(yield_per=BATCH).execute(query)
    width = len(columns)
    for row in result:
        flags = iter(row[width:])
        yield row_line(
            [
                encode(row[i], bool(next(flags)) if i in json_at else row[i] is None)
                for i, encode in enumerate(encoders)
            ]
        )


# --- writing ----------------------------------------------------------------------------


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("capacity-lms")
    except PackageNotFoundError:
        return "unknown"


def _zip_time() -> tuple[int, int, int, int, int, int]:
    return datetime.now(UTC).timetuple()[:6]


def backup_database(engine: Engine, target: Path, areas: FileAreas) -> dict[str, Any]:
    """Write the archive of the database and its files to ``target`` (replaced only once
    the whole archive is written); returns its manifest."""
    revisions, head = migration_heads()
    partial = target.with_name(f".{target.name}.partial")
    try:
        with snapshot(engine, write=False) as connection:
            revision = current_revision(connection)
            if revision is None:
                raise BackupError(
                    "The database has no migration revision: create or upgrade it with "
                    "`lms db upgrade` first."
                )
            if revision not in revisions:
                raise BackupError(
                    f"The database is at revision {revision}, which this version of the "
                    "application does not know: back it up with the version that made it."
                )
            manifest = _write_archive(connection, partial, revision, head, areas)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _write_archive(
    connection: Connection, path: Path, revision: str, head: str, areas: FileAreas
) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    files: dict[str, Any] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for table in tables_at(connection, revision, head):
            digest, rows = hashlib.sha256(), 0
            member = zipfile.ZipInfo(f"tables/{table.name}.jsonl", _zip_time())
            member.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(member, "w", force_zip64=True) as out:
                for line in table_lines(connection, table):
                    digest.update(line)
                    out.write(line)
                    rows += 1
            tables[table.name] = {
                "columns": [c.name for c in table.columns],
                "rows": rows,
                "sha256": digest.hexdigest(),
            }
        for name, source in areas.walk():
            content = source.read_bytes()
            zf.writestr(f"files/{name}", content)
            files[name] = {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": _app_version(),
            "alembic_revision": revision,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source_dialect": connection.dialect.name,
            "tables": tables,
            "files": files,
        }
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


# --- reading ----------------------------------------------------------------------------


def safe_file_name(name: str) -> PurePosixPath:
    """A file's name in the archive, refused if it could land outside its area."""
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise BackupError(f"The archive names a file outside its folders: {name!r}.")
    return path


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError as error:
        raise BackupError("This is not a Capacity LMS backup: it has no manifest.json.") from error
    except ValueError as error:
        raise BackupError(f"The archive's manifest.json is not valid JSON: {error}.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a Capacity LMS backup (its manifest names no such format).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"The archive is in format version {version}; this version of the application "
            f"reads up to {FORMAT_VERSION}: restore it with a newer version."
        )
    return manifest


def verify_archive(zf: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest, once every table file and file it lists is present and matches its
    checksum and row count (before anything is written to the database)."""
    manifest = read_manifest(zf)
    names = set(zf.namelist())
    for table, entry in sorted(manifest.get("tables", {}).items()):
        member = f"tables/{table}.jsonl"
        if member not in names:
            raise BackupError(f"The archive is incomplete: {member} is missing.")
        digest, rows = hashlib.sha256(), 0
        with zf.open(member) as lines:
            for line in lines:
                digest.update(line)
                rows += 1
        if digest.hexdigest() != entry.get("sha256") or rows != entry.get("rows"):
            raise BackupError(
                f"The archive is damaged: {member} does not match its checksum "
                f"({rows} rows read, {entry.get('rows')} expected)."
            )
    for name, entry in sorted(manifest.get("files", {}).items()):
        safe_file_name(name)
        member = f"files/{name}"
        if member not in names:
            raise BackupError(f"The archive is incomplete: {member} is missing.")
        if hashlib.sha256(zf.read(member)).hexdigest() != entry.get("sha256"):
            raise BackupError(f"The archive is damaged: {member} does not match its checksum.")
    return manifest


def archive_rows(zf: zipfile.ZipFile, table: str) -> Iterator[list[Any]]:
    with zf.open(f"tables/{table}.jsonl") as lines:
        for line in lines:
            yield json.loads(line)

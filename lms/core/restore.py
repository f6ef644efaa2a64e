"""``lms restore``: load an archive written by ``lms backup`` (``lms.core.backup``), on either
database engine, into a database that is empty (or emptied, with ``force``).

Everything happens in one transaction, schema steps included, so a failure leaves the
target as it was: the archive is checked first (checksums, row counts, file names), then
the target's tables are emptied, its schema is brought to the archive's revision (an
older archive: down from head on the emptied tables, or up from nothing), the rows are
inserted in dependency order (parents first within a table that points at itself), the
schema is upgraded to the code's head through the migrations, PostgreSQL's sequences are
moved past the restored ids, and SQLite's foreign keys are checked. The files are written
beside their folders first and moved into place only once the transaction has committed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lms.core.backup import (
    BATCH,
    VERSION_TABLE,
    BackupError,
    FileAreas,
    archive_rows,
    current_revision,
    decoder,
    migration_heads,
    safe_file_name,
    snapshot,
    tables_at,
    verify_archive,
)


@dataclass
class RestoreSummary:
    archive_revision: str
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0


def restore_database(
    engine: Engine, source: Path, areas: FileAreas, *, force: bool = False
) -> RestoreSummary:
    """Replace the database's data and files with the archive's (see the module's doc)."""
    revisions, head = migration_heads()
    try:
        zf = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"Cannot read {source}: {error}.") from error
    with zf:
        manifest = verify_archive(zf)
        revision = manifest.get("alembic_revision")
        if revision not in revisions:
            raise BackupError(
                f"The archive was made at revision {revision}, which this version of the "
                f"application does not know (its newest is {head}): restore it with the "
                "version that made it, or a newer one."
            )
        staged = StagedFiles(areas)
        try:
            staged.stage(zf, manifest)
            with snapshot(engine, write=True) as connection:
                _check_target(connection, revisions, areas, force)
                summary = _restore(connection, zf, manifest, revisions, head)
        except BaseException as error:
            staged.discard()
            if isinstance(error, sa.exc.DBAPIError):
                raise BackupError(
                    f"The restore failed and was rolled back, nothing changed: {error.orig}"
                ) from error
            raise
        summary.files = staged.install()
    return summary


def _restore(
    connection: Connection,
    zf: zipfile.ZipFile,
    manifest: dict[str, Any],
    revisions: list[str],
    head: str,
) -> RestoreSummary:
    revision = manifest["alembic_revision"]
    current = current_revision(connection)
    _empty_tables(connection)
    migrate(connection, current, revision, revisions)
    tables = tables_at(connection, revision, head)
    _check_columns(tables, manifest)
    rows = load_rows(connection, zf, tables, manifest)
    migrate(connection, revision, head, revisions)
    _finish(connection, tables_at(connection, head, head))
    return RestoreSummary(archive_revision=revision, revision=head, rows=rows)


# --- the target -------------------------------------------------------------------------


def _data_tables(connection: Connection) -> list[str]:
    return sorted(set(sa.inspect(connection).get_table_names()) - {VERSION_TABLE})


def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _check_target(
    connection: Connection, revisions: list[str], areas: FileAreas, force: bool
) -> None:
    current = current_revision(connection)
    names = _data_tables(connection)
    if current is None and names:
        raise BackupError(
            "The database has tables but no migration revision (no alembic_version): "
            "restore into an empty database, or one made with `lms db upgrade`."
        )
    if current is not None and current not in revisions:
        raise BackupError(
            f"The database is at revision {current}, which this version of the application "
            "does not know: restore with the version that made it."
        )
    if force:
        return
    held = [name for name in names if _holds_rows(connection, name)]
    folders = areas.folders_holding_files()
    if held or folders:
        what = ", ".join([*held[:5], *(f"files in {area}/" for area in folders)])
        more = f" and {len(held) - 5} more tables" if len(held) > 5 else ""
        raise BackupError(
            f"The database already holds data ({what}{more}). A restore replaces all of it: "
            "run it again with --force to do so."
        )


def _holds_rows(connection: Connection, name: str) -> bool:
    query = sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)
    return connection.execute(query).first() is not None


def _empty_tables(connection: Connection) -> None:
    names = _data_tables(connection)
    if not names:
        return
    if connection.dialect.name == "postgresql":
        listed = ", ".join(_quoted(connection, name) for name in names)
        connection.execute(sa.text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))
        return
    for name in names:  # SQLite: foreign keys are off for the restore (backup.snapshot)
        connection.execute(sa.delete(sa.table(name)))


def migrate(connection: Connection, start: str | None, end: str, revisions: list[str]) -> None:
    """Move the schema from ``start`` (None: no schema) to ``end`` inside the connection's
    transaction, through the migrations (down when ``end`` is older)."""
    from alembic import command
    from flask import current_app

    if start == end:
        return
    config = current_app.extensions["migrate"].migrate.get_config()
    config.attributes["connection"] = connection
    if start is None or revisions.index(start) < revisions.index(end):
        command.upgrade(config, end)
    else:
        command.downgrade(config, end)


def _check_columns(tables: list[sa.Table], manifest: dict[str, Any]) -> None:
    archived = manifest.get("tables", {})
    expected = {t.name for t in tables}
    if set(archived) != expected:
        missing = sorted(expected - set(archived))
        extra = sorted(set(archived) - expected)
        raise BackupError(
            f"The archive's tables do not match the schema at revision "
            f"{manifest['alembic_revision']} (missing: {', '.join(missing) or 'none'}; "
            f"unknown: {', '.join(extra) or 'none'})."
        )
    for table in tables:
        columns = archived[table.name].get("columns", [])
        if set(columns) != {c.name for c in table.columns}:
            raise BackupError(
                f"The archive's columns of {table.name} do not match the schema at revision "
                f"{manifest['alembic_revision']}."
            )


# --- the rows ---------------------------------------------------------------------------


def _self_links(table: sa.Table) -> list[tuple[list[str], list[str]]]:
    """(referring columns, referred columns) of each foreign key from the table to itself."""
    return [
        ([e.parent.name for e in fk.elements], [e.column.name for e in fk.elements])
        for fk in table.foreign_key_constraints
        if fk.referred_table is table
    ]


def _cycle_columns(tables: list[sa.Table]) -> dict[str, set[str]]:
    """Nullable columns of foreign keys that close a cycle between tables: inserted empty,
    filled in once every table is loaded (there are none in today's schema)."""
    deferred: dict[str, set[str]] = {}
    for table, constraints in sa.schema.sort_tables_and_constraints(tables):
        if table is not None:
            continue
        for fk in constraints:
            if all(column.nullable for column in fk.columns):
                deferred.setdefault(fk.table.name, set()).update(c.name for c in fk.columns)
    return deferred


def parents_first(rows: list[dict[str, Any]], links: list[tuple[list[str], list[str]]]):
    """The rows ordered so that each comes after the row of its table it points at (in
    their key order otherwise); rows in a loop keep their place."""
    if not links:
        return rows
    indexes = [
        {tuple(row[c] for c in referred): i for i, row in enumerate(rows)}
        for _referring, referred in links
    ]

    def parents(i: int) -> Iterable[int]:
        for (referring, _referred), index in zip(links, indexes, strict=True):
            key = tuple(rows[i][c] for c in referring)
            j = index.get(key) if None not in key else None
            if j is not None and j != i:
                yield j

    done: set[int] = set()
    ordered: list[dict[str, Any]] = []
    for start in range(len(rows)):
        stack, on_path = [start], {start}
        while stack:
            i = stack[-1]
            pending = [j for j in parents(i) if j not in done and j not in on_path]
            if pending:
                stack.append(pending[0])
                on_path.add(pending[0])
                continue
            stack.pop()
            on_path.discard(i)
            if i not in done:
                done.add(i)
                ordered.append(rows[i])
    return ordered


def load_rows(
    connection: Connection, zf: zipfile.ZipFile, tables: list[sa.Table], manifest: dict
) -> dict[str, int]:
    """Insert every archived row, table by table in dependency order, in batches."""
    deferred = _cycle_columns(tables)
    later: list[tuple[sa.Table, list[str], dict[str, Any]]] = []
    counts: dict[str, int] = {}
    for table in tables:
        names = manifest["tables"][table.name]["columns"]
        decoders = [decoder(table.c[name]) for name in names]
        rows = (
            {name: decode(value) for name, decode, value in zip(names, decoders, line, strict=True)}
            for line in archive_rows(zf, table.name)
        )
        links = _self_links(table)
        if links:
            rows = iter(parents_first(list(rows), links))
        keys = [c.name for c in table.primary_key.columns]
        hold = sorted(deferred.get(table.name, ()))
        counts[table.name] = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            if hold and any(row[name] is not None for name in hold):
                later.append((table, keys, {n: row[n] for n in [*keys, *hold]}))
                row = {**row, **dict.fromkeys(hold)}
            batch.append(row)
            if len(batch) >= BATCH:
                connection.execute(table.insert(), batch)
                counts[table.name] += len(batch)
                batch = []
        if batch:
            connection.execute(table.insert(), batch)
            counts[table.name] += len(batch)
    for table, keys, values in later:
        where = [table.c[k] == values[k] for k in keys]
        changes = {k: v for k, v in values.items() if k not in keys}
        connection.execute(table.update().where(*where).values(changes))
    return counts


def _finish(connection: Connection, tables: list[sa.Table]) -> None:
    if connection.dialect.name == "postgresql":
        for table in tables:
            keys = list(table.primary_key.columns)
            if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
                continue
            key = keys[0]
            connection.execute(
                sa.select(
                    sa.func.setval(
                        sa.func.pg_get_serial_sequence(_quoted(connection, table.name), key.name),
                        sa.func.coalesce(sa.func.max(key), 0) + 1,
                        False,
                    )
                ).select_from(table)
            )
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        sample = ", ".join(f"{row[0]} row {row[1]} → {row[2]}" for row in broken[:5])
        raise BackupError(
            f"The archive's rows break {len(broken)} foreign key(s) ({sample}): nothing "
            "was restored."
        )


# --- the files --------------------------------------------------------------------------


class StagedFiles:
    """The archive's files, written beside their folders until the database commits."""

    def __init__(self, areas: FileAreas) -> None:
        self.areas = areas
        self.token = secrets.token_hex(6)
        self.folders: dict[str, Path] = {}
        self.files: dict[str, Path] = {}
        self.count = 0

    def _folder(self, area: str) -> Path:
        if area not in self.folders:
            target = self.areas.folders[area]
            staging = target.parent / f".{target.name}.restore-{self.token}"
            staging.mkdir(parents=True, mode=0o700)
            self.folders[area] = staging
        return self.folders[area]

    def stage(self, zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
        for area in self.areas.folders:
            self._folder(area)  # the folder becomes the archive's, even when it has none
        for name in sorted(manifest.get("files", {})):
            relative = safe_file_name(name)
            area = relative.parts[0]
            if name in self.areas.files:
                target = self.areas.files[name]
                target.parent.mkdir(parents=True, exist_ok=True)
                path = target.with_name(f".{target.name}.restore-{self.token}")
                self.files[name] = path
            elif area in self.areas.folders and len(relative.parts) > 1:
                path = self._folder(area).joinpath(*relative.parts[1:])
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            else:
                raise BackupError(f"The archive holds a file of no known kind: {name!r}.")
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(zf.read(f"files/{name}"))
            self.count += 1

    def install(self) -> int:
        for area, staging in self.folders.items():
            target = self.areas.folders[area]
            old = target.with_name(f".{target.name}.old-{self.token}")
            if target.exists():
                target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        for name, staging in self.files.items():
            os.replace(staging, self.areas.files[name])
        return self.count

    def discard(self) -> None:
        for staging in self.folders.values():
            shutil.rmtree(staging, ignore_errors=True)
        for staging in self.files.values():
            staging.unlink(missing_ok=True)

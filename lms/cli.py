"""The ``lms`` console command: Flask's CLI with the app factory, plus project commands.

``lms db upgrade`` comes from Flask-Migrate; ``lms run`` is Flask's development server.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lms.core.extensions import db


def _create_app() -> Flask:
    from lms import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Capacity LMS management commands."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(generate)
    app.cli.add_command(outbox_group)
    app.cli.add_command(rebuild_summaries)
    app.cli.add_command(scheduler)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(file: Path) -> None:
    """Write the whole database and its files to FILE, a portable archive (README "Backup
    and restore")."""
    from lms.core.backup import BackupError, FileAreas, backup_database

    try:
        manifest = backup_database(db.engine, file, FileAreas.from_config(current_app.config))
    except BackupError as error:
        raise click.ClickException(error.message) from error
    rows = sum(table["rows"] for table in manifest["tables"].values())
    click.echo(
        f"Backed up {rows:,} rows in {len(manifest['tables'])} tables and "
        f"{len(manifest['files'])} file(s) at revision {manifest['alembic_revision']} to {file}."
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data the database already holds.")
@with_appcontext
def restore(file: Path, force: bool) -> None:
    """Load an archive written by `lms backup` into this database (empty, unless --force)."""
    from lms.core.backup import BackupError, FileAreas
    from lms.core.restore import restore_database

    areas = FileAreas.from_config(current_app.config)
    try:
        summary = restore_database(db.engine, file, areas, force=force)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    upgraded = (
        f", upgraded from {summary.archive_revision}"
        if summary.archive_revision != summary.revision
        else ""
    )
    click.echo(
        f"Restored {sum(summary.rows.values()):,} rows and {summary.files} file(s) from "
        f"{file} (schema at {summary.revision}{upgraded})."
    )


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.password_option(help="At least 12 characters, not a common password.")
@with_appcontext
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create an administrator account."""
    from lms.accounts.models import Role
    from lms.accounts.services import create_user
    from lms.core.errors import DomainError

    try:
        user = create_user(
            db.session,
            actor=None,
            email=email,
            full_name=full_name,
            roles=[Role.ADMIN],
            password=password,
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; else do nothing.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo dataset (refuses on a database that holds real data)."""
    from lms.core.errors import DomainError
    from lms.demo import database_is_empty, load_demo

    if if_empty and not database_is_empty(db.session):
        click.echo("The database already holds data; demo data not loaded.")
        return
    try:
        summary = load_demo(db.session)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(summary)


@click.command("generate")
@click.option(
    "--size",
    type=click.Choice(["XS", "S", "M", "L", "XL", "XXL"], case_sensitive=False),
    required=True,
    help="XS (tests) … XL (the programme: 10,000 users) … XXL (twice XL).",
)
@click.option("--seed", default=0, show_default=True, help="The same seed builds the same data.")
@with_appcontext
def generate(size: str, seed: int) -> None:
    """Fill an empty, migrated database with synthetic data of a given size."""
    import sys
    import time

    from lms.core.errors import DomainError
    from lms.generate import generate as build

    started = time.monotonic()
    try:
        counts = build(db.session, size, seed, progress=_progress_bar)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    click.echo("Committing…", err=True)
    db.session.commit()
    # A bulk load leaves the planner's statistics at "empty table" until autovacuum's next
    # pass: refresh them now, or the first queries plan nested loops over millions of rows.
    click.echo("Updating the planner's statistics…", err=True)
    with db.engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
        connection.commit()
    elapsed = time.monotonic() - started
    for table, count in sorted(counts.items()):
        click.echo(f"{table:36} {count:>10,}")
    click.echo(f"Size {size.upper()}: {sum(counts.values()):,} rows in {elapsed:.1f} s.")
    sys.stdout.flush()


def _progress_bar(label: str, total: int):
    """One bar per stage on stderr; the generator calls the bar's ``update(n)``."""
    import sys
    from contextlib import contextmanager

    @contextmanager
    def stage():
        with click.progressbar(length=max(1, total), label=f"{label:28}", file=sys.stderr) as bar:
            yield bar.update

    return stage()


@click.group("outbox")
def outbox_group() -> None:
    """The email outbox."""


@outbox_group.command("deliver")
@with_appcontext
def outbox_deliver() -> None:
    """Send every queued message whose time has come."""
    from lms.core.outbox import MailSettings, deliver_due

    sent = deliver_due(db.session, MailSettings.from_config(current_app.config))
    db.session.commit()
    click.echo(f"{sent} message(s) sent.")


@click.command("rebuild-summaries")
@with_appcontext
def rebuild_summaries() -> None:
    """Recompute every stored summary from scratch: the progress summary of each trainee and
    track, and each project's rating and progress for today (after a bulk load or an upgrade;
    the pages are right without it, only slower)."""
    from lms.progress.services import rebuild_track_summaries
    from lms.projects.services.summary import rebuild_project_summaries

    tracks = rebuild_track_summaries(db.session)
    projects = rebuild_project_summaries(db.session)
    db.session.commit()
    click.echo(f"{tracks} progress summaries rebuilt.")
    click.echo(f"{projects} project summary(ies) rebuilt.")


@click.command("scheduler")
@click.option("--poll-seconds", default=2.0, show_default=True, help="How often to look at jobs.")
@click.option(
    "--lease-seconds",
    default=30.0,
    show_default=True,
    help="SQLite lease lifetime: how long a standby waits after the leader dies.",
)
@click.option("--workers", default=4, show_default=True, help="Jobs that may run at once.")
@with_appcontext
def scheduler(poll_seconds: float, lease_seconds: float, workers: int) -> None:
    """Run scheduled jobs (one leader per database; extra processes wait as standby)."""
    import signal

    from lms.scheduler.runner import SchedulerRunner

    runner = SchedulerRunner(
        current_app._get_current_object(),
        poll_seconds=poll_seconds,
        lease_seconds=lease_seconds,
        workers=workers,
    )

    def stop(signum, frame):
        runner.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Scheduler {runner.runner_id} starting (stop with Ctrl-C or SIGTERM).")
    runner.run()

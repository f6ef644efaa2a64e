"""The projects' console command: ``lms rebuild-project-summaries``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.core.extensions import db


@click.command("rebuild-project-summaries")
@with_appcontext
def rebuild_project_summaries_command() -> None:
    """Recompute every project's stored rating and progress summary for today (after a bulk
    load or an upgrade; the pages stay right without it, only slower)."""
    from lms.projects.services.summary import rebuild_project_summaries

    count = rebuild_project_summaries(db.session)
    db.session.commit()
    click.echo(f"{count} project summary(ies) rebuilt.")

"""The stored status of each project (``ProjectSummary``): written here, read only by the read
model (``read_model.project_summaries``).

What is stored is the rules' own output — ``compute_rag``, ``milestones_done_share``,
``time_elapsed``, ``late_milestones`` and ``_indicator_reasons`` — for one day, so the
portfolio reads one row per project instead of loading every milestone, target and actual.

Keeping it right:

* **Changes.** Every service that changes what the rules read (the project's dates and
  status, a milestone, its date, an indicator, a target, an actual and its corrections) ends
  with ``refresh_project_summary`` in the same transaction: it only flushes, like every
  service.
* **Days passing.** The rating depends on today (a milestone falls late; "N days past its due
  date" and the time elapsed change every day), so each row records the day it was computed
  for (``computed_for``). A row for another day is *stale*: the read model never shows it,
  it computes those projects live (correct, only slower) and does not write — a page view
  writing rows would make concurrent readers queue on row locks and would need the view to
  commit. The nightly job ``projects.refresh_summaries`` (00:05 UTC) rewrites the stale rows
  in bulk, so from the first request of the day the pages read stored rows again; a
  scheduler that did not run costs speed, never a wrong rating.
* **Missing rows** (projects loaded in bulk by a generator, the migration that creates the
  table and leaves it empty) are treated as stale; ``lms rebuild-project-summaries`` or the
  next nightly run fills them.

The reasons' messages are stored in every configured language (the rules are run once per
language when a row is written), whoever's change triggered the refresh, and read back in the
reader's; a project computed live is rated in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from lms.core import clock
from lms.core.i18n import CONTENT_LANGUAGES, current_language, in_language
from lms.core.model_base import utcnow
from lms.projects.models import Indicator, Project, ProjectSummary, Rag
from lms.projects.services.loading import rag_ready_projects_query
from lms.projects.services.milestones import late_milestones
from lms.projects.services.rag import (
    RagAssessment,
    RagReason,
    _indicator_reasons,
    compute_rag,
    milestones_done_share,
    time_elapsed,
)

# Projects rated per query when rebuilding, so memory stays bounded at any portfolio size.
REBUILD_CHUNK = 100


@dataclass(frozen=True)
class StatusSummary:
    """A project's status on ``computed_for``: the rating (with the manager's override in
    force), the progress figures and how many assessed indicators are on or off track."""

    computed_for: date
    assessment: RagAssessment
    done_share: float | None
    elapsed_share: float
    late_milestones: int
    indicators_on_track: int
    indicators_off_track: int


def _default_locale() -> str:
    if has_app_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    return "en"


def _languages() -> list[str]:
    return list(current_app.config["LMS_LANGUAGES"] if has_app_context() else CONTENT_LANGUAGES)


def _indicator_findings(indicator: Indicator, today: date) -> list[RagReason]:
    """The rating's findings about one indicator: ``_indicator_reasons`` itself, given a
    project of that one indicator (it reads nothing else), so the counts cannot drift from
    the rating. An indicator with targets and no finding is on track."""
    return _indicator_reasons(SimpleNamespace(indicators=[indicator]), today)  # type: ignore[arg-type]


def summarise(project: Project, today: date, language: str | None = None) -> StatusSummary:
    """The rules' output for ``project`` on ``today``, its reasons in ``language`` (default:
    the reader's); ``project`` must have what ``compute_rag`` reads loaded
    (``rag_ready_projects_query``)."""
    with in_language(language or current_language()):
        assessment = compute_rag(project, today)
        assessed = [i for i in project.indicators if i.targets]
        off_track = sum(bool(_indicator_findings(i, today)) for i in assessed)
    return StatusSummary(
        computed_for=today,
        assessment=assessment,
        done_share=milestones_done_share(project),
        elapsed_share=time_elapsed(project, today),
        late_milestones=len(late_milestones(project, today)),
        indicators_on_track=len(assessed) - off_track,
        indicators_off_track=off_track,
    )


def _store(row: ProjectSummary, summary: StatusSummary, translations: dict[str, list[str]]) -> None:
    """``translations``: per other language, the reasons' messages in the same order."""
    row.computed_for = summary.computed_for
    row.computed_at = utcnow()
    row.rating = summary.assessment.computed
    row.reasons = [
        {
            "code": r.code,
            "rating": r.rating.value if r.rating else None,
            "message": r.message,
            "messages": {lang: messages[i] for lang, messages in translations.items()},
        }
        for i, r in enumerate(summary.assessment.reasons)
    ]
    row.done_share = summary.done_share
    row.elapsed_share = summary.elapsed_share
    row.late_milestones = summary.late_milestones
    row.indicators_on_track = summary.indicators_on_track
    row.indicators_off_track = summary.indicators_off_track


def stored_summary(row: ProjectSummary, project: Project) -> StatusSummary:
    """A stored row read back as the rules' output (the override in force from ``project``),
    the reasons in the reader's language (a row written before translations: as stored)."""
    language = current_language()
    reasons = [
        RagReason(
            r["code"],
            Rag(r["rating"]) if r["rating"] else None,
            r.get("messages", {}).get(language, r["message"]),
        )
        for r in row.reasons
    ]
    return StatusSummary(
        computed_for=row.computed_for,
        assessment=RagAssessment(row.rating, reasons, project.current_override),
        done_share=row.done_share,
        elapsed_share=row.elapsed_share,
        late_milestones=row.late_milestones,
        indicators_on_track=row.indicators_on_track,
        indicators_off_track=row.indicators_off_track,
    )


def _write(session: Session, projects: Iterable[Project], today: date) -> int:
    projects = list(projects)
    if not projects:
        return 0
    existing = {
        row.project_id: row
        for row in session.scalars(
            sa.select(ProjectSummary).where(ProjectSummary.project_id.in_([p.id for p in projects]))
        )
    }
    for project in projects:
        row = existing.get(project.id)
        if row is None:
            row = ProjectSummary(project_id=project.id)
            session.add(row)
        default = _default_locale()
        summary = summarise(project, today, default)
        translations = {}
        for language in _languages():
            if language != default:
                with in_language(language):
                    translated = compute_rag(project, today).reasons
                translations[language] = [r.message for r in translated]
        _store(row, summary, translations)
    session.flush()
    return len(projects)


def refresh_project_summary(
    session: Session, project: Project, today: date | None = None
) -> ProjectSummary:
    """Rewrite ``project``'s row after a change, in the caller's transaction (flush only).

    Pending changes are flushed first and the project is read back with everything the rules
    read, so a collection loaded before the change (an indicator added through its logframe
    element, a correction) cannot be missed."""
    session.flush()
    fresh = session.scalar(
        rag_ready_projects_query()
        .where(Project.id == project.id)
        .execution_options(populate_existing=True)
    )
    _write(session, [fresh], today or clock.today())
    return session.get(ProjectSummary, project.id)


def refresh_project_summaries(
    session: Session, today: date | None = None, *, stale_only: bool = False
) -> int:
    """Rewrite the rows of every project (or, ``stale_only``, of those whose row is missing or
    computed for another day), ``REBUILD_CHUNK`` projects per query; returns how many."""
    today = today or clock.today()
    ids = sa.select(Project.id).order_by(Project.id)
    if stale_only:
        fresh = sa.select(ProjectSummary.project_id).where(ProjectSummary.computed_for == today)
        ids = ids.where(Project.id.not_in(fresh))
    project_ids = list(session.scalars(ids))
    done = 0
    for start in range(0, len(project_ids), REBUILD_CHUNK):
        chunk = project_ids[start : start + REBUILD_CHUNK]
        projects = session.scalars(rag_ready_projects_query().where(Project.id.in_(chunk))).all()
        done += _write(session, projects, today)
    return done


def rebuild_project_summaries(session: Session) -> int:
    """Recompute every project's row for today (after a bulk load, or to repair); the caller
    commits. Returns the number of projects."""
    return refresh_project_summaries(session)

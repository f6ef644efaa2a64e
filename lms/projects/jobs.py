"""Project monitoring jobs: milestone reminders, overdue alerts, the managers' weekly digest,
and the nightly refresh of the stored project summaries."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import Role
from lms.core import clock, signals
from lms.core.i18n import N_, _
from lms.notifications.registry import notification_kind
from lms.projects import services
from lms.projects.models import Milestone, MilestoneStatus, Project, ProjectStatus
from lms.scheduler.registry import JobResult, scheduled_job
from lms.scheduler.services import send_reminder_once

MANAGERS = (Role.PROJECT_MANAGER, Role.ADMIN)
MILESTONE_DUE_KIND = notification_kind(
    "milestone.due", _l("A milestone of my project is due soon"), roles=MANAGERS
)
MILESTONE_DUE = MILESTONE_DUE_KIND.key
MILESTONE_OVERDUE_KIND = notification_kind(
    "milestone.overdue", _l("A milestone of my project is overdue"), roles=MANAGERS
)
MILESTONE_OVERDUE = MILESTONE_OVERDUE_KIND.key
WEEKLY_DIGEST_KIND = notification_kind(
    "projects.weekly_digest", _l("Weekly digest of my projects"), roles=MANAGERS
)
WEEKLY_DIGEST = WEEKLY_DIGEST_KIND.key
OPEN = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.LATE)


def _open_milestones(session: Session):
    return session.scalars(
        sa.select(Milestone)
        .join(Project)
        .options(selectinload(Milestone.project).selectinload(Project.managers))
        .where(
            Project.status.in_([ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED]),
            Milestone.status.in_(OPEN),
        )
    ).all()


@scheduled_job(
    "milestones.remind",
    cron="0 6 * * *",
    description=_l(
        "Remind project managers of milestones due soon and alert them of overdue ones."
    ),
)
def remind_milestones(session: Session, now: datetime) -> JobResult:
    """One reminder per milestone and due date (a re-planned milestone is reminded again for
    its new date), and one overdue alert per milestone and due date."""
    today = now.date()
    days = current_app.config.get("LMS_MILESTONE_REMINDER_DAYS", 14)
    due_soon = overdue = 0
    for milestone in _open_milestones(session):
        link = f"/projects/{milestone.project_id}#milestones"
        if today <= milestone.due_date <= today + timedelta(days=days):
            key, kind = ("milestone-due", milestone.id, milestone.due_date), MILESTONE_DUE
            title = (
                f"{milestone.project.code}: “{milestone.title}” is due on "
                f"{milestone.due_date.isoformat()}"
            )
        elif milestone.due_date < today:
            signals.milestone_overdue.send(session, milestone=milestone, today=today)
            key, kind = ("milestone-overdue", milestone.id, milestone.due_date), MILESTONE_OVERDUE
            title = (
                f"{milestone.project.code}: “{milestone.title}” is overdue since "
                f"{milestone.due_date.isoformat()}"
            )
        else:
            continue
        for manager in milestone.project.managers:
            if send_reminder_once(
                session,
                key,
                manager,
                kind,
                title,
                _("Update its status, or re-plan it with a reason."),
                link,
                now=now,
            ):
                if kind == MILESTONE_DUE:
                    due_soon += 1
                else:
                    overdue += 1
    return JobResult.say(
        N_("%(due_soon)s due-soon reminder(s), %(overdue)s overdue alert(s)"),
        due_soon + overdue,
        due_soon=due_soon,
        overdue=overdue,
    )


@scheduled_job(
    "projects.weekly_digest",
    cron="0 6 * * mon",
    description=_l("Send each project manager a weekly digest of their projects."),
)
def weekly_digest(session: Session, now: datetime) -> JobResult:
    today = now.date()
    year, week, _day = today.isocalendar()
    projects = session.scalars(
        services.rag_ready_projects_query()
        .where(
            Project.status.in_(
                [ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED, ProjectStatus.PIPELINE]
            )
        )
        .order_by(Project.code)
    ).all()
    by_manager = defaultdict(list)
    for project in projects:
        for manager in project.managers:
            by_manager[manager].append(project)
    sent = 0
    for manager, own in by_manager.items():
        lines = []
        for project in own:
            rag = services.compute_rag(project, today)
            late = services.late_milestones(project, today)
            upcoming = sorted(
                (m for m in project.milestones if m.status in OPEN and m.due_date >= today),
                key=lambda m: m.due_date,
            )[:2]
            rating = rag.rating.value.upper() if rag.rating else "not rated"
            line = f"- {project.code} {project.title}: {rating}"
            if late:
                line += f"; {len(late)} late milestone(s)"
            if upcoming:
                line += "; next: " + ", ".join(
                    f"{m.title} ({m.due_date.isoformat()})" for m in upcoming
                )
            lines.append(line)
        if send_reminder_once(
            session,
            ("weekly-digest", year, week),
            manager,
            WEEKLY_DIGEST,
            _("Your projects, week %(week)s of %(year)s", week=week, year=year),
            "\n".join(lines),
            "/projects/",
            now=now,
        ):
            sent += 1
    return JobResult.say(N_("%(sent)s digest(s) sent"), sent, sent=sent)


@scheduled_job(
    "projects.refresh_summaries",
    cron="5 0 * * *",
    description=_l(
        "Recompute each project's stored rating and progress for the new day (late "
        "milestones and elapsed time change as days pass)."
    ),
)
def refresh_summaries(session: Session, now: datetime) -> JobResult:
    """Rewrite the summaries computed for an earlier day (and fill missing ones), so the
    portfolio reads stored rows from the first request of the day. The day is the one the
    pages judge on: the pinned ``LMS_TODAY`` when set (a demo), else the run's date."""
    today = clock.today() if current_app.config.get("LMS_TODAY") else now.date()
    count = services.refresh_project_summaries(session, today, stale_only=True)
    return JobResult.say(
        N_("%(count)s project summary(ies) recomputed for %(day)s"),
        count,
        count=count,
        day=today.isoformat(),
    )

"""Report jobs: scheduled reports (the monthly directorate report among them) and report runs
left queued by a restart."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.core.i18n import N_
from lms.reports import runner, services
from lms.scheduler.registry import JobResult, scheduled_job


@scheduled_job(
    "reports.schedules",
    every=timedelta(minutes=15),
    description=_l(
        "Generate the report schedules that are due (the monthly "
        "directorate report among them) and email their recipients."
    ),
)
def run_report_schedules(session: Session, now: datetime) -> JobResult:
    runs = services.run_due_schedules(session, now)
    return JobResult.say(N_("%(done)s scheduled report(s) generated"), len(runs), done=len(runs))


@scheduled_job(
    "reports.queued",
    every=timedelta(minutes=5),
    description=_l("Generate report runs still queued (after a restart)."),
)
def run_queued_reports(session: Session, now: datetime) -> JobResult:
    """Each run is claimed atomically, so a run the web worker is already generating is
    left alone."""
    done = runner.execute_queued_runs()
    return JobResult.say(N_("%(done)s queued report(s) generated"), len(done), done=len(done))

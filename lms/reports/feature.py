"""The reports feature: PDF reports, exports, certificates, statistics, runs and schedules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core import signals
from lms.core.features import Feature, NavItem
from lms.reports import history, jobs

FEATURE = Feature(
    name="reports",
    models=("lms.reports.models",),
    blueprint="lms.reports.views:bp",
    jobs=(jobs.run_report_schedules, jobs.run_queued_reports),
    demo="lms.reports.demo:load_reports",
    listeners=((signals.user_history_probe, history.user_history),),
    nav=(
        NavItem(
            _l("Reports"),
            "reports.index",
            (Role.ADMIN, Role.DIRECTORATE, Role.PROJECT_MANAGER, Role.TRAINER, Role.TRAINEE),
        ),
    ),
)

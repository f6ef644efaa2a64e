"""The scheduler feature: scheduled jobs, their runs and the admin page that steers them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core.features import Feature, NavItem
from lms.scheduler import jobs
from lms.scheduler.models import JobRun, ScheduledJob
from lms.scheduler.services import JOB_FAILED_KIND


def _admins_only(user, record) -> bool:
    return False  # admins pass every rule before it is asked


FEATURE = Feature(
    name="scheduler",
    models=("lms.scheduler.models",),
    blueprint="lms.scheduler.views:bp",
    jobs=(
        jobs.deliver_outbox,
        jobs.deliver_http_outbox,
        jobs.clean_up_sessions,
        jobs.prune_history,
    ),
    notification_kinds=(JOB_FAILED_KIND,),
    permissions=((ScheduledJob, _admins_only, None), (JobRun, _admins_only, None)),
    admin_nav=(NavItem(_l("Scheduled jobs"), "scheduler.jobs", (Role.ADMIN,)),),
)

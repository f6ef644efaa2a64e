"""The progress feature: ratings and evidence, track progress, certificates, gap analysis."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core import signals
from lms.core.features import Feature, NavItem
from lms.progress import jobs, services

FEATURE = Feature(
    name="progress",
    models=("lms.progress.models",),
    blueprint="lms.progress.views:bp",
    jobs=(jobs.remind_expiring_certificates,),
    notification_kinds=(jobs.CERTIFICATE_EXPIRING_KIND,),
    listeners=((signals.framework_version_published, services.carry_over_ratings),),
    nav=(
        NavItem(_l("My learning"), "progress.dashboard", (Role.TRAINEE,)),
        NavItem(_l("Assessments"), "progress.queue", (Role.TRAINER,)),
        NavItem(
            _l("Trainees"),
            "progress.trainees",
            (Role.ADMIN, Role.DIRECTORATE, Role.PROJECT_MANAGER, Role.TRAINER),
        ),
    ),
)

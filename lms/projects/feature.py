"""The projects feature: multi-year assistance projects, their logframe, milestones,
indicators, risks, status and the training they deliver."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core import signals
from lms.core.features import Feature, NavItem
from lms.projects import jobs, training
from lms.projects.models import Project
from lms.projects.permissions import can_edit_project, can_view_project
from lms.projects.services.user_history import project_history_reason

FEATURE = Feature(
    name="projects",
    models=("lms.projects.models",),
    blueprint="lms.projects.views:bp",
    more_blueprints=("lms.projects.correction_views:bp",),
    jobs=(jobs.remind_milestones, jobs.weekly_digest, jobs.refresh_summaries),
    notification_kinds=(
        jobs.MILESTONE_DUE_KIND,
        jobs.MILESTONE_OVERDUE_KIND,
        jobs.WEEKLY_DIGEST_KIND,
    ),
    demo="lms.projects.demo:load_projects",
    permissions=(
        (
            Project,
            can_view_project,
            can_edit_project,
            (
                _l(
                    "This project is not one of yours: you see the projects of the "
                    "administrations whose focal point you are."
                ),
                _l(
                    "This project is not yours: it is managed by someone else. Only its "
                    "managers and administrators can change it."
                ),
            ),
        ),
    ),
    listeners=(
        (signals.trainee_remit, training.project_manager_remit),
        (signals.trainee_remit_set, training.project_manager_remit_set),
        (signals.session_approvers, training.project_manager_approves),
        (signals.user_history_probe, project_history_reason),
    ),
    nav=(
        NavItem(
            _l("Projects"),
            "projects.portfolio",
            (Role.PROJECT_MANAGER, Role.DIRECTORATE, Role.ADMIN),
        ),
    ),
)

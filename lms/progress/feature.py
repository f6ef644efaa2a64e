"""The progress feature: ratings and evidence, track enrolment (intakes included), track
progress and completion, certificates and their policy, gap analysis."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core import signals
from lms.core.features import Feature, NavItem
from lms.courses.permissions import EDITORS
from lms.progress import history, hooks, jobs, services
from lms.progress.permissions import RULES
from lms.progress.services import corrections, summaries

FEATURE = Feature(
    name="progress",
    models=("lms.progress.models", "lms.progress.correction_models"),
    blueprint="lms.progress.views:bp",
    more_blueprints=("lms.progress.correction_views:bp",),
    jobs=(jobs.remind_expiring_certificates,),
    notification_kinds=(jobs.CERTIFICATE_EXPIRING_KIND, corrections.CERTIFICATE_REVOKED_KIND),
    demo="lms.progress.demo:load_progress",
    permissions=RULES,
    listeners=(
        (signals.framework_version_published, services.carry_over_ratings),
        (signals.session_result_recorded, services.on_session_result_recorded),
        (signals.session_result_corrected, corrections.on_session_result_corrected),
        (signals.external_completion_recorded, services.on_external_completion_recorded),
        (signals.track_requirements_changed, summaries.on_track_requirements_changed),
        (signals.course_retake_allowed, hooks.retake_for_recertification),
        (signals.user_history_probe, history.progress_history),
    ),
    nav=(
        NavItem(_l("My learning"), "progress.dashboard", (Role.TRAINEE,)),
        NavItem(_l("Assessments"), "progress.queue", (Role.TRAINER,)),
        NavItem(
            _l("Trainees"),
            "progress.trainees",
            (Role.ADMIN, Role.DIRECTORATE, Role.PROJECT_MANAGER, Role.TRAINER),
        ),
        NavItem(_l("Intakes"), "progress.intakes", EDITORS),
    ),
)

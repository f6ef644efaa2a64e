"""The courses feature: catalogue, sessions, session enrolments and results.

(Track enrolment, intakes and completion are the progress feature's.)
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core import signals
from lms.core.features import Feature, NavItem
from lms.courses import history, hooks, jobs
from lms.courses.permissions import RULES

FEATURE = Feature(
    name="courses",
    models=("lms.courses.models", "lms.courses.correction_models"),
    blueprint="lms.courses.views:bp",
    more_blueprints=("lms.courses.correction_views:bp",),
    jobs=(jobs.remind_sessions, jobs.clean_up_waitlists),
    notification_kinds=(jobs.SESSION_REMINDER_KIND, jobs.WAITLIST_CLOSED_KIND),
    demo="lms.courses.demo:load_courses",
    permissions=RULES,
    listeners=(
        (signals.competency_related, hooks.courses_developing_competency),
        (signals.user_history_probe, history.course_history),
    ),
    nav=(
        NavItem(_l("Courses"), "courses.catalogue"),
        NavItem(_l("My sessions"), "courses.my_sessions", (Role.TRAINER,)),
    ),
)

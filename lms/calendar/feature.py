"""The calendar feature: each user's private iCalendar feed (her sessions and, for a
project manager, her projects' milestones) and a one-event file on every session page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.core.features import Feature, NavItem

FEATURE = Feature(
    name="calendar",
    models=("lms.calendar.models",),
    blueprint="lms.calendar.views:bp",
    profile_links=(NavItem(_l("My calendar feed"), "calendar.manage"),),
)

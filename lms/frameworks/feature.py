"""The frameworks feature: proficiency scales, versioned competency frameworks and tracks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.core.features import Feature, NavItem
from lms.frameworks.permissions import RULES

FEATURE = Feature(
    name="frameworks",
    models=("lms.frameworks.models",),
    blueprint="lms.frameworks.views:bp",
    demo="lms.frameworks.demo:load_frameworks",
    permissions=RULES,
    nav=(NavItem(_l("Frameworks"), "frameworks.index"), NavItem(_l("Tracks"), "frameworks.tracks")),
)

"""The API feature: ``/api/v1`` (APIFlask, OpenAPI 3.1) and the users' personal tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.core.features import Feature, NavItem

FEATURE = Feature(
    name="api",
    models=("lms.api.models",),
    blueprint="lms.api.views:bp",
    more_blueprints=("lms.api.pages:bp",),
    profile_links=(NavItem(_l("My API tokens"), "api_tokens.index"),),
)

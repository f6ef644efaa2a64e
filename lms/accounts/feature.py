"""The accounts feature: users, roles, member administrations, sign-in and invitations."""

from __future__ import annotations

from lms.core.features import Feature

FEATURE = Feature(
    name="accounts",
    models=("lms.core.models", "lms.accounts.models"),
    blueprint="lms.accounts.views:bp",
    more_blueprints=("lms.accounts.two_factor_views:bp",),
    demo="lms.accounts.demo:load_accounts",
)

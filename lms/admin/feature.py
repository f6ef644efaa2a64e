"""The admin feature: users, member administrations, the audit log, the email and HTTP
outboxes and the organisation settings certificates print."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core.features import Feature, NavItem

ADMINS = (Role.ADMIN,)

FEATURE = Feature(
    name="admin",
    blueprint="lms.admin.views:bp",
    admin_nav=(
        NavItem(_l("Users"), "admin.users", ADMINS),
        NavItem(_l("Member administrations"), "admin.members", ADMINS),
        NavItem(_l("Audit log"), "admin.audit", ADMINS),
        NavItem(_l("Email outbox"), "admin.outbox", ADMINS),
        NavItem(_l("HTTP outbox"), "admin.http_outbox_page", ADMINS),
        NavItem(_l("Organisation"), "admin.organisation_settings", ADMINS),
    ),
)

"""What every template can use: permission checks, the navigation for the user's roles,
and date formatting."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.models import Role
from lms.core.permissions import can_edit, can_view


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str
    roles: tuple[Role, ...] = ()


# Feature packages append their entries with ``add_nav_item`` when their blueprint registers.
NAV_ITEMS: list[NavItem] = []
ADMIN_ITEMS: list[NavItem] = [
    NavItem(_l("Users"), "admin.users", (Role.ADMIN,)),
    NavItem(_l("Member administrations"), "admin.members", (Role.ADMIN,)),
    NavItem(_l("Audit log"), "admin.audit", (Role.ADMIN,)),
    NavItem(_l("Email outbox"), "admin.outbox", (Role.ADMIN,)),
]


def add_nav_item(item: NavItem, *, admin: bool = False) -> None:
    target = ADMIN_ITEMS if admin else NAV_ITEMS
    if all(existing.endpoint != item.endpoint for existing in target):
        target.append(item)


def _visible(items: list[NavItem]) -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    return [i for i in items if not i.roles or current_user.has_role(*i.roles)]


def _datetime(value, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else "—"


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        can_view=can_view, can_edit=can_edit, Role=Role, get_locale=get_locale
    )
    app.jinja_env.filters["datetime"] = _datetime

    @app.context_processor
    def navigation():
        return {
            "nav_items": _visible(NAV_ITEMS),
            "admin_items": _visible(ADMIN_ITEMS),
            "url_for": url_for,
        }

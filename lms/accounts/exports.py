"""The admin's lists of users and member administrations as CSV rows (``lms.core.csv_export``):
the same SELECTs the pages page, whole, with what the rows show loaded up front."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from lms.accounts.models import User
from lms.accounts.queries import member_user_counts
from lms.core.i18n import _, language_name


def users_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [
        _("Name"),
        _("Email"),
        _("Roles"),
        _("Administration"),
        _("Country"),
        _("Language"),
        _("Status"),
    ]
    rows = []
    for user in session.scalars(stmt.options(selectinload(User.role_links))).unique():
        member = user.member_administration
        rows.append(
            [
                user.full_name,
                user.email,
                ", ".join(str(r.label) for r in sorted(user.roles)),
                member.name if member else "",
                member.country_code if member else "",
                language_name(user.preferred_language),
                _("Active") if user.is_active else _("Inactive"),
            ]
        )
    return header, rows


def members_table(session: Session, stmt: sa.Select) -> tuple[list[str], list[list]]:
    header = [
        _("Name"),
        _("Code"),
        _("Region"),
        _("Focal point"),
        _("Focal point email"),
        _("Users"),
        _("Status"),
    ]
    members = list(session.scalars(stmt))
    counts = member_user_counts(session, [m.id for m in members])
    rows = [
        [
            m.name,
            m.country_code,
            m.region.label,
            m.focal_point_name or "",
            m.focal_point_email or "",
            counts.get(m.id, 0),
            _("Active") if m.is_active else _("Inactive"),
        ]
        for m in members
    ]
    return header, rows

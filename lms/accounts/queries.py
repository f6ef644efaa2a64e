"""Lists and searches of accounts, as SELECTs the pages hand to the pagination helper.

Views never build these themselves, so every list of people (the admin's users, the trainee
pickers of progress and reports) filters the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.accounts.models import MemberAdministration, Region, Role, User, UserRole

STATUSES = ("active", "inactive")


def _role(value: Role | str | None) -> Role | None:
    try:
        return Role(value) if value else None
    except ValueError:
        return None


def user_search_query(
    q: str | None,
    *,
    role: Role | str | None = None,
    member_id: int | None = None,
    active: bool | None = None,
) -> sa.Select[tuple[User]]:
    """Users whose name or email contains ``q`` (case-insensitive), optionally with ``role``,
    of one member administration, or only (in)active ones; ordered by name.

    The one search behind every list of people, so a name found on one page is found on the
    others. The member administration is loaded with the users (one query per page).
    """
    stmt = sa.select(User).options(joinedload(User.member_administration))
    q = (q or "").strip().lower()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(User.email.like(like), sa.func.lower(User.full_name).like(like)))
    role = _role(role)
    if role is not None:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if member_id:
        stmt = stmt.where(User.member_administration_id == member_id)
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    return stmt.order_by(User.full_name, User.id)


@dataclass(frozen=True)
class UserFilters:
    """The admin user list's filters; ``status`` is "active" (the default), "inactive" or
    anything else for both."""

    q: str = ""
    role: str = ""
    member_id: int | None = None
    status: str = "active"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> UserFilters:
        member = (args.get("member") or "").strip()
        return cls(
            q=(args.get("q") or "").strip(),
            role=args.get("role") or "",
            member_id=int(member) if member.isdigit() else None,
            status=args.get("status", "active"),
        )


def users_query(filters: UserFilters) -> sa.Select[tuple[User]]:
    active = {"active": True, "inactive": False}.get(filters.status)
    return user_search_query(
        filters.q, role=filters.role, member_id=filters.member_id, active=active
    )


@dataclass(frozen=True)
class MemberFilters:
    q: str = ""
    region: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> MemberFilters:
        return cls(
            q=(args.get("q") or "").strip(),
            region=args.get("region") or "",
            status=args.get("status") or "",
        )


def members_query(filters: MemberFilters) -> sa.Select[tuple[MemberAdministration]]:
    """Member administrations by name or country code, region and status, by name."""
    stmt = sa.select(MemberAdministration)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(MemberAdministration.name).like(like),
                sa.func.lower(MemberAdministration.country_code).like(like),
            )
        )
    if filters.region in {r.value for r in Region}:
        stmt = stmt.where(MemberAdministration.region == filters.region)
    if filters.status == "active":
        stmt = stmt.where(MemberAdministration.is_active.is_(True))
    elif filters.status == "inactive":
        stmt = stmt.where(MemberAdministration.is_active.is_(False))
    return stmt.order_by(MemberAdministration.name)


def member_user_counts(session: Session, member_ids: list[int]) -> dict[int, int]:
    """How many users each of these member administrations has (one GROUP BY for a page)."""
    if not member_ids:
        return {}
    rows = session.execute(
        sa.select(User.member_administration_id, sa.func.count(User.id))
        .where(User.member_administration_id.in_(member_ids))
        .group_by(User.member_administration_id)
    ).all()
    return {member_id: count for member_id, count in rows}


def all_members(session: Session) -> list[MemberAdministration]:
    """Every member administration, by name: the choice list of a user's administration.

    Complete on purpose (about 190 members exist, so no cap is needed and none would be
    honest: a silently missing choice cannot be picked)."""
    return list(
        session.scalars(sa.select(MemberAdministration).order_by(MemberAdministration.name))
    )

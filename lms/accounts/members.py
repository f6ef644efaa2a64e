"""Member administrations: the customs administrations the programme serves (name, ISO 3166
code, region, focal point). Business rules over the session; flush only."""

from __future__ import annotations

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from lms.accounts.models import (
    MemberAdministration,
    Region,
    User,
)
from lms.accounts.services import normalise_email
from lms.core.audit import audited, record_change, snapshot
from lms.core.errors import ConflictError, ValidationError
from lms.core.i18n import _

MEMBER_FIELDS = (
    "name",
    "country_code",
    "region",
    "focal_point_name",
    "focal_point_email",
    "is_active",
)


def is_country_code(code: str) -> bool:
    """A real ISO 3166-1 alpha-2 code (``KE``), not just two letters (``XX``)."""
    import pycountry

    return (
        len(code) == 2
        and code.isascii()
        and code.isalpha()
        and pycountry.countries.get(alpha_2=code.upper()) is not None
    )


def _member_values(
    name: str, country_code: str, region: Region | str, focal_point_email: str
) -> tuple[str, str, Region, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Enter the administration's name."), field="name")
    code = (country_code or "").strip().upper()
    if not is_country_code(code):
        raise ValidationError(
            _("Use the two-letter ISO 3166 country code, for example KE."), field="country_code"
        )
    try:
        region = Region(region)
    except ValueError as exc:
        raise ValidationError(_("Choose one of the six regions."), field="region") from exc
    focal_point_email = normalise_email(focal_point_email)
    if focal_point_email:
        try:
            validate_email(focal_point_email, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(
                _("Enter a valid email for the focal point."), field="focal_point_email"
            ) from exc
    return name, code, region, focal_point_email


def _check_member_unique(session: Session, name: str, code: str, exclude_id: int | None) -> None:
    for column, value, field in (
        (MemberAdministration.name, name, "name"),
        (MemberAdministration.country_code, code, "country_code"),
    ):
        clash = session.scalar(sa.select(MemberAdministration).where(column == value))
        if clash is not None and clash.id != exclude_id:
            raise ConflictError(
                _(
                    "%(name)s already uses this %(field)s.",
                    name=clash.name,
                    field=field.replace("_", " "),
                ),
                field=field,
            )


def create_member(
    session: Session,
    *,
    actor: User | None,
    name: str,
    country_code: str,
    region: Region | str,
    focal_point_name: str = "",
    focal_point_email: str = "",
    is_active: bool = True,
    is_demo: bool = False,
) -> MemberAdministration:
    name, code, region, focal_point_email = _member_values(
        name, country_code, region, focal_point_email
    )
    _check_member_unique(session, name, code, None)
    member = MemberAdministration(
        name=name,
        country_code=code,
        region=region,
        focal_point_name=(focal_point_name or "").strip(),
        focal_point_email=focal_point_email,
        is_active=is_active,
        is_demo=is_demo,
    )
    session.add(member)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="member.created",
        entity=member,
        after=snapshot(member, MEMBER_FIELDS),
        summary=name,
    )
    return member


def update_member(
    session: Session,
    member: MemberAdministration,
    *,
    actor: User,
    name: str,
    country_code: str,
    region: Region | str,
    focal_point_name: str,
    focal_point_email: str,
    is_active: bool,
) -> MemberAdministration:
    name, code, region, focal_point_email = _member_values(
        name, country_code, region, focal_point_email
    )
    _check_member_unique(session, name, code, member.id)
    with audited(
        session, member, MEMBER_FIELDS, actor=actor, action="member.updated", summary=name
    ):
        member.name, member.country_code, member.region = name, code, region
        member.focal_point_name = (focal_point_name or "").strip()
        member.focal_point_email = focal_point_email
        member.is_active = is_active
        session.flush()
    return member

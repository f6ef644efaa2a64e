"""The admin's bulk import of users from a CSV file, all or nothing.

Columns (header row, any order, case and spaces ignored; comma, semicolon or tab):

- ``email`` (required), ``full_name`` (required);
- ``roles`` (required): role values separated by ``;``, ``,``, ``|`` or spaces
  (``trainee``, ``trainer``, ``project_manager``, ``directorate``, ``admin``);
- ``member_administration`` (optional): the administration's two-letter country code or
  its exact name;
- ``language`` (optional, ``en`` when empty): ``en`` or ``fr``;
- ``sex`` (optional): as on the user form.

Every row goes through ``services.create_user``, the same service (and so the same rules)
as the admin's "New user" form, inside one SAVEPOINT, each row in its own nested one; a
refusal becomes a row error naming the column. If any row has an error, the SAVEPOINT is
rolled back and nothing is written; otherwise every user is created (and, when asked,
invited through the outbox) in the caller's transaction, with one audit entry for the
import. Cells are read by the core CSV reader (``lms.core.csv_import``: caps, UTF-8, BOM,
``restore_formula``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts import services
from lms.accounts.models import MemberAdministration, Role, Sex, User
from lms.core.audit import record_change
from lms.core.csv_import import OncePerFile, RowError, RowErrors, read_table
from lms.core.errors import DomainError
from lms.core.i18n import _

REQUIRED_COLUMNS = ("email", "full_name", "roles")
OPTIONAL_COLUMNS = ("member_administration", "language", "sex")
MAX_BYTES = 1_000_000
MAX_ROWS = 1_000
TEMPLATE_ROWS = (
    ("ana.silva@customs.example.org", "Ana Silva", "trainee", "PT", "en", ""),
    ("jean.dupont@douane.example.org", "Jean Dupont", "trainee;trainer", "FR", "fr", ""),
)
# Which CSV column a service's refusal is about (its ``field``).
_COLUMN_OF_FIELD = {
    "email": "email",
    "full_name": "full_name",
    "roles": "roles",
    "member_administration_id": "member_administration",
    "preferred_language": "language",
    "sex": "sex",
}
_ROLE_SEPARATORS = re.compile(r"[;,|\s]+")


@dataclass
class UsersImport:
    """What an import did: the users created (the row errors while checking)."""

    created: list[User] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def template_csv_rows() -> tuple[list[str], list[tuple[str, ...]]]:
    """The downloadable template: the columns and two example rows."""
    return [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS], list(TEMPLATE_ROWS)


def column_help() -> list[tuple[str, bool, str]]:
    """Each column: its name, whether it is required, and what it holds (for the page)."""
    return [
        ("email", True, _("The person's email address; it must not be a user's already.")),
        ("full_name", True, _("The full name, as certificates print it.")),
        (
            "roles",
            True,
            _(
                "One or more of %(roles)s, separated by semicolons.",
                roles=", ".join(r.value for r in Role),
            ),
        ),
        (
            "member_administration",
            False,
            _("The member administration's two-letter country code (or its exact name)."),
        ),
        ("language", False, _("en or fr (en when empty).")),
        (
            "sex",
            False,
            _("Optional: %(values)s.", values=", ".join(s.value for s in Sex)),
        ),
    ]


def _members(session: Session) -> dict[str, int]:
    """Member administrations by country code and by name (lower case)."""
    found: dict[str, int] = {}
    for member in session.scalars(sa.select(MemberAdministration)):
        found[member.country_code.lower()] = member.id
        found.setdefault(member.name.strip().lower(), member.id)
    return found


def import_users(
    session: Session,
    content: bytes,
    *,
    actor: User,
    invite: bool,
    link_for: Callable[[str], str],
    lifetime: timedelta,
) -> UsersImport:
    """Create one user per row, or none: ``RowErrors`` (every row's problems) when any row
    is refused, ``CsvFileError`` for a file that cannot be read at all (encoding, header,
    size, rows cap)."""
    table = read_table(
        content,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
    )
    result = UsersImport()
    members = _members(session)
    emails = OncePerFile("email")
    outer = session.begin_nested()
    for number, row in table.rows:
        email = services.normalise_email(row["email"])
        repeat = emails.repeat(number, email) if email else None
        if repeat:
            result.errors.append(repeat)
            continue
        member_id = None
        if row["member_administration"]:
            member_id = members.get(row["member_administration"].lower())
            if member_id is None:
                result.errors.append(
                    RowError(
                        number,
                        "member_administration",
                        _(
                            "No member administration has the country code or name “%(value)s”.",
                            value=row["member_administration"],
                        ),
                    )
                )
                continue
        roles = [r for r in _ROLE_SEPARATORS.split(row["roles"].lower()) if r]
        try:
            with session.begin_nested():
                user = services.create_user(
                    session,
                    actor=actor,
                    email=row["email"],
                    full_name=row["full_name"],
                    roles=roles,
                    member_administration_id=member_id,
                    preferred_language=row["language"].lower() or "en",
                    sex=row["sex"].lower() or None,
                )
        except DomainError as error:
            column = _COLUMN_OF_FIELD.get(error.field or "", "")
            result.errors.append(RowError(number, column, error.message))
            continue
        result.created.append(user)
    if result.errors:
        outer.rollback()  # nothing of the file stays, not even its valid rows
        raise RowErrors(result.errors)
    if invite:
        for user in result.created:
            services.send_invitation(
                session, user, actor=actor, link_for=link_for, lifetime=lifetime
            )
    record_change(
        session,
        actor=actor,
        action="user.imported",
        entity_type="User",
        summary=f"{len(result.created)} user(s) imported from a CSV file",
        after={"emails": [u.email for u in result.created]},
    )
    outer.commit()
    return result

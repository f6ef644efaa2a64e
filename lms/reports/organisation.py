"""The organisation settings every certificate prints: one row, edited by an administrator
(the admin feature's page calls these), audited. Images arrive as uploads, are read up to
their size limit plus one byte and accepted only when their content is PNG or JPEG."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.core.audit import audited
from lms.core.errors import ValidationError
from lms.core.filetypes import MIME_TYPES, FileKind, detect
from lms.core.i18n import _
from lms.reports.models import OrganisationSettings

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_KINDS = (FileKind.PNG, FileKind.JPEG)
TEXT_FIELDS = ("name", "signatory_name", "signatory_title")


@dataclass(frozen=True)
class Branding:
    """What a certificate draws about its issuer; empty strings and None when not set."""

    organisation: str = ""
    logo: bytes | None = None
    signatory_name: str = ""
    signatory_title: str = ""
    signature: bytes | None = None


def current(session: Session) -> OrganisationSettings | None:
    return session.scalar(sa.select(OrganisationSettings).order_by(OrganisationSettings.id))


def blank() -> OrganisationSettings:
    """Settings not saved yet (a transient row the admin page shows empty)."""
    return OrganisationSettings(name="", signatory_name="", signatory_title="")


def branding(session: Session | None) -> Branding:
    settings = current(session) if session is not None else None
    if settings is None:
        return Branding()
    return Branding(
        organisation=settings.name,
        logo=settings.logo,
        signatory_name=settings.signatory_name,
        signatory_title=settings.signatory_title,
        signature=settings.signature,
    )


def image(session: Session, which: str) -> bytes | None:
    """The stored logo or signature (``which``), for the admin page's preview."""
    settings = current(session)
    if settings is None or which not in ("logo", "signature"):
        return None
    return getattr(settings, which)


def image_mime_type(content: bytes) -> str:
    kind = detect(content)
    return MIME_TYPES[kind] if kind in IMAGE_KINDS else "application/octet-stream"


def read_image(stream: BinaryIO | None, field: str) -> bytes | None:
    """The uploaded image's bytes, None when nothing was uploaded; refuses what is too large
    or whose content is not PNG or JPEG."""
    if stream is None:
        return None
    content = stream.read(MAX_IMAGE_BYTES + 1)
    if not content:
        return None
    if len(content) > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is larger than %(size)s MB.", size=MAX_IMAGE_BYTES // (1024 * 1024)),
            field=field,
        )
    if detect(content) not in IMAGE_KINDS:
        raise ValidationError(_("Upload a PNG or JPEG image."), field=field)
    return content


def _fingerprint(content: bytes | None) -> str | None:
    return hashlib.sha256(content).hexdigest()[:16] if content else None


def _picture(settings: OrganisationSettings) -> dict[str, Any]:
    picture: dict[str, Any] = {name: getattr(settings, name) for name in TEXT_FIELDS}
    picture["logo"] = _fingerprint(settings.logo)
    picture["signature"] = _fingerprint(settings.signature)
    return picture


def update(
    session: Session,
    *,
    actor: Any,
    name: str,
    signatory_name: str,
    signatory_title: str,
    logo: bytes | None = None,
    signature: bytes | None = None,
    remove_logo: bool = False,
    remove_signature: bool = False,
) -> OrganisationSettings:
    """Save the settings (creating the row the first time); a new image replaces the old one,
    ``remove_*`` clears it. Flushes only."""
    settings = current(session)
    if settings is None:
        settings = blank()
        session.add(settings)
        session.flush()
    with audited(
        session,
        settings,
        _picture,
        actor=actor,
        action="organisation.update",
        summary=_("Organisation settings changed"),
    ):
        settings.name = (name or "").strip()
        settings.signatory_name = (signatory_name or "").strip()
        settings.signatory_title = (signatory_title or "").strip()
        if remove_logo:
            settings.logo = None
        elif logo:
            settings.logo = logo
        if remove_signature:
            settings.signature = None
        elif signature:
            settings.signature = signature
        session.flush()
    return settings

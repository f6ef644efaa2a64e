"""What users change on their own profile: the language of their pages, emails and documents.

Plain functions over a SQLAlchemy session; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.core.audit import audited
from lms.core.errors import ValidationError
from lms.core.i18n import _


def set_preferred_language(
    session: Session, user: User, language: str, *, languages: Iterable[str]
) -> User:
    """Save ``language`` (one of the offered ``languages``) on ``user``'s profile, audited
    when it changes."""
    if language not in tuple(languages):
        raise ValidationError(_("Choose one of the languages offered."), field="preferred_language")
    if user.preferred_language == language:
        return user
    with audited(
        session,
        user,
        ("preferred_language",),
        actor=user,
        action="user.language_changed",
        summary=lambda: user.email,
    ):
        user.preferred_language = language
        session.flush()
    return user

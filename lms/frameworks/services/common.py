"""Rules every part of the frameworks services shares: text clean-up and the frozen-version
guard that keeps published history unchanged."""

from __future__ import annotations

from flask import has_request_context

from lms.core.errors import ConflictError
from lms.core.i18n import _
from lms.frameworks.models import Framework


class FrameworkFrozen(ConflictError):
    """A published or archived framework was asked to change."""


def _clean(text: str | None) -> str:
    return (text or "").strip()


def one_line(text: str | None) -> str:
    """Indicators are one line each, so they survive the CSV and CASE round trips unchanged."""
    return " ".join((text or "").split())


def require_draft(framework: Framework) -> None:
    """Published versions are what ratings, course mappings and targets were made against;
    changing them in place would rewrite history, so changes go into a new version."""
    if framework.is_frozen:
        raise FrameworkFrozen(
            _(
                "%(name)s version %(version)s is %(status)s and cannot be changed. "
                "Create a new version to change it.",
                name=framework.name,
                version=framework.version,
                status=str(framework.status.label).lower()
                if has_request_context()
                else framework.status.value,
            )
        )

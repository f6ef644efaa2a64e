"""Notification kinds, registered by the features that send them.

``register_notification_kind("milestone.due", _l("Milestone due soon"), email_default=True)``
at import of the feature's module; the preferences page lists every registered kind, and
``notify`` refuses a kind nobody registered (a typo would otherwise be silently un-settable).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: object
    email_default: bool = True
    description: object = ""
    # Who can receive this kind (empty: everyone); the preferences page shows only these.
    roles: tuple = ()


KINDS: dict[str, NotificationKind] = {}


def register_notification_kind(
    key: str,
    label: object,
    *,
    email_default: bool = True,
    description: object = "",
    roles: tuple = (),
) -> NotificationKind:
    if not key or len(key) > 60:
        raise ValueError(f"notification kind {key!r}: 1 to 60 characters")
    kind = NotificationKind(key, label, email_default, description, tuple(roles))
    KINDS[key] = kind
    return kind


def get_kind(key: str) -> NotificationKind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown notification kind {key!r}; register it first") from None


def kinds_for(user) -> dict[str, NotificationKind]:
    """The kinds ``user`` can receive, by key, sorted."""
    return {
        key: kind
        for key, kind in sorted(KINDS.items())
        if not kind.roles or user.has_role(*kind.roles)
    }

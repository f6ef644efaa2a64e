"""Notification kinds, registered by the features that send them.

A feature declares ``MILESTONE_DUE = notification_kind("milestone.due", _l("Milestone due
soon"))`` and lists it in its registration entry (``Feature.notification_kinds``);
``lms.features.wire`` registers it. The preferences page lists every registered kind, and
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


def notification_kind(
    key: str,
    label: object,
    *,
    email_default: bool = True,
    description: object = "",
    roles: tuple = (),
) -> NotificationKind:
    """Declare a kind (registered later, by the wiring)."""
    if not key or len(key) > 60:
        raise ValueError(f"notification kind {key!r}: 1 to 60 characters")
    return NotificationKind(key, label, email_default, description, tuple(roles))


def register_kind(kind: NotificationKind) -> NotificationKind:
    KINDS[kind.key] = kind
    return kind


def register_notification_kind(key: str, label: object, **options) -> NotificationKind:
    """Declare and register at once (for tests and scripts that add a throw-away kind)."""
    return register_kind(notification_kind(key, label, **options))


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

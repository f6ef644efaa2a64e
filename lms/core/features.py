"""What a feature declares about itself, once, in ``lms/<feature>/feature.py``.

``lms.features`` walks one ordered list of these declarations to wire the product: the web
app, the CLI, the scheduler process and a plain script all get the same rules, jobs,
notification kinds and listeners. Importing a feature's modules registers nothing.

Blueprints and demo steps are named as ``"module:attribute"`` strings so that wiring a
process that serves no pages (the scheduler, a script) never imports a view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (model class, view rule, edit rule or None for admin-only editing), optionally followed by
# the reasons the 403 page gives: (why it may not be seen, why it may not be changed).
PermissionRule = tuple[Any, ...]
# (blinker signal, receiver)
Listener = tuple[Any, Callable[..., Any]]


@dataclass(frozen=True)
class NavItem:
    """One navbar entry; ``roles`` empty means every signed-in user."""

    label: object
    endpoint: str
    roles: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Feature:
    name: str
    # Modules that define models, so the metadata (and Alembic) sees the whole schema.
    models: tuple[str, ...] = ()
    # "module:attribute" of the feature's blueprint, and of any further ones (a sub-area's
    # pages kept in their own module, e.g. corrections).
    blueprint: str | None = None
    more_blueprints: tuple[str, ...] = ()
    # Job functions decorated with ``lms.scheduler.registry.scheduled_job``.
    jobs: tuple[Callable[..., Any], ...] = ()
    # ``NotificationKind`` values the feature sends.
    notification_kinds: tuple[Any, ...] = ()
    # "module:function" taking the database session, returning a one-line summary.
    demo: str | None = None
    permissions: tuple[PermissionRule, ...] = ()
    listeners: tuple[Listener, ...] = ()
    nav: tuple[NavItem, ...] = field(default=())
    admin_nav: tuple[NavItem, ...] = field(default=())
    # Pages of the signed-in user's own that the profile page links to (API tokens, the
    # calendar feed): features above accounts offer them without accounts importing them.
    profile_links: tuple[NavItem, ...] = field(default=())


def resolve(target: str) -> Any:
    """``"package.module:attribute"`` → the attribute (imported only when asked for)."""
    import importlib

    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)

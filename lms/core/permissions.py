"""The one permission module: role checks for views and record-level rules for everything.

Views use ``role_required``; views, API handlers and templates ask ``can_view`` / ``can_edit``.
Features declare their record rules in their registration entry (``Feature.permissions``) and
the wiring registers them here, so the answer to "may this user see this
record?" is written once per record type.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort
from flask_login import current_user

if TYPE_CHECKING:
    from lms.accounts.models import Role

F = TypeVar("F", bound=Callable[..., Any])
Rule = Callable[[Any, Any], bool]

_view_rules: dict[type, Rule] = {}
_edit_rules: dict[type, Rule] = {}
# Why a refusal happened, per record type: (when it may not be seen, when it may not be changed).
_reasons: dict[type, tuple[Any, Any]] = {}


def _role_reason(roles: tuple[Any, ...]) -> str:
    from lms.core.i18n import _

    names = ", ".join(str(getattr(r, "label", r)) for r in roles)
    return _(
        "This page is for these roles: %(roles)s. Your account has none of them; if it "
        "should, ask an administrator.",
        roles=names,
    )


def _record_reason(record: Any, *, edit: bool) -> str:
    from lms.core.i18n import _

    for cls in type(record).__mro__:
        if cls in _reasons and _reasons[cls][edit]:
            return str(_reasons[cls][edit])
    if edit:
        return _(
            "You may see this record but not change it: it is not one of yours. Its owners "
            "and administrators can change it."
        )
    return _(
        "This record is not yours to see: it belongs to another person, project or administration."
    )


def role_required(*roles: Role) -> Callable[[F], F]:
    """Anonymous users go to the login page; a logged-in user without one of ``roles`` gets 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from lms.core.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403, description=_role_reason(roles))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    """Any authenticated user."""
    return role_required()(view)


def register_rules(
    model: type,
    *,
    view: Rule,
    edit: Rule | None = None,
    reasons: tuple[Any, Any] | None = None,
) -> None:
    """``reasons``: what the 403 page says when the record may not be seen, or changed."""
    _view_rules[model] = view
    _edit_rules[model] = edit or (lambda user, record: user.is_admin)
    if reasons:
        _reasons[model] = reasons


def _rule_for(table: dict[type, Rule], record: Any) -> Rule | None:
    for cls in type(record).__mro__:
        if cls in table:
            return table[cls]
    return None


def can_view(user: Any, record: Any) -> bool:
    """True when ``user`` may see ``record``. Unknown record types are admin-only (fail closed)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_admin:
        return True
    rule = _rule_for(_view_rules, record)
    return bool(rule and rule(user, record))


def can_edit(user: Any, record: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_admin:
        return True
    rule = _rule_for(_edit_rules, record)
    return bool(rule and rule(user, record))


def require_view(record: Any) -> Any:
    """404 for a missing record, 403 for one the current user may not see."""
    if record is None:
        abort(404)
    if not can_view(current_user, record):
        abort(403, description=_record_reason(record, edit=False))
    return record


def require_edit(record: Any) -> Any:
    if record is None:
        abort(404)
    if not can_edit(current_user, record):
        abort(403, description=_record_reason(record, edit=True))
    return record

"""The frameworks blueprint and what its pages share: the confirmation check, the refusal of
a frozen version and the choice lists of the forms."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.forms import ConfirmForm
from lms.core.errors import flash_error
from lms.core.extensions import db
from lms.frameworks import services
from lms.frameworks import tracks as track_services
from lms.frameworks.models import Competency, Framework, Track
from lms.frameworks.permissions import is_editor

bp = Blueprint("frameworks", __name__)


def confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def refuse_frozen(message: str, url: str) -> Any:
    """Published and archived versions are frozen: say so and go back to the page."""
    flash_error(services.FrameworkFrozen(message))
    return redirect(url)


def editor() -> bool:
    return is_editor(current_user)


def scale_choices() -> list[tuple[int, str]]:
    return [
        (s.id, f"{s.name} ({', '.join(lv.name for lv in s.levels)})")
        for s in services.all_scales(db.session)
    ]


def parent_choices(fw: Framework, exclude: Competency | None = None) -> list[tuple[Any, str]]:
    """The framework's hierarchy, indented; a competency cannot move under its own branch."""
    banned = set()
    if exclude is not None:
        banned = services.descendant_ids(db.session, exclude) | {exclude.id}
    nodes = services.tree_nodes(db.session, fw)
    return [("", _("— top level —"))] + [
        (
            n.competency.id,
            "\u2003" * (n.depth - 1) + f"{n.competency.code} · {n.competency.short_name}",
        )
        for n in nodes
        if n.competency.id not in banned
    ]


def framework_choices(code: str | None = None) -> list[tuple[int, str]]:
    return [
        (f.id, f"{f.label} · {f.status.label}") for f in services.current_versions(db.session, code)
    ]


def track_choices(exclude: Track | None = None) -> list[tuple[Any, str]]:
    return [("", _("— none —"))] + [
        (t.id, t.name)
        for t in track_services.all_tracks(db.session)
        if exclude is None or t.id != exclude.id
    ]

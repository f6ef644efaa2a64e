"""The demo dataset. ``lms demo`` loads it; ``make run`` loads it into an empty database.

Every feature adds its own step with ``demo_step``; steps run in the order of
``DEMO_MODULES`` (not import order, which tests can change) inside one transaction, so a
failure leaves the database as it was.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration, User
from lms.core.errors import ConflictError

DEMO_PASSWORD = "demo-password"
DemoStep = Callable[[Session], str]
# Feature demo modules, in dependency order; each registers its step with ``demo_step``.
DEMO_MODULES = (
    "lms.accounts.demo",
    "lms.frameworks.demo",
    "lms.courses.demo",
    "lms.projects.demo",
    "lms.notifications.demo",
    "lms.reports.demo",
)
_steps: dict[str, DemoStep] = {}


def demo_step(step: DemoStep) -> DemoStep:
    _steps[step.__module__] = step
    return step


def database_is_empty(session: Session) -> bool:
    return not session.scalar(sa.select(sa.func.count()).select_from(User)) and not session.scalar(
        sa.select(sa.func.count()).select_from(MemberAdministration)
    )


def load_demo(session: Session) -> str:
    real_users = session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.is_demo.is_(False))
    )
    real_members = session.scalar(
        sa.select(sa.func.count())
        .select_from(MemberAdministration)
        .where(MemberAdministration.is_demo.is_(False))
    )
    if real_users or real_members:
        raise ConflictError(
            "This database holds non-demo data "
            f"({real_users} user(s), {real_members} member administration(s)); "
            "the demo dataset is only loaded into an empty or demo database."
        )
    if session.scalar(sa.select(sa.func.count()).select_from(User)):
        return "Demo data is already loaded."
    summaries = []
    for module in DEMO_MODULES:
        importlib.import_module(module)
        summaries.append(_steps[module](session))
    return "\n".join(summaries)

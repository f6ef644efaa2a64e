"""Fixtures (a pytest plugin loaded by tests/conftest.py): factories for assistance
projects: a project with a manager and a beneficiary, milestones,
indicators with targets. Built through the services, so tests exercise the real rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import LogframeLevel, Project, ProjectStatus


@pytest.fixture
def make_project(app, make_user, make_member) -> Callable[..., Project]:
    counter = iter(range(1, 10_000))

    def make(
        *,
        manager=None,
        beneficiaries=None,
        status: ProjectStatus = ProjectStatus.ACTIVE,
        start: date = date(2024, 1, 1),
        end: date = date(2027, 12, 31),
        focal_points=(),
        code: str | None = None,
        commit: bool = True,
    ) -> Project:
        n = next(counter)
        manager = manager or make_user(Role.PROJECT_MANAGER)
        beneficiaries = beneficiaries or [make_member()]
        project = services.create_project(
            db.session,
            actor=None,
            code=code or f"P-{n:03d}",
            title=f"Data strategy project {n}",
            start_date=start,
            end_date=end,
            status=status,
            beneficiary_ids=[m.id for m in beneficiaries],
            manager_ids=[manager.id],
            focal_point_ids=[u.id for u in focal_points],
        )
        if commit:
            db.session.commit()
        return project

    return make


@pytest.fixture
def make_indicator(app):
    def make(project: Project, *, baseline=0, baseline_date=date(2024, 1, 1), targets=None):
        goal = next(
            (e for e in project.logframe_elements if e.level is LogframeLevel.GOAL), None
        ) or services.add_logframe_element(
            db.session,
            project,
            actor=None,
            level=LogframeLevel.GOAL,
            statement="Customs decisions are driven by data",
        )
        indicator = services.add_indicator(
            db.session,
            goal,
            actor=None,
            name="Officers certified as data specialists",
            unit="officers",
            baseline_value=baseline,
            baseline_date=baseline_date,
        )
        for period, value in (targets or {}).items():
            services.set_target(db.session, indicator, actor=None, period=period, value=value)
        db.session.commit()
        return indicator

    return make

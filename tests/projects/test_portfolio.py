"""The portfolio dashboard: filters, live figures, and a bounded number of SQL statements."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import Region, Role
from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import ProjectStatus
from tests.conftest import login


@pytest.fixture
def statements():
    """Count the SQL statements the database receives while the block runs."""

    class Counter:
        count = 0

        def __call__(self, *args, **kwargs):
            self.count += 1

    counter = Counter()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    yield counter
    sa.event.remove(db.engine, "before_cursor_execute", counter)


def _fill(make_project, make_user, members, how_many: int, managers) -> None:
    for n in range(how_many):
        project = make_project(
            manager=managers[n % len(managers)],
            beneficiaries=[members[n % len(members)]],
            commit=False,
        )
        services.add_milestone(
            db.session, project, actor=None, title=f"Milestone {n}", due_date=date(2025, 5, 31)
        )
        done = services.add_milestone(
            db.session, project, actor=None, title=f"Done {n}", due_date=date(2024, 6, 30)
        )
        services.update_milestone(
            db.session, done, actor=None, status="done", completed_on=date(2024, 6, 30)
        )
        goal = services.add_logframe_element(
            db.session, project, actor=None, level="goal", statement="Data-driven customs"
        )
        indicator = services.add_indicator(
            db.session,
            goal,
            actor=None,
            name="Analysts trained",
            unit="officers",
            baseline_value=0,
            baseline_date=date(2024, 1, 1),
        )
        services.set_target(db.session, indicator, actor=None, period="2024", value=10)
        services.report_actual(db.session, indicator, actor=None, period="2024", value=9)
        if n % 3 == 0:
            services.override_rag(
                db.session,
                project,
                actor=None,
                rating="green",
                justification="Beneficiary confirmed the new plan.",
                today=date(2025, 6, 30),
            )
    db.session.commit()


def _portfolio_statements(client, statements) -> tuple[int, str]:
    # Once first: a request a minute after the last one also records the session's last
    # visit (a write), and filling the database can take that long.
    client.get("/projects/?per_page=100")
    statements.count = 0
    response = client.get("/projects/?per_page=100")
    assert response.status_code == 200
    return statements.count, response.get_data(as_text=True)


def test_the_portfolio_of_100_projects_runs_a_bounded_number_of_statements(
    client, make_project, make_user, make_member, statements, app
):
    app.config["LMS_TODAY"] = date(2025, 6, 30)
    members = [make_member(region=r) for r in Region]
    managers = [make_user(Role.PROJECT_MANAGER) for _ in range(3)]
    login(client, make_user(Role.DIRECTORATE))

    _fill(make_project, make_user, members, 5, managers)
    few, html = _portfolio_statements(client, statements)
    assert html.count("data-project=") == 5

    _fill(make_project, make_user, members, 95, managers)
    many, html = _portfolio_statements(client, statements)
    assert html.count("data-project=") == 100
    assert html.count('data-rag="amber"') == 66  # one late milestone each...
    assert html.count('data-rag="green"') == 34  # ...except where a manager overrode it

    assert many == few  # the same statements, whatever the number of projects
    assert many <= 20, many


def test_filters_by_region_beneficiary_status_and_manager(
    client, make_project, make_user, make_member
):
    kenya = make_member(name="Kenya", country_code="KE", region=Region.ESA)
    chile = make_member(name="Chile", country_code="CL", region=Region.AMERICAS)
    grace, tomas = make_user(Role.PROJECT_MANAGER), make_user(Role.PROJECT_MANAGER)
    make_project(code="KE-1", manager=grace, beneficiaries=[kenya])
    make_project(code="CL-1", manager=tomas, beneficiaries=[chile])
    make_project(
        code="CL-2", manager=grace, beneficiaries=[chile, kenya], status=ProjectStatus.PIPELINE
    )
    login(client, grace)

    def codes(query: str) -> list[str]:
        html = client.get(f"/projects/?{query}").get_data(as_text=True)
        return sorted(c for c in ("KE-1", "CL-1", "CL-2") if f'data-project="{c}"' in html)

    assert codes("") == ["CL-1", "CL-2", "KE-1"]
    assert codes("region=ESA") == ["CL-2", "KE-1"]
    assert codes(f"beneficiary={chile.id}") == ["CL-1", "CL-2"]
    assert codes("status=pipeline") == ["CL-2"]
    assert codes(f"manager={grace.id}") == ["CL-2", "KE-1"]
    assert codes(f"manager={grace.id}&region=AMERICAS") == ["CL-2"]
    assert codes("status=nonsense") == ["CL-1", "CL-2", "KE-1"]  # bad values are ignored
    empty = client.get("/projects/?status=cancelled").get_data(as_text=True)
    assert "No project matches these filters." in empty


def test_the_portfolio_shows_time_elapsed_against_milestones_done(
    client, make_project, make_user, app
):
    app.config["LMS_TODAY"] = date(2026, 1, 1)  # half-way through 2024–2027
    manager = make_user(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    first = services.add_milestone(
        db.session, project, actor=None, title="Inception", due_date=date(2024, 3, 31)
    )
    services.add_milestone(
        db.session, project, actor=None, title="Roll-out", due_date=date(2027, 6, 30)
    )
    db.session.commit()
    login(client, manager)

    html = client.get("/projects/").get_data(as_text=True)
    assert 'data-testid="elapsed">50%' in html
    assert 'data-testid="done">0%' in html
    assert "1 late milestone" in html

    services.update_milestone(
        db.session, first, actor=None, status="done", completed_on=date(2024, 4, 2)
    )
    db.session.commit()
    html = client.get("/projects/").get_data(as_text=True)
    assert 'data-testid="done">50%' in html
    assert 'data-testid="late-count"' not in html

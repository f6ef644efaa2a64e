"""The stored status summary of each project: it holds what the RAG rules compute live after
every kind of change, goes stale (and is never shown stale) as days pass, is rebuilt by the
nightly job and the command, and keeps the portfolio and the project page at a fixed number
of statements; the charts' SVG is drawn once per distinct data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core import clock
from lms.core.extensions import db
from lms.core.i18n import in_language
from lms.projects import charts, jobs, services
from lms.projects.models import MilestoneStatus, ProjectStatus, ProjectSummary, Rag
from lms.projects.services import corrections
from tests.conftest import count_statements, login
from tests.translations import french_catalogue

TODAY = date(2026, 3, 2)
# 2024-01-01 to 2027-12-31 spans 1,460 days; 791 of them have passed on TODAY.
ELAPSED_ON_TODAY = 791 / 1460


@pytest.fixture(autouse=True)
def _pinned_today(app):
    app.config["LMS_TODAY"] = TODAY


def _row(project_id: int) -> ProjectSummary:
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(ProjectSummary, project_id)
    assert row is not None
    return row


def _assert_live(project_id: int, today: date = TODAY) -> ProjectSummary:
    """The stored row is what the rules compute live, field by field."""
    row = _row(project_id)
    project = services.rag_ready_project(db.session, project_id)
    live = services.compute_rag(project, today)
    with in_language("fr"):
        live_fr = services.compute_rag(project, today)
    assert row.computed_for == today
    assert row.rating == live.computed
    assert row.reasons == [
        {
            "code": r.code,
            "rating": r.rating.value if r.rating else None,
            "message": r.message,
            "messages": {"fr": r_fr.message},
        }
        for r, r_fr in zip(live.reasons, live_fr.reasons, strict=True)
    ]
    assert row.done_share == services.milestones_done_share(project)
    assert row.elapsed_share == services.time_elapsed(project, today)
    assert row.late_milestones == len(services.late_milestones(project, today))
    stored = services.project_summary(db.session, project, today)
    assert stored.assessment == live
    return row


def _codes(row: ProjectSummary) -> list[str]:
    return [r["code"] for r in row.reasons]


def test_a_new_project_has_its_summary_from_the_start(make_project):
    project = make_project()
    row = _assert_live(project.id)
    # No milestones, no indicators: on track, time elapsed as the calendar says.
    assert (row.rating, _codes(row)) == (Rag.GREEN, ["on_track"])
    assert row.done_share is None
    assert row.elapsed_share == pytest.approx(ELAPSED_ON_TODAY)
    assert (row.late_milestones, row.indicators_on_track, row.indicators_off_track) == (0, 0, 0)


def test_milestones_added_done_and_moved_are_followed(make_project):
    project = make_project()
    overdue = services.add_milestone(
        db.session, project, actor=None, title="Diagnostic", due_date=date(2025, 6, 30)
    )
    later = services.add_milestone(
        db.session, project, actor=None, title="Roll-out", due_date=date(2026, 12, 31)
    )
    row = _assert_live(project.id)
    # 245 days late (more than 90): red; nothing done with 54 % of the time gone: red too.
    assert row.rating is Rag.RED
    assert _codes(row) == ["milestones_late", "delivery_behind_time"]
    assert "245 days past its due date" in row.reasons[0]["message"]
    assert (row.late_milestones, row.done_share) == (1, 0.0)

    services.update_milestone(
        db.session,
        db.session.merge(overdue),
        actor=None,
        status="done",
        completed_on=date(2025, 7, 1),
    )
    row = _assert_live(project.id)
    assert (row.rating, row.late_milestones, row.done_share) == (Rag.GREEN, 0, 0.5)

    # The open one moved into the past: late again, 32 days (amber).
    services.replan_milestone(
        db.session,
        db.session.merge(later),
        actor=None,
        new_date=date(2026, 1, 29),
        reason="Budget arrived late",
    )
    row = _assert_live(project.id)
    assert (row.rating, row.late_milestones) == (Rag.AMBER, 1)
    assert "32 days past its due date" in row.reasons[0]["message"]


def test_actuals_reported_corrected_and_withdrawn_and_targets_revised_are_followed(
    make_project, make_indicator, make_user
):
    admin = make_user(Role.ADMIN)
    project = make_project()
    # 2024 ended 426 days before TODAY (over the 90 days of grace) with no actual: amber.
    indicator = make_indicator(project, targets={"2024": 50, "2025": 100})
    row = _assert_live(project.id)
    assert (row.rating, _codes(row)) == (Rag.AMBER, ["indicator_not_reported"])
    assert (row.indicators_on_track, row.indicators_off_track) == (0, 1)

    # 20 against 50 planned: 40 %, under half: red.
    actual = services.report_actual(db.session, indicator, actor=admin, period="2024", value=20)
    row = _assert_live(project.id)
    assert (row.rating, _codes(row)) == (Rag.RED, ["indicator_behind"])
    assert "40%" in row.reasons[0]["message"]
    assert (row.indicators_on_track, row.indicators_off_track) == (0, 1)

    # Corrected to 45 of 50: 90 %, on the trajectory.
    correction = corrections.correct_actual(
        db.session, actual, value=45, reason="Counted the wrong cohort", actor=admin
    )
    row = _assert_live(project.id)
    assert (row.rating, row.indicators_on_track, row.indicators_off_track) == (Rag.GREEN, 1, 0)

    # The correction withdrawn: no figure for 2024 any more, amber again.
    corrections.withdraw_actual(
        db.session, correction.replacement, reason="Figure not verified", actor=admin
    )
    row = _assert_live(project.id)
    assert (row.rating, _codes(row)) == (Rag.AMBER, ["indicator_not_reported"])

    # A fresh 20, then the 2024 target revised down to 22: 91 % of the plan.
    services.report_actual(db.session, indicator, actor=admin, period="2024", value=20)
    assert _assert_live(project.id).rating is Rag.RED
    services.set_target(db.session, indicator, actor=admin, period="2024", value=22)
    row = _assert_live(project.id)
    assert (row.rating, row.indicators_on_track, row.indicators_off_track) == (Rag.GREEN, 1, 0)


def test_an_indicator_added_and_redefined_is_followed(make_project, make_indicator):
    project = make_project()
    first = make_indicator(project, targets={"2025": 10})  # not due yet: on track
    row = _assert_live(project.id)
    assert (row.indicators_on_track, row.indicators_off_track) == (1, 0)

    # Added through its logframe element, with a target already overdue and unreported.
    second = services.add_indicator(
        db.session,
        first.element,
        actor=None,
        name="Risk profiles in use",
        unit="profiles",
        baseline_value=0,
        baseline_date=date(2024, 1, 1),
    )
    row = _assert_live(project.id)
    assert (row.indicators_on_track, row.indicators_off_track) == (1, 0)  # no target: not assessed
    services.set_target(db.session, second, actor=None, period="2024", value=5)
    row = _assert_live(project.id)
    assert (row.indicators_on_track, row.indicators_off_track) == (1, 1)
    assert "“Risk profiles in use”" in row.reasons[0]["message"]

    services.update_indicator(
        db.session,
        second,
        actor=None,
        name="Risk profiles applied",
        unit="profiles",
        baseline_value=0,
        baseline_date=date(2024, 1, 1),
        period_kind="year",
    )
    row = _assert_live(project.id)
    assert "“Risk profiles applied”" in row.reasons[0]["message"]


def test_the_project_dates_and_status_are_followed(make_project, make_user):
    manager = make_user(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)

    def update(**changes):
        fields = {
            "code": project.code,
            "title": project.title,
            "start_date": project.start_date,
            "end_date": project.end_date,
            "status": project.status,
            "manager_ids": [manager.id],
        } | changes
        services.update_project(db.session, project, actor=None, **fields)

    update(end_date=date(2025, 12, 31))  # ended before TODAY
    row = _assert_live(project.id)
    assert (row.rating, _codes(row), row.elapsed_share) == (Rag.RED, ["past_end_date"], 1.0)

    update(status=ProjectStatus.PIPELINE)
    row = _assert_live(project.id)
    assert (row.rating, _codes(row)) == (None, ["not_rated"])
    assert row.reasons[0]["message"] == "Not rated while the project is pipeline."
    # Stored in each language, read back in the reader's: the French status label too.
    template = french_catalogue()["Not rated while the project is %(status)s."]
    with in_language("fr"):
        french = services.project_summary(db.session, project, TODAY).assessment.reasons[0]
    assert french.message.startswith(template.split("%(status)s")[0])
    assert "pipeline" not in french.message

    update(status=ProjectStatus.SUSPENDED, end_date=date(2027, 12, 31))
    row = _assert_live(project.id)
    assert (row.rating, _codes(row)) == (Rag.AMBER, ["suspended"])
    assert row.elapsed_share == pytest.approx(ELAPSED_ON_TODAY)


def test_the_override_is_read_beside_the_stored_rating(make_project):
    project = make_project()
    services.add_milestone(
        db.session, project, actor=None, title="Diagnostic", due_date=date(2025, 6, 30)
    )
    services.override_rag(
        db.session,
        project,
        actor=None,
        rating="green",
        justification="The beneficiary agreed the new plan.",
        today=TODAY,
    )
    _assert_live(project.id)
    loaded = services.rag_ready_project(db.session, project.id)
    summary = services.project_summaries(db.session, [loaded], TODAY)[project.id]
    assert (summary.assessment.computed, summary.assessment.rating) == (Rag.RED, Rag.GREEN)
    assert summary.assessment.override is loaded.current_override


def _two_projects(make_project):
    late = make_project()
    services.add_milestone(
        db.session, late, actor=None, title="Roll-out", due_date=date(2026, 12, 31)
    )
    quiet = make_project()
    db.session.commit()
    return late.id, quiet.id


def test_a_summary_of_another_day_is_never_shown_and_the_nightly_job_renews_it(app, make_project):
    app.config["LMS_TODAY"] = None
    with clock.travel(TODAY):
        late_id, quiet_id = _two_projects(make_project)
    later = date(2027, 1, 15)  # the roll-out is 15 days late by then
    assert _row(late_id).computed_for == TODAY

    with clock.travel(later):
        projects = [services.rag_ready_project(db.session, i) for i in (late_id, quiet_id)]
        read = services.project_summaries(db.session, projects, later)
        for project in projects:
            assert read[project.id].assessment == services.compute_rag(project, later)
            assert read[project.id].computed_for == later
        late = read[late_id]
        assert (late.late_milestones, late.assessment.reasons[0].rating) == (1, Rag.AMBER)
        # Read live, nothing written: the rows still say TODAY.
        assert _row(late_id).computed_for == TODAY

        result = jobs.refresh_summaries(db.session, datetime.combine(later, time(0, 5)))
        assert result.items == 2
        row = _assert_live(late_id, later)
        assert (row.reasons[0]["code"], row.reasons[0]["rating"]) == ("milestones_late", "amber")
        assert "15 days past its due date" in row.reasons[0]["message"]
        # Run again the same day: nothing is stale.
        assert jobs.refresh_summaries(db.session, datetime.combine(later, time(1))).items == 0


def test_missing_rows_are_rated_live_and_the_command_rebuilds_them(app, make_project):
    late_id, quiet_id = _two_projects(make_project)
    db.session.execute(sa.delete(ProjectSummary))  # as after the migration, or a bulk load
    db.session.commit()
    projects = [services.rag_ready_project(db.session, i) for i in (late_id, quiet_id)]
    read = services.project_summaries(db.session, projects, TODAY)
    assert [read[p.id].assessment for p in projects] == [
        services.compute_rag(p, TODAY) for p in projects
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectSummary)) == 0

    result = app.test_cli_runner().invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert "2 project summary(ies) rebuilt." in result.output
    for project_id in (late_id, quiet_id):
        _assert_live(project_id)


def test_the_portfolio_rows_read_from_the_summaries_equal_the_live_rows(make_project):
    late_id, quiet_id = _two_projects(make_project)
    done = services.add_milestone(
        db.session,
        services.rag_ready_project(db.session, quiet_id),
        actor=None,
        title="Kick-off",
        due_date=date(2024, 2, 1),
    )
    services.update_milestone(
        db.session, done, actor=None, status="done", completed_on=date(2024, 2, 1)
    )
    db.session.commit()
    db.session.expire_all()
    projects = [services.rag_ready_project(db.session, i) for i in (late_id, quiet_id)]
    stored = services.portfolio_rows(db.session, projects, TODAY)
    assert stored == [services.portfolio_row(p, TODAY) for p in projects]
    assert [r.next_milestones[0].title for r in stored[:1]] == ["Roll-out"]
    assert stored[1].next_milestones == [] and stored[1].done_pct == 100


# A fixed number of statements ------------------------------------------------------------


def _fill(project, milestones: int, indicators: int) -> None:
    for n in range(milestones):
        milestone = services.add_milestone(
            db.session,
            project,
            actor=None,
            title=f"Milestone {n}",
            due_date=date(2024, 2, 1) + timedelta(days=45 * n),
        )
        if n % 3 == 0:
            services.update_milestone(
                db.session,
                milestone,
                actor=None,
                status=MilestoneStatus.DONE,
                completed_on=milestone.due_date,
            )
    goal = services.add_logframe_element(
        db.session, project, actor=None, level="goal", statement="Data-driven customs"
    )
    for n in range(indicators):
        indicator = services.add_indicator(
            db.session,
            goal,
            actor=None,
            name=f"Indicator {n}",
            unit="officers",
            baseline_value=0,
            baseline_date=date(2024, 1, 1),
        )
        for year, value in (("2024", 10), ("2025", 20)):
            services.set_target(db.session, indicator, actor=None, period=year, value=value)
            services.report_actual(db.session, indicator, actor=None, period=year, value=value - n)
    db.session.commit()


def _page_statements(client, path: str) -> int:
    # Once first: a request a minute after the last one also records the session's last
    # visit (a write), and filling the database can take that long.
    client.get(path)

    def get():
        response = client.get(path)
        assert response.status_code == 200

    return count_statements(get)


def test_the_portfolio_runs_the_same_statements_for_3_and_12_full_projects(
    client, make_project, make_user
):
    login(client, make_user(Role.DIRECTORATE))
    for _ in range(3):
        _fill(make_project(commit=False), milestones=2, indicators=1)
    few = _page_statements(client, "/projects/?per_page=100")
    for _ in range(9):
        _fill(make_project(commit=False), milestones=8, indicators=4)
    html = client.get("/projects/?per_page=100").get_data(as_text=True)
    assert html.count("data-project=") == 12
    assert _page_statements(client, "/projects/?per_page=100") == few


def test_the_project_page_runs_the_same_statements_whatever_its_size(
    client, make_project, make_user
):
    login(client, make_user(Role.DIRECTORATE))
    small, large = make_project(commit=False), make_project(commit=False)
    _fill(small, milestones=2, indicators=1)
    _fill(large, milestones=12, indicators=6)
    assert _page_statements(client, f"/projects/{small.id}") == _page_statements(
        client, f"/projects/{large.id}"
    )


# The charts' SVG -------------------------------------------------------------------------


def test_an_indicator_chart_is_drawn_once_until_its_data_changes(
    make_project, make_indicator, make_user
):
    charts.clear_chart_caches()
    admin = make_user(Role.ADMIN)
    project = make_project()
    indicator = make_indicator(project, targets={"2024": 10, "2025": 20})
    services.report_actual(db.session, indicator, actor=None, period="2024", value=7)
    db.session.commit()

    first = charts.indicator_svg(indicator, label="Chart")
    assert charts.indicator_svg(indicator, label="Chart") is first
    info = charts.chart_cache_info()["indicator"]
    assert (info.misses, info.hits) == (1, 1)

    # Another figure for 2025: the key changes, the chart is drawn again with it.
    services.report_actual(db.session, indicator, actor=None, period="2025", value=13)
    db.session.commit()
    second = charts.indicator_svg(indicator, label="Chart")
    assert second != first
    assert second == charts.indicator_markup(charts.indicator_series(indicator), label="Chart")
    assert "<td>13</td>" in second  # the new figure, in the data table too
    assert charts.chart_cache_info()["indicator"].misses == 2

    # A target revised and an actual corrected are data changes too.
    services.set_target(db.session, indicator, actor=None, period="2025", value=25)
    db.session.commit()
    assert charts.indicator_svg(indicator, label="Chart") != second
    corrections.correct_actual(
        db.session, indicator.actuals[0], value=8, reason="Recounted", actor=admin
    )
    db.session.commit()
    charts.indicator_svg(indicator, label="Chart")
    assert charts.chart_cache_info()["indicator"].misses == 4


def test_the_project_page_draws_its_charts_once(client, make_project, make_indicator, make_user):
    charts.clear_chart_caches()
    login(client, make_user(Role.DIRECTORATE))
    project = make_project()
    indicator = make_indicator(project, targets={"2024": 10})
    services.add_milestone(
        db.session, project, actor=None, title="Diagnostic", due_date=date(2025, 6, 30)
    )
    db.session.commit()
    for _ in range(2):
        html = client.get(f"/projects/{project.id}").get_data(as_text=True)
        assert html.count('<svg role="img"') == 2  # the timeline and the indicator
    info = charts.chart_cache_info()
    assert (info["indicator"].misses, info["indicator"].hits) == (1, 1)
    assert (info["timeline"].misses, info["timeline"].hits) == (1, 1)

    services.report_actual(db.session, indicator, actor=None, period="2024", value=4)
    db.session.commit()
    client.get(f"/projects/{project.id}")
    assert charts.chart_cache_info()["indicator"].misses == 2
    assert charts.chart_cache_info()["timeline"].hits == 2  # the timeline did not change

"""The IATI 2.03 activity export: valid against the published schema and the IATI rulesets,
holding the figures the project was given, safe with hostile text, and readable only by who
may see the project."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from lxml import etree

from lms.accounts.models import Role
from lms.config import ConfigError, load_config
from lms.core.errors import ValidationError
from lms.core.extensions import db
from lms.projects import iati, services
from lms.projects.models import LogframeLevel, Project, ProjectStatus
from lms.projects.services.corrections import correct_actual
from tests.conftest import _config, login, post_form
from tests.projects.iati_checks import all_errors, rule_errors, schema_errors

TODAY = date(2026, 3, 2)
REF = "XM-DAC-99999"
SETTINGS = iati.IatiSettings(REF, "Test reporting organisation", "40", "33120")
PLANNED = {2024: "100000.50", 2025: "250000", 2026: "0", 2027: "75000.25"}


@pytest.fixture
def app_config(database_url):
    return _config(
        database_url,
        LMS_TODAY=TODAY,
        LMS_IATI_REPORTING_ORG_REF=REF,
        LMS_IATI_REPORTING_ORG_NAME="Test reporting organisation",
    )


@pytest.fixture
def project(make_project, make_member, make_user):
    """An active project with three beneficiaries, partners in every role, a yearly budget,
    a goal indicator (one figure corrected) and a quarterly percentage output indicator that
    should go down."""
    manager = make_user(Role.PROJECT_MANAGER, email="grace@example.org")
    members = [
        make_member(name=name, country_code=code)
        for name, code in (("Kenya RA", "KE"), ("Uganda RA", "UG"), ("Tanzania RA", "TZ"))
    ]
    project = make_project(
        manager=manager, beneficiaries=members, code="ds-ea-2024", start=date(2024, 3, 15)
    )
    project.summary = "Analytics unit & data governance"
    for name, role in (
        ("European Union", "funding"),
        ("Regional office", "accountable"),
        ("Implementing agency", "implementing"),
        ("Kenya RA", "beneficiary"),
    ):
        services.add_partner(db.session, project, actor=manager, name=name, role=role)
    for year, planned in PLANNED.items():
        services.set_budget_line(
            db.session, project, actor=manager, year=year, planned=planned, spent=0
        )
    goal = services.add_logframe_element(
        db.session, project, actor=manager, level=LogframeLevel.GOAL, statement="Data decides"
    )
    outcome = services.add_logframe_element(
        db.session, project, actor=manager, level="outcome", statement="Unit works", parent=goal
    )
    output = services.add_logframe_element(
        db.session, project, actor=manager, level="output", statement="Rules", parent=outcome
    )
    certified = services.add_indicator(
        db.session,
        goal,
        actor=manager,
        name="Officers certified",
        unit="officers",
        baseline_value="3",
        baseline_date=date(2024, 1, 1),
    )
    for period, value in (("2024", "10"), ("2025", "20.5")):
        services.set_target(db.session, certified, actor=manager, period=period, value=value)
    first = services.report_actual(
        db.session, certified, actor=manager, period="2024", value="9", comment="First count"
    )
    correct_actual(db.session, first, value="11", reason="Recounted the roster", actor=manager)
    services.report_actual(db.session, certified, actor=manager, period="2025", value="19")
    delays = services.add_indicator(
        db.session,
        output,
        actor=manager,
        name="Declarations held over a day",
        unit="%",
        baseline_value="40",
        baseline_date=date(2024, 12, 31),
        period_kind="quarter",
    )
    services.set_target(db.session, delays, actor=manager, period="2025-Q1", value="35")
    services.set_target(db.session, delays, actor=manager, period="2025-Q4", value="20")
    services.report_actual(db.session, delays, actor=manager, period="2025-Q2", value="31")
    db.session.commit()
    return project


def _xml(projects, today=TODAY) -> bytes:
    return iati.activities_xml(projects, SETTINGS, today=today)


def _loaded(project_id: int) -> Project:
    db.session.expire_all()
    return services.load_project(db.session, project_id)


def _activity(body: bytes) -> etree._Element:
    return etree.fromstring(body).find("iati-activity")


def test_a_project_is_a_valid_activity_with_its_own_figures(project):
    body = _xml([_loaded(project.id)])

    assert all_errors(body, TODAY) == {}
    root = etree.fromstring(body)
    assert (root.tag, root.get("version")) == ("iati-activities", "2.03")
    activity = root.find("iati-activity")
    assert activity.findtext("iati-identifier") == f"{REF}-DS-EA-2024"
    assert activity.find("reporting-org").get("ref") == REF
    assert activity.get("default-currency") == "EUR"
    assert activity.findtext("description[@type='1']/narrative") == (
        "Analytics unit & data governance"
    )
    roles = {
        (o.get("role"), o.findtext("narrative")) for o in activity.findall("participating-org")
    }
    assert roles == {
        ("1", "European Union"),
        ("2", "Regional office"),
        ("4", "Implementing agency"),
        ("3", "Test reporting organisation"),
    }  # a beneficiary partner is a recipient country, not a participating organisation
    assert activity.find("activity-status").get("code") == "2"
    dates = {d.get("type"): d.get("iso-date") for d in activity.findall("activity-date")}
    assert dates == {"1": "2024-03-15", "2": "2024-03-15", "3": "2027-12-31"}
    countries = {c.get("code"): c.get("percentage") for c in activity.findall("recipient-country")}
    assert countries == {"KE": "33.33", "TZ": "33.33", "UG": "33.34"}
    sector = activity.find("sector")
    assert (sector.get("vocabulary"), sector.get("code"), sector.get("percentage")) == (
        "1",
        "33120",
        "100",
    )


def test_budgets_are_the_planned_years_and_sum_to_the_budget(project):
    budgets = _activity(_xml([_loaded(project.id)])).findall("budget")

    planned = sum(Decimal(v) for v in PLANNED.values())
    assert sum(Decimal(b.findtext("value")) for b in budgets) == planned == Decimal("425000.75")
    spans = [
        (b.find("period-start").get("iso-date"), b.find("period-end").get("iso-date"))
        for b in budgets
    ]
    # The first year starts with the project; a year with nothing planned is left out.
    assert spans == [
        ("2024-03-15", "2024-12-31"),
        ("2025-01-01", "2025-12-31"),
        ("2027-01-01", "2027-12-31"),
    ]
    assert [b.find("value").get("value-date") for b in budgets] == [s for s, _ in spans]


def test_results_carry_baselines_targets_and_current_actuals(project):
    activity = _activity(_xml([_loaded(project.id)]))

    assert [r.get("type") for r in activity.findall("result")] == ["3", "1"]  # goal, output
    goal, output = activity.findall("result")
    certified = goal.find("indicator")
    assert (certified.get("measure"), certified.get("ascending")) == ("1", "1")
    assert certified.findtext("title/narrative") == "Officers certified"
    baseline = certified.find("baseline")
    assert (baseline.get("year"), baseline.get("iso-date"), baseline.get("value")) == (
        "2024",
        "2024-01-01",
        "3",
    )
    periods = [
        (
            p.find("period-start").get("iso-date"),
            p.find("period-end").get("iso-date"),
            p.find("target").get("value"),
            p.find("actual").get("value"),
        )
        for p in certified.findall("period")
    ]
    # The corrected 2024 figure (9) is gone, its replacement (11) counts.
    assert periods == [
        ("2024-01-01", "2024-12-31", "10", "11"),
        ("2025-01-01", "2025-12-31", "20.5", "19"),
    ]
    delays = output.find("indicator")
    assert (delays.get("measure"), delays.get("ascending")) == ("2", "0")
    quarters = [
        (
            p.find("period-start").get("iso-date"),
            p.find("period-end").get("iso-date"),
            _value(p, "target"),
            _value(p, "actual"),
        )
        for p in delays.findall("period")
    ]
    assert quarters == [
        ("2025-01-01", "2025-03-31", "35", None),
        ("2025-04-01", "2025-06-30", None, "31"),
        ("2025-10-01", "2025-12-31", "20", None),
    ]


def _value(period: etree._Element, tag: str) -> str | None:
    node = period.find(tag)
    return None if node is None else node.get("value")


@pytest.mark.parametrize(
    ("status", "code", "dates"),
    [
        (ProjectStatus.PIPELINE, "1", {"1", "3"}),
        (ProjectStatus.ACTIVE, "2", {"1", "2", "3"}),
        (ProjectStatus.SUSPENDED, "6", {"1", "2", "3"}),
        (ProjectStatus.COMPLETED, "4", {"1", "2", "3", "4"}),
        (ProjectStatus.CANCELLED, "5", {"1", "3"}),
    ],
)
def test_status_and_dates_follow_the_projects_status(make_project, status, code, dates):
    project = make_project(status=status, start=date(2023, 1, 1), end=date(2025, 12, 31))
    activity = _activity(_xml([_loaded(project.id)]))

    assert activity.find("activity-status").get("code") == code
    assert {d.get("type") for d in activity.findall("activity-date")} == dates
    assert rule_errors(etree.tostring(activity.getparent()), TODAY) == []


def test_no_actual_date_lies_in_the_future(make_project):
    """A completed project whose end date is still ahead has no actual end yet; an active one
    that has not reached its start date has no actual start."""
    ended_early = make_project(status=ProjectStatus.COMPLETED, end=date(2026, 12, 31))
    not_started = make_project(start=date(2026, 6, 1), end=date(2027, 6, 1))
    for project, absent in ((ended_early, "4"), (not_started, "2")):
        activity = _activity(_xml([_loaded(project.id)]))
        assert absent not in {d.get("type") for d in activity.findall("activity-date")}


def test_a_projects_own_sector_replaces_the_default(make_project):
    project = make_project()
    project.dac_sector = "15111"
    db.session.commit()
    assert _activity(_xml([_loaded(project.id)])).find("sector").get("code") == "15111"


def test_hostile_text_is_escaped_and_forbidden_characters_dropped(make_project, make_user):
    project = make_project(code="a b/c&d")
    project.title = 'Tom & Jerry <script>alert("x")</script>\x01\x08\x0b\x1b end'
    project.summary = "]]> <!-- \x0c -->"
    services.add_partner(
        db.session, project, actor=None, name="<Funder> & Sons\x07", role="funding"
    )
    db.session.commit()

    body = _xml([_loaded(project.id)])

    assert schema_errors(body) == []
    activity = _activity(body)
    assert activity.findtext("title/narrative") == ('Tom & Jerry <script>alert("x")</script> end')
    assert activity.findtext("description/narrative") == "]]> <!--  -->"
    assert b"<script>" not in body and b"&lt;script&gt;" in body
    assert "<Funder> & Sons" in {n.text for n in activity.iter("narrative")}
    assert activity.findtext("iati-identifier") == f"{REF}-A-B-C-D"


def test_xml_text_keeps_tabs_and_newlines_and_drops_other_controls():
    assert iati.xml_text("a\tb\nc\rd\x00e\x1ff\ufffeg\ud800h") == "a\tb\nc\rdefgh"


def test_the_rule_checks_catch_broken_files(project):
    """The checks above can fail: each broken copy is caught."""
    good = _xml([_loaded(project.id)])

    def broken(change) -> list[str]:
        root = etree.fromstring(good)
        change(root.find("iati-activity"))
        return rule_errors(etree.tostring(root), TODAY)

    def long_budget(a):
        a.find("budget/period-end").set("iso-date", "2025-06-30")

    def future_start(a):
        a.find("activity-date[@type='2']").set("iso-date", "2026-12-01")

    assert broken(lambda a: a.find("recipient-country").set("percentage", "40"))
    assert broken(long_budget)
    assert broken(future_start)
    assert broken(lambda a: setattr(a.find("iati-identifier"), "text", "XX-1"))
    assert broken(lambda a: a.find("sector").set("percentage", "90"))
    assert rule_errors(good, TODAY) == []


def test_the_portfolio_holds_every_visible_project(client, make_user, project, make_project):
    other = make_project(code="CL-1")
    director = make_user(Role.DIRECTORATE)
    login(client, director)

    response = client.get("/projects/iati.xml")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="iati-activities-2026-03-02.xml"'
    )
    body = response.get_data()
    assert all_errors(body, TODAY) == {}
    identifiers = [a.findtext("iati-identifier") for a in etree.fromstring(body)]
    # In the portfolio's order: by start date (CL-1 starts on 1 January 2024).
    assert identifiers == [f"{REF}-{other.code}", f"{REF}-DS-EA-2024"]
    generated = datetime.fromisoformat(etree.fromstring(body).get("generated-datetime"))
    assert generated.date() == TODAY and generated.tzinfo is not None
    # The portfolio page's filters apply to its export.
    mine = client.get(f"/projects/iati.xml?manager={project.managers[0].id}").get_data()
    assert [a.findtext("iati-identifier") for a in etree.fromstring(mine)] == [f"{REF}-DS-EA-2024"]


def test_one_projects_download(client, make_user, project):
    login(client, make_user(Role.DIRECTORATE))

    response = client.get(f"/projects/{project.id}/iati.xml")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert 'filename="iati-DS-EA-2024.xml"' in response.headers["Content-Disposition"]
    assert all_errors(response.get_data(), TODAY) == {}
    assert len(etree.fromstring(response.get_data())) == 1
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'href="/projects/{project.id}/iati.xml"' in page
    assert 'href="/projects/iati.xml"' in client.get("/projects/").get_data(as_text=True)


def test_who_may_download_is_who_may_see_the_project(client, make_user, make_member, make_project):
    """The export asks the project page's rule: a trainee gets nothing; a focal point only her
    administration's project; a manager reads colleagues' projects, as on their pages."""
    kenya = make_member(country_code="KE", focal_point_email="focal@example.org")
    chile = make_member(country_code="CL")
    grace = make_user(Role.PROJECT_MANAGER)
    hers = make_project(manager=grace, beneficiaries=[kenya], code="KE-1")
    theirs = make_project(beneficiaries=[chile], code="CL-1")
    focal = make_user(Role.TRAINEE, email="focal@example.org")
    trainee = make_user(Role.TRAINEE)

    login(client, trainee)
    assert client.get("/projects/iati.xml").status_code == 403
    assert client.get(f"/projects/{hers.id}/iati.xml").status_code == 403
    post_form(client, "/auth/logout")

    login(client, focal)
    assert client.get(f"/projects/{theirs.id}/iati.xml").status_code == 403
    assert client.get(f"/projects/{hers.id}/iati.xml").status_code == 200
    body = client.get("/projects/iati.xml").get_data()
    assert [a.findtext("iati-identifier") for a in etree.fromstring(body)] == [f"{REF}-KE-1"]
    post_form(client, "/auth/logout")

    login(client, grace)
    for project in (hers, theirs):
        page = client.get(f"/projects/{project.id}").status_code
        assert client.get(f"/projects/{project.id}/iati.xml").status_code == page == 200
    assert client.get("/projects/99999/iati.xml").status_code == 404


def test_the_sector_is_edited_on_the_project_form(client, logged_in, make_project):
    manager = logged_in(Role.PROJECT_MANAGER)
    project = make_project(manager=manager)
    form = {
        "code": project.code,
        "title": project.title,
        "status": "active",
        "start_date": "2024-01-01",
        "end_date": "2027-12-31",
        "currency": "EUR",
        "manager_ids": [str(manager.id)],
    }
    refused = post_form(client, f"/projects/{project.id}/edit", form | {"dac_sector": "3312A"})
    assert refused.status_code == 200
    assert "five-digit OECD DAC purpose code" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, project.id).dac_sector is None
    assert "(the programme's default)" in client.get(f"/projects/{project.id}").get_data(
        as_text=True
    )

    saved = post_form(client, f"/projects/{project.id}/edit", form | {"dac_sector": " 15111 "})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).dac_sector == "15111"
    post_form(client, f"/projects/{project.id}/edit", form | {"dac_sector": ""})
    db.session.expire_all()
    assert db.session.get(Project, project.id).dac_sector is None


def test_the_service_refuses_a_sector_that_is_not_five_digits(make_project):
    project = make_project()
    with pytest.raises(ValidationError, match="five-digit"):
        services.update_project(
            db.session,
            project,
            actor=None,
            code=project.code,
            title=project.title,
            start_date=project.start_date,
            end_date=project.end_date,
            manager_ids=[m.id for m in project.managers],
            dac_sector="１５１１１",  # full-width digits are digits to str.isdigit
        )


def test_the_database_refuses_a_sector_of_another_length(make_project):
    project = make_project()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.update(Project).where(Project.id == project.id).values(dac_sector="331")
        )
        db.session.flush()
    db.session.rollback()


def test_a_malformed_iati_setting_stops_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("LMS_IATI_REPORTING_ORG_REF", "XM DAC/1")
    with pytest.raises(ConfigError, match="LMS_IATI_REPORTING_ORG_REF"):
        load_config(tmp_path)
    monkeypatch.delenv("LMS_IATI_REPORTING_ORG_REF")
    monkeypatch.setenv("LMS_IATI_DEFAULT_SECTOR", "3312")
    with pytest.raises(ConfigError, match="LMS_IATI_DEFAULT_SECTOR"):
        load_config(tmp_path)
    monkeypatch.delenv("LMS_IATI_DEFAULT_SECTOR")
    config = load_config(tmp_path)
    assert iati.IatiSettings.from_config(config) == iati.IatiSettings(
        "XI-IATI-EXAMPLE", "Customs Capacity Building Programme", "40", "33120"
    )


def test_the_builder_needs_no_request(app, project):
    """The coming API calls the builder with a session and a user, outside any request."""
    body = iati.portfolio_xml(
        db.session,
        project.managers[0],
        SETTINGS,
        today=TODAY,
        generated_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    )
    assert etree.fromstring(body).get("generated-datetime") == "2026-03-02T09:30:00+00:00"
    assert all_errors(body, TODAY) == {}

"""The home page's dashboard: one section per role the user holds, each with the items of that
role's remit, counted independently here with plain SQL over the tables."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.model_base import UTCDateTime
from lms.core.models import OutboxMessage, OutboxStatus
from lms.demo import DEMO_PASSWORD
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger
from lms.scheduler.services import get_job, sync_jobs
from tests.conftest import _config, login

TODAY = date(2026, 3, 4)  # a Wednesday
MONDAY, SUNDAY = date(2026, 3, 2), date(2026, 3, 8)
SECTIONS = re.compile(r'data-section="(\w+)"')


@pytest.fixture
def app_config(database_url: str) -> dict:
    return _config(database_url, LMS_TODAY=TODAY.isoformat(), LMS_DEMO_TRAINEES=30)


def _sql(sql: str, columns: dict | None = None, **params) -> list:
    """Plain SQL; datetime parameters go through the UTC type, so both backends compare
    instants alike."""
    statement = sa.text(sql).bindparams(
        *(
            sa.bindparam(name, value, type_=UTCDateTime())
            if isinstance(value, datetime)
            else sa.bindparam(name, value)
            for name, value in params.items()
        )
    )
    if columns:
        statement = statement.columns(**columns)
    return db.session.execute(statement).all()


def _card(html: str, item: str) -> str:
    """The HTML of one dashboard card, up to the next card."""
    start = html.index(f'data-item="{item}"')
    following = html.find("data-item=", start + 10)
    return html[start : following if following != -1 else len(html)]


def _count(card: str) -> int:
    match = re.search(r'data-count="(\d+)"', card)
    return int(match.group(1)) if match else 0


def _home(app, email: str) -> str:
    client = app.test_client()
    assert login(client, email, DEMO_PASSWORD).status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _user_id(email: str) -> int:
    return _sql("SELECT id FROM users WHERE email = :e", e=email)[0][0]


@pytest.mark.demo
def test_each_demo_role_sees_what_needs_its_attention_and_nothing_else(app):
    # Trainee: the next session, the gaps to the track's targets, the certificates.
    html = _home(app, "trainee@example.org")
    assert SECTIONS.findall(html) == ["trainee"]
    nadia = _user_id("trainee@example.org")
    upcoming = _sql(
        "SELECT c.code FROM session_enrolments e JOIN course_sessions s ON s.id = e.session_id "
        "JOIN courses c ON c.id = s.course_id WHERE e.user_id = :u AND s.ends_on >= :today "
        "AND e.status IN ('enrolled', 'waitlisted', 'requested') ORDER BY s.starts_on",
        u=nadia,
        today=TODAY,
    )
    assert upcoming
    assert f">{upcoming[0][0]} " in _card(html, "next-session")
    targets = _sql(
        "SELECT c.code, l.position FROM track_targets t JOIN tracks k ON k.id = t.track_id "
        "JOIN competencies c ON c.id = t.competency_id JOIN scale_levels l ON l.id = t.level_id "
        "WHERE k.code = 'DATA-SPECIALISTS'"
    )
    latest: dict[str, tuple] = {}
    for code, position, at, rating_id in _sql(
        "SELECT c.code, l.position, r.rated_at, r.id FROM competency_ratings r "
        "JOIN competencies c ON c.id = r.competency_id JOIN scale_levels l ON l.id = r.level_id "
        "WHERE r.user_id = :u",
        {"rated_at": UTCDateTime()},
        u=nadia,
    ):
        if code not in latest or (at, rating_id) > latest[code][1:]:
            latest[code] = (position, at, rating_id)
    gaps = sorted(code for code, target in targets if latest.get(code, (0,))[0] < target)
    card = _card(html, "gaps")
    assert _count(card) == len(gaps) > 0
    assert re.findall(r'data-gap="([^"]+)"', card) == gaps[:5]
    for foreign in ("week", "late-milestones", "outbox", "job-failures"):
        assert f'data-item="{foreign}"' not in html
    assert 'data-testid="headline"' not in html

    david = _user_id("trainee01@example.org")
    codes = {
        c for (c,) in _sql("SELECT verification_code FROM certificates WHERE user_id = :u", u=david)
    }
    html = _home(app, "trainee01@example.org")
    assert codes and set(re.findall(r'data-certificate="([^"]+)"', html)) == codes

    # Trainer: this week's sessions, ended sessions without results, the review queue.
    trainer = _user_id("trainer@example.org")
    week = {
        i
        for (i,) in _sql(
            "SELECT s.id FROM course_sessions s JOIN session_trainers t ON t.session_id = s.id "
            "WHERE t.user_id = :u AND s.starts_on <= :sunday AND s.ends_on >= :monday "
            "AND s.status <> 'cancelled'",
            u=trainer,
            monday=MONDAY,
            sunday=SUNDAY,
        )
    }
    awaiting = {
        i
        for (i,) in _sql(
            "SELECT DISTINCT s.id FROM course_sessions s "
            "JOIN session_trainers t ON t.session_id = s.id "
            "JOIN session_enrolments e ON e.session_id = s.id "
            "WHERE t.user_id = :u AND s.ends_on < :today AND s.status <> 'cancelled' "
            "AND e.status IN ('enrolled', 'attended')",
            u=trainer,
            today=TODAY,
        )
    }
    pending = (
        _sql("SELECT COUNT(*) FROM review_requests WHERE status = 'open'")[0][0]
        + _sql("SELECT COUNT(*) FROM prior_learning_claims WHERE status = 'pending'")[0][0]
    )
    html = _home(app, "trainer@example.org")
    assert SECTIONS.findall(html) == ["trainer"]
    assert (
        week and {int(i) for i in re.findall(r'data-session="(\d+)"', _card(html, "week"))} == week
    )
    results = _card(html, "results")
    assert awaiting and {int(i) for i in re.findall(r'data-session="(\d+)"', results)} == awaiting
    assert pending and _count(_card(html, "reviews")) == pending
    assert 'data-item="gaps"' not in html and 'data-item="outbox"' not in html

    # Project managers: late milestones and indicator figures due, of their active projects.
    for email in ("manager@example.org", "manager2@example.org"):
        manager = _user_id(email)
        projects = [
            p
            for (p,) in _sql(
                "SELECT p.id FROM projects p JOIN project_managers m ON m.project_id = p.id "
                "WHERE m.user_id = :u AND p.status = 'active'",
                u=manager,
            )
        ]
        late = _late_milestones(projects)
        due = _sql(
            "SELECT t.id FROM indicator_targets t JOIN indicators i ON i.id = t.indicator_id "
            "WHERE i.project_id IN (SELECT p.id FROM projects p "
            "JOIN project_managers m ON m.project_id = p.id "
            "WHERE m.user_id = :u AND p.status = 'active') AND t.period_end <= :horizon "
            "AND NOT EXISTS (SELECT 1 FROM indicator_actuals a "
            "WHERE a.indicator_id = t.indicator_id AND a.period = t.period)",
            u=manager,
            horizon=TODAY + timedelta(days=30),
        )
        html = _home(app, email)
        assert SECTIONS.findall(html) == ["project_manager"]
        card = _card(html, "late-milestones")
        assert _count(card) == len(late)
        assert {int(i) for i in re.findall(r'data-milestone="(\d+)"', card)} <= late
        assert _count(_card(html, "indicators-due")) == len(due)
        assert 'data-item="week"' not in html and 'data-testid="headline"' not in html
    assert late  # manager2 runs the late project
    assert due  # its monitoring stopped two quarters ago

    # Directorate: the headline figures of the year so far.
    start = datetime(TODAY.year, 1, 1, tzinfo=UTC)
    enrolled = _sql(
        "SELECT COUNT(DISTINCT user_id) FROM track_enrolments WHERE enrolled_at >= :low "
        "AND enrolled_at < :high",
        low=start,
        high=datetime(2026, 3, 5, tzinfo=UTC),
    )[0][0]
    delivered = _sql(
        "SELECT COUNT(*) FROM course_sessions WHERE ends_on >= :start AND ends_on <= :today "
        "AND status <> 'cancelled'",
        start=start.date(),
        today=TODAY,
    )[0][0]
    valid = _sql(
        "SELECT COUNT(*) FROM certificates WHERE status = 'valid' "
        "AND (expires_on IS NULL OR expires_on >= :today)",
        today=TODAY,
    )[0][0]
    html = _home(app, "directorate@example.org")
    assert SECTIONS.findall(html) == ["directorate"]
    figures = dict(
        re.findall(r'data-figure="(\w+)"><div class="card-body p-2">\s*<div[^>]*>(\d+)<', html)
    )
    assert int(figures["enrolled"]) == enrolled
    assert int(figures["sessions"]) == delivered > 0
    assert int(figures["valid"]) == valid > 0
    assert 'data-item="outbox"' not in html and 'data-item="gaps"' not in html

    # Admin: the outbox and the job failures, nothing of the others' remits.
    html = _home(app, "admin@example.org")
    assert SECTIONS.findall(html) == ["admin"]
    pending_mail = _sql("SELECT COUNT(*) FROM outbox_messages WHERE status = 'pending'")[0][0]
    assert f'data-outbox-pending="{pending_mail}"' in html
    assert 'data-item="week"' not in html and 'data-testid="headline"' not in html


def _late_milestones(project_ids: list[int]) -> set[int]:
    if not project_ids:
        return set()
    statement = sa.text(
        "SELECT id FROM milestones WHERE project_id IN :ids AND due_date < :today "
        "AND status NOT IN ('done', 'cancelled')"
    ).bindparams(sa.bindparam("ids", expanding=True))
    rows = db.session.execute(statement, {"ids": project_ids, "today": TODAY}).all()
    return {i for (i,) in rows}


def test_admins_see_undeliverable_mail_and_recent_job_failures(app, client, make_user):
    now = datetime.now(UTC)
    sync_jobs(db.session, now)
    job = get_job(db.session, "outbox.deliver")
    for days, summary in ((1, "SMTPException: recent"), (10, "SMTPException: long ago")):
        db.session.add(
            JobRun(
                job_id=job.id,
                trigger=RunTrigger.SCHEDULE,
                started_at=now - timedelta(days=days),
                finished_at=now - timedelta(days=days),
                duration_ms=5,
                status=JobRunStatus.FAILED,
                summary=summary,
            )
        )
    db.session.add(
        OutboxMessage(
            recipient="nobody@bounce.example",
            subject="Your invitation",
            body="...",
            status=OutboxStatus.DEAD,
        )
    )
    db.session.add(OutboxMessage(recipient="someone@example.org", subject="Reminder", body="..."))
    db.session.commit()

    admin = make_user(Role.ADMIN)
    login(client, admin)
    html = client.get("/").get_data(as_text=True)
    assert SECTIONS.findall(html) == ["admin"]
    outbox = _card(html, "outbox")
    assert 'data-outbox-dead="1"' in outbox and 'data-outbox-pending="1"' in outbox
    assert "nobody@bounce.example" in outbox and "someone@example.org" not in outbox
    failures = _card(html, "job-failures")
    assert "recent" in failures and "long ago" not in failures and _count(failures) == 1

    client.post("/auth/logout")
    trainee = make_user(Role.TRAINEE)
    other = app.test_client()
    login(other, trainee)
    html = other.get("/").get_data(as_text=True)
    assert SECTIONS.findall(html) == ["trainee"]
    assert "nobody@bounce.example" not in html and "SMTPException" not in html


def test_a_user_with_several_roles_sees_each_of_their_sections(app, client, make_user):
    user = make_user([Role.TRAINEE, Role.TRAINER, Role.PROJECT_MANAGER])
    login(client, user)
    html = client.get("/").get_data(as_text=True)
    assert SECTIONS.findall(html) == ["trainee", "trainer", "project_manager"]
    for item in ("next-session", "gaps", "certificates", "week", "results", "reviews"):
        assert f'data-item="{item}"' in html
    assert 'data-item="outbox"' not in html and 'data-testid="headline"' not in html
    assert "No upcoming session" in html and "No session this week." in html

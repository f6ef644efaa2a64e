"""``?format=csv`` on every list page: the whole filtered list (not the page) through the
page's own query, cells neutralised, headers in the reader's language, refused to whoever
cannot see the page, and a statement count that does not grow with the rows.

The sweep runs on the demo data (every list has records); each expected set is computed
here from the database with plain SELECTs, not through the services the pages use."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import MemberAdministration, Role, User, UserRole
from lms.core import http_outbox
from lms.core.csv_export import csv_text, safe_filename
from lms.core.extensions import db
from lms.core.models import (
    AuditEntry,
    OutboundRequest,
    OutboundStatus,
    OutboxMessage,
    OutboxStatus,
)
from lms.courses.models import Course, CourseSession, CourseStatus, session_trainers
from lms.demo import DEMO_PASSWORD
from lms.frameworks.models import Framework, FrameworkStatus, ProficiencyScale, ScaleLevel, Track
from lms.notifications.models import Notification
from lms.progress.models import ClaimStatus, Intake, PriorLearningClaim, ReviewRequest, ReviewStatus
from lms.projects.models import Project
from lms.reports.models import ReportFormat, ReportKind, ReportRun, ReportSchedule, RunStatus
from lms.scheduler.models import JobRun, JobRunStatus, RunTrigger, ScheduledJob, TriggerKind
from tests.conftest import count_statements, login
from tests.translations import french_catalogue


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"].startswith("private")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 with the BOM
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _ids(stmt) -> list:
    return list(db.session.scalars(stmt))


def _with_role(role: Role) -> User:
    return db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == role, User.is_active.is_(True))
        .order_by(User.id)
    ).first()


def _client_for(app, user: User):
    client = app.test_client()
    response = login(client, user, DEMO_PASSWORD)
    assert response.status_code == 302, user.email
    return client


@pytest.fixture
def demo(app, demo_summary):
    """The demo data (``@pytest.mark.demo``) and rows of the lists it leaves empty."""
    now = datetime.now(UTC)
    for n in range(3):
        db.session.add(OutboxMessage(recipient=f"r{n}@example.org", subject=f"=S{n}", body="b"))
    for n in range(3):
        http_outbox.enqueue(
            db.session, channel="xapi", method="POST", url=f"https://lrs{n}.example.org/", body="{}"
        )
    job = ScheduledJob(name="csv-demo-job", trigger_kind=TriggerKind.INTERVAL, interval_seconds=60)
    db.session.add(job)
    db.session.flush()
    for n in range(4):
        db.session.add(
            JobRun(
                job_id=job.id,
                trigger=RunTrigger.MANUAL,
                started_at=now - timedelta(minutes=n),
                finished_at=now - timedelta(minutes=n) + timedelta(seconds=1),
                duration_ms=1000,
                status=JobRunStatus.OK,
                summary=f"run {n}",
            )
        )
    admin = _with_role(Role.ADMIN)
    for kind in (ReportKind.DIRECTORATE, ReportKind.DIRECTORATE):
        db.session.add(
            ReportRun(
                kind=kind,
                parameters={},
                format=ReportFormat.PDF,
                status=RunStatus.QUEUED,
                requested_by_id=admin.id,
            )
        )
    db.session.commit()
    return admin


def _column(rows: list[dict[str, str]], name: str) -> list[str]:
    return [row[name] for row in rows]


@pytest.mark.demo
def test_every_list_page_exports_its_whole_filtered_list(app, demo):
    """Each page's CSV holds exactly the records the page lists (all its pages), per filter."""
    admin = demo
    trainer = db.session.scalar(
        sa.select(User)
        .join(session_trainers, session_trainers.c.user_id == User.id)
        .order_by(User.id)
        .limit(1)
    )
    reader = db.session.scalar(
        sa.select(User).join(Notification).group_by(User.id).order_by(User.id).limit(1)
    )
    as_admin = _client_for(app, admin)
    as_trainer = _client_for(app, trainer)
    as_reader = _client_for(app, reader)
    trainees = sa.select(User).join(UserRole).where(UserRole.role == Role.TRAINEE)

    def names(stmt):
        return sorted(_ids(stmt))

    entity_type = db.session.scalar(
        sa.select(AuditEntry.entity_type)
        .group_by(AuditEntry.entity_type)
        .order_by(sa.func.count().desc())
        .limit(1)
    )

    cases = [
        (
            as_admin,
            "/admin/users?format=csv&page=2&per_page=1",  # the page number is ignored
            "Email",
            names(sa.select(User.email).where(User.is_active.is_(True))),
        ),
        (
            as_admin,
            "/admin/users?format=csv&status=all&role=trainer",
            "Email",
            names(sa.select(User.email).join(UserRole).where(UserRole.role == Role.TRAINER)),
        ),
        (
            as_admin,
            "/admin/members?format=csv",
            "Name",
            names(sa.select(MemberAdministration.name)),
        ),
        (
            as_admin,
            f"/admin/audit?format=csv&entity_type={entity_type}",
            "Record",
            names(
                sa.select(sa.func.coalesce(AuditEntry.entity_id, "")).where(
                    AuditEntry.entity_type == entity_type
                )
            ),
        ),
        (
            as_admin,
            f"/admin/outbox?format=csv&status={OutboxStatus.PENDING.value}",
            "To",
            names(
                sa.select(OutboxMessage.recipient).where(
                    OutboxMessage.status == OutboxStatus.PENDING
                )
            ),
        ),
        (
            as_admin,
            f"/admin/http-outbox?format=csv&status={OutboundStatus.PENDING.value}",
            "Address",
            names(
                sa.select(OutboundRequest.method + " " + OutboundRequest.url).where(
                    OutboundRequest.status == OutboundStatus.PENDING
                )
            ),
        ),
        (as_admin, "/projects/?format=csv", "Code", names(sa.select(Project.code))),
        (
            as_admin,
            "/trainees/?format=csv",
            "Name",
            names(trainees.with_only_columns(User.full_name)),
        ),
        (
            as_trainer,
            "/assessments/?format=csv",
            "Trainee",
            names(
                sa.select(User.full_name)
                .join(ReviewRequest, ReviewRequest.user_id == User.id)
                .where(ReviewRequest.status == ReviewStatus.OPEN)
            ),
        ),
        (
            as_trainer,
            "/assessments/?format=csv&list=claims",
            "Trainee",
            names(
                sa.select(User.full_name)
                .join(PriorLearningClaim, PriorLearningClaim.user_id == User.id)
                .where(PriorLearningClaim.status == ClaimStatus.PENDING)
            ),
        ),
        (as_admin, "/intakes/?format=csv", "Intake", names(sa.select(Intake.name))),
        (as_admin, "/admin/jobs/runs?format=csv", "Result", ["run 0", "run 1", "run 2", "run 3"]),
        (
            as_reader,
            "/notifications?format=csv",
            "Title",
            names(sa.select(Notification.title).where(Notification.user_id == reader.id)),
        ),
        (
            as_reader,
            "/notifications?format=csv&show=unread",
            "Title",
            names(
                sa.select(Notification.title).where(
                    Notification.user_id == reader.id, Notification.read_at.is_(None)
                )
            ),
        ),
        (as_admin, "/courses/?format=csv", "Code", names(sa.select(Course.code))),
        (
            as_reader,
            "/courses/?format=csv",
            "Code",
            names(sa.select(Course.code).where(Course.status == CourseStatus.PUBLISHED))
            if not reader.has_role(Role.ADMIN, Role.DIRECTORATE)
            else names(sa.select(Course.code)),
        ),
        (
            as_trainer,
            "/trainer/sessions?format=csv",
            "Starts",
            names(
                sa.select(CourseSession.starts_on)
                .join(session_trainers, session_trainers.c.session_id == CourseSession.id)
                .where(session_trainers.c.user_id == trainer.id)
            ),
        ),
        (as_admin, "/reports/?format=csv", "By", [admin.email, admin.email]),
        (
            as_admin,
            "/reports/trainees/?format=csv",
            "Name",
            names(trainees.with_only_columns(User.full_name)),
        ),
        (as_admin, "/reports/schedules/?format=csv", "Name", names(sa.select(ReportSchedule.name))),
        (as_admin, "/tracks/?format=csv", "Code", names(sa.select(Track.code))),
        (
            as_admin,
            "/frameworks/?format=csv&status=published",
            "Code",
            names(sa.select(Framework.code).where(Framework.status == FrameworkStatus.PUBLISHED)),
        ),
        (
            as_admin,
            "/scales/?format=csv",
            "Scale",
            names(
                sa.select(ProficiencyScale.name).join(
                    ScaleLevel, ScaleLevel.scale_id == ProficiencyScale.id
                )
            ),
        ),
    ]
    failures = []
    for client, url, column, expected in cases:
        rows = read_csv(client.get(url))
        got = sorted(_column(rows, column))
        want = sorted(str(v) if not isinstance(v, str) else v for v in expected)
        if column == "Starts":
            want = sorted(v.isoformat() for v in expected)
        if got != want:
            failures.append((url, got, want))
        if not rows:
            failures.append((url, "no rows: the demo should fill this list"))
        page_url = url.replace("format=csv&", "").replace("?format=csv", "")
        html = client.get(page_url).get_data(as_text=True)
        link = re.search(r'data-testid="csv-download"\s+href="([^"]+)"', html)
        if link is None or "format=csv" not in link.group(1) or "page=" in link.group(1):
            failures.append((page_url, "no download link keeping the filters", link))
    assert not failures, failures


def test_more_rows_than_a_page_are_all_exported(client, logged_in, make_user):
    admin = logged_in(Role.ADMIN)
    for n in range(130):  # more than MAX_PER_PAGE
        make_user(Role.TRAINEE, email=f"bulk{n:03}@example.org")
    rows = read_csv(client.get("/admin/users?format=csv&q=bulk"))
    assert sorted(_column(rows, "Email")) == [f"bulk{n:03}@example.org" for n in range(130)]
    assert admin.email not in _column(rows, "Email")


def test_formula_cells_are_neutralised(client, logged_in, make_user, make_member):
    logged_in(Role.ADMIN)
    member = make_member(name="+Douanes")
    make_user(Role.TRAINEE, full_name='=HYPERLINK("http://x")', member=member)
    make_user(Role.TRAINEE, full_name="@SUM(A1)")
    rows = read_csv(client.get("/admin/users?format=csv&role=trainee"))
    by_name = {row["Name"]: row for row in rows}
    assert set(by_name) == {'\'=HYPERLINK("http://x")', "'@SUM(A1)"}
    assert by_name['\'=HYPERLINK("http://x")']["Administration"] == "'+Douanes"
    members = read_csv(client.get("/admin/members?format=csv"))
    assert _column(members, "Name") == ["'+Douanes"]


def test_headers_are_in_the_readers_language(client, logged_in):
    logged_in(Role.ADMIN, preferred_language="fr")
    fr = french_catalogue()
    response = client.get("/admin/users?format=csv")
    header = next(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert header[:3] == [fr["Name"], fr["Email"], fr["Roles"]]
    assert header[0] != "Name"


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.TRAINEE, "/admin/users"),
        (Role.TRAINER, "/admin/members"),
        (Role.DIRECTORATE, "/admin/audit"),
        (Role.TRAINEE, "/admin/outbox"),
        (Role.TRAINEE, "/admin/jobs/runs"),
        (Role.TRAINEE, "/trainees/"),
        (Role.TRAINEE, "/assessments/"),
        (Role.TRAINER, "/intakes/"),
        (Role.TRAINEE, "/trainer/sessions"),
        (Role.TRAINEE, "/reports/trainees/"),
        (Role.TRAINER, "/reports/schedules/"),
        (Role.TRAINEE, "/projects/"),
    ],
)
def test_who_cannot_see_the_page_cannot_get_its_csv(client, logged_in, role, url):
    logged_in(role)
    page = client.get(url)
    export = client.get(f"{url}?format=csv")
    assert page.status_code in (302, 403)
    assert export.status_code == page.status_code
    assert export.mimetype != "text/csv"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/notifications?format=csv")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_trainers_trainee_export_keeps_to_their_remit(client, app, world, make_user):
    """The trainee list names everyone; its CSV only those the trainer may open."""
    from lms.courses import services
    from tests.courses.fixtures import TODAY

    mine = make_user(Role.TRAINEE, full_name="Mine Enrolled")
    make_user(Role.TRAINEE, full_name="Someone Else")
    services.request_enrolment(db.session, world.session_a, mine, actor=mine, today=TODAY)
    db.session.commit()
    login(client, world.trainer)
    rows = read_csv(client.get("/trainees/?format=csv"))
    assert _column(rows, "Name") == ["Mine Enrolled"]
    rows = read_csv(client.get("/reports/trainees/?format=csv"))
    assert _column(rows, "Name") == ["Mine Enrolled"]


def _statements(client, url: str) -> int:
    return count_statements(lambda: client.get(url).get_data())


def test_export_statements_do_not_grow_with_rows(client, logged_in, make_user, make_member, world):
    from lms.courses import services as courses
    from lms.courses.models import DeliveryMode

    logged_in(Role.ADMIN)
    urls = ("/admin/users?format=csv", "/admin/audit?format=csv", "/courses/?format=csv")
    urls += ("/tracks/?format=csv", "/admin/members?format=csv")

    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_user(Role.TRAINEE, member=make_member())
            courses.create_course(
                db.session,
                actor=world.manager,
                code=f"X{i:03}",
                title=f"Course {i}",
                hours=7,
                delivery_mode=DeliveryMode.WORKSHOP,
                languages=["en"],
                status="published",
                tracks=[courses.TrackLink(world.specialists.id)],
            )
        db.session.commit()

    grow(3, 0)
    small = {url: _statements(client, url) for url in urls}
    grow(30, 3)
    large = {url: _statements(client, url) for url in urls}
    assert large == small


def test_csv_text_and_filename():
    chunks = list(csv_text(["a", "b"], ([n, f"=x{n}"] for n in range(450))))
    text = "".join(chunks)
    assert len(chunks) == 3  # 200 rows a chunk, the rest last
    lines = text.splitlines()
    assert lines[0] == "a,b" and lines[1] == "0,'=x0" and len(lines) == 451
    assert safe_filename('../My "list" é.csv') == "My-list.csv"
    assert safe_filename("DQ101-2026-03-12-roster.csv") == "DQ101-2026-03-12-roster.csv"
    assert safe_filename("") == "export.csv"

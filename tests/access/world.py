"""The access matrix's world: two administrations and one record of every kind a URL names,
built once through the services, so a refusal is the permission check and not a missing
record.

Administration A has the trainee who owns the records (enrolment, ratings, claim, evidence,
certificate, badge, notification, calendar feed, report run); administration B has another
trainee. The trainer teaches session A, the other trainer session B; the project manager
manages project A (beneficiary A), the other manager project B (beneficiary B)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from PIL import Image

from lms.accounts import services as accounts
from lms.accounts.models import MemberAdministration, Region, Role, TokenPurpose, User, UserRole
from lms.api import tokens
from lms.badges.models import BadgeAward
from lms.calendar import services as calendar
from lms.core import clock
from lms.core.extensions import db
from lms.core.http_outbox import enqueue
from lms.core.outbox import enqueue_email
from lms.courses import services as courses
from lms.courses.models import DeliveryMode, PassOutcome
from lms.frameworks import imports as framework_imports
from lms.frameworks import services as frameworks
from lms.frameworks import tracks as track_services
from lms.frameworks.exporters import export_moodle_csv
from lms.frameworks.models import ImportFormat
from lms.notifications import services as notifications
from lms.notifications.services import ANNOUNCEMENT
from lms.progress import services as progress
from lms.progress.models import CompetencyRating
from lms.projects import services as projects
from lms.projects import training
from lms.projects.models import LogframeLevel
from lms.reports import organisation
from lms.reports import services as reports
from lms.scheduler.services import sync_jobs
from lms.webhooks import services as webhooks

TODAY = date(2026, 3, 2)
# A loopback address nothing listens on: a delivery tried during a request fails at once.
NOWHERE = "http://127.0.0.1:9/hook"

IDENTITIES = (
    "anonymous",
    "trainee",
    "trainee_b",
    "trainer",
    "trainer_b",
    "manager",
    "manager_b",
    "directorate",
    "admin",
)


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # URL argument -> value
    bearer: dict[str, str] = field(default_factory=dict)  # identity -> API token secret


def _member(name: str, code: str) -> MemberAdministration:
    member = MemberAdministration(name=name, country_code=code, region=Region.EUROPE)
    db.session.add(member)
    return member


def _user(email: str, roles: list[Role], member: MemberAdministration | None, hashed: str) -> User:
    user = User(
        email=email,
        full_name=email.split("@")[0].replace(".", " ").title(),
        password_hash=hashed,
        member_administration=member,
        role_links=[UserRole(role=r) for r in roles],
    )
    db.session.add(user)
    return user


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def build_world(app, password_hash: str) -> World:
    s = db.session
    w = World()
    member_a = _member("Administration A", "AA")
    member_b = _member("Administration B", "BB")
    u = w.users
    u["trainee"] = _user("trainee.a@example.org", [Role.TRAINEE], member_a, password_hash)
    u["trainee_b"] = _user("trainee.b@example.org", [Role.TRAINEE], member_b, password_hash)
    u["trainer"] = _user("trainer.a@example.org", [Role.TRAINER], member_a, password_hash)
    u["trainer_b"] = _user("trainer.b@example.org", [Role.TRAINER], member_b, password_hash)
    u["manager"] = _user("manager.a@example.org", [Role.PROJECT_MANAGER], None, password_hash)
    u["manager_b"] = _user("manager.b@example.org", [Role.PROJECT_MANAGER], None, password_hash)
    u["directorate"] = _user("directorate@example.org", [Role.DIRECTORATE], None, password_hash)
    u["admin"] = _user("admin@example.org", [Role.ADMIN], None, password_hash)
    invited = _user("invited@example.org", [Role.TRAINEE], member_a, None)
    s.flush()
    director = u["directorate"]

    # Frameworks, tracks, courses and sessions.
    scale = frameworks.default_scale(s, actor=director)
    levels = {lv.name: lv for lv in scale.levels}
    practitioner = levels["Practitioner"]
    fw = frameworks.create_framework(
        s, actor=director, name="Customs data analytics", code="CDA", scale=scale
    )
    domain = frameworks.create_competency(
        s, fw, actor=director, code="DM", short_name="Data management"
    )
    quality = frameworks.create_competency(
        s, fw, actor=director, parent=domain, code="DM.1", short_name="Data quality"
    )
    stats = frameworks.create_competency(
        s, fw, actor=director, parent=domain, code="DM.2", short_name="Statistics"
    )
    frameworks.publish_framework(s, fw, actor=director)
    track = track_services.create_track(
        s, actor=director, code="DS", name="Data specialists", framework=fw
    )
    s.flush()
    track_services.set_targets(s, track, {quality.id: practitioner.id}, actor=director)
    course = courses.create_course(
        s,
        actor=director,
        code="DQ101",
        title="Data quality in customs",
        hours=14,
        delivery_mode=DeliveryMode.WORKSHOP,
        languages=["en"],
        status="published",
        competencies=[courses.CompetencyLink(stats.id, practitioner.id, PassOutcome.RATE)],
        tracks=[courses.TrackLink(track.id)],
    )
    past = TODAY - timedelta(days=20)
    with clock.travel(past - timedelta(days=30)):
        session_a = courses.create_session(
            s,
            course,
            actor=director,
            starts_on=past,
            ends_on=past + timedelta(days=2),
            capacity=10,
            trainer_ids=[u["trainer"].id],
            restricted_member_ids=[member_a.id],  # a project session of administration A
        )
        session_b = courses.create_session(
            s,
            course,
            actor=director,
            starts_on=TODAY + timedelta(days=20),
            ends_on=TODAY + timedelta(days=22),
            capacity=10,
            trainer_ids=[u["trainer_b"].id],
        )
    with clock.travel(past - timedelta(days=14)):
        progress.enrol_in_track(s, u["trainee"], track, actor=u["trainee"])
        enrolment = courses.request_enrolment(
            s, session_a, u["trainee"], actor=u["trainee"], today=past - timedelta(days=14)
        )
    done = past + timedelta(days=3)
    with clock.travel(done):
        courses.mark_attendance(s, enrolment, attended=True, actor=u["trainer"])
        courses.record_result(
            s, enrolment, score=Decimal(80), passed=True, actor=u["trainer"], today=done
        )
    courses.request_enrolment(s, session_b, u["trainee_b"], actor=u["trainee_b"], today=TODAY)

    # The trainee's learning record: a rating, a claim with evidence, a certificate, a badge.
    rating = progress.rate_competency(
        s,
        user=u["trainee"],
        competency=quality,
        level=practitioner,
        source=progress.RatingSource.ASSESSOR,
        actor=u["trainer"],
        comment="Observed",
    )
    claim = progress.claim_prior_learning(
        s,
        user=u["trainee"],
        competency=stats,
        level=practitioner,
        description="Three years as a statistician.",
    )
    s.flush()
    evidence = progress.store_evidence_file(
        s,
        store=progress.EvidenceStore.from_config(app.config),
        trainee_id=u["trainee"].id,
        competency=stats,
        uploaded_by=u["trainee"],
        filename="diploma.pdf",
        stream=io.BytesIO(_pdf()),
        claim=claim,
    )
    certificate = progress.issue_certificate(s, u["trainee"], track, today=TODAY, actor=director)
    s.flush()
    award = s.scalar(sa.select(BadgeAward).where(BadgeAward.certificate_id == certificate.id))
    intake = progress.create_intake(
        s,
        actor=director,
        name="2026 intake",
        track=track,
        year=2026,
        member_administration_id=member_a.id,
    )
    note = notifications.notify(s, u["trainee"], ANNOUNCEMENT.key, "Welcome")
    calendar_token = calendar.create_feed(s, u["trainee"], actor=u["trainee"])
    staged, _result = framework_imports.stage_import(
        s,
        actor=director,
        format=ImportFormat.MOODLE_CSV,
        filename="x.csv",
        content=export_moodle_csv(s, fw).replace("CDA", "CDB").encode(),
    )
    assert staged is not None, [str(p) for p in _result.problems]

    # Projects: A managed by the manager for administration A, B by the other manager.
    project_a, project_b = (
        projects.create_project(
            s,
            actor=None,
            code=code,
            title=f"Data strategy {code}",
            start_date=date(2024, 1, 1),
            end_date=date(2027, 12, 31),
            status="active",
            beneficiary_ids=[member.id],
            manager_ids=[manager.id],
        )
        for code, member, manager in (
            ("P-A", member_a, u["manager"]),
            ("P-B", member_b, u["manager_b"]),
        )
    )
    goal = projects.add_logframe_element(
        s, project_a, actor=None, level=LogframeLevel.GOAL, statement="Data-driven customs"
    )
    outcome = projects.add_logframe_element(
        s, project_a, actor=None, level=LogframeLevel.OUTCOME, statement="Skills", parent=goal
    )
    output = projects.add_logframe_element(
        s,
        project_a,
        actor=None,
        level=LogframeLevel.OUTPUT,
        statement="Officers trained",
        parent=outcome,
    )
    activity = projects.add_activity(s, output, actor=None, title="Workshops")
    indicator = projects.add_indicator(
        s,
        goal,
        actor=None,
        name="Officers certified",
        unit="officers",
        baseline_value=0,
        baseline_date=date(2024, 1, 1),
    )
    actual = projects.report_actual(s, indicator, actor=None, period="2025", value=3)
    phase = projects.add_phase(
        s,
        project_a,
        actor=None,
        name="Inception",
        start_date=date(2024, 1, 1),
        end_date=date(2024, 6, 30),
    )
    milestone = projects.add_milestone(
        s, project_a, actor=None, title="Baseline study", due_date=date(2024, 6, 1)
    )
    partner = projects.add_partner(s, project_a, actor=None, name="Donor", role="funding")
    risk = projects.save_risk(
        s,
        project_a,
        None,
        actor=None,
        description="Staff turnover",
        likelihood="medium",
        impact="high",
    )
    link = training.link_session(s, project_a, activity, session_a, actor=u["admin"])

    # Reports, administration records and the API.
    run = reports.request_run(
        s, user=director, kind="directorate", params={}, format="pdf", today=TODAY
    )
    schedule = reports.save_schedule(
        s,
        actor=director,
        name="Monthly report",
        kind="directorate",
        parameters={"period": "previous_month"},
        format="pdf",
        recurrence="monthly",
        empty_policy="send",
        next_run_at=datetime(2026, 4, 1, 6, tzinfo=UTC),
        recipients=[reports.RecipientSpec(user_id=director.id)],
    )
    message = enqueue_email(s, "someone@example.org", "Subject", "Body")
    outbound = enqueue(s, channel="test", method="POST", url=NOWHERE, body="{}")
    sync_jobs(s)
    subscription = webhooks.create_subscription(
        s, url=NOWHERE, events=["result.recorded"], actor=u["admin"], allow_http=True
    )
    logo = io.BytesIO()
    Image.new("RGB", (240, 120), (13, 59, 102)).save(logo, "PNG")
    organisation.update(
        s, actor=None, name="Org", signatory_name="", signatory_title="", logo=logo.getvalue()
    )
    invitation = accounts.issue_token(s, invited, TokenPurpose.INVITATION, timedelta(days=7))
    token_record = None
    for name, user in u.items():
        record, secret = tokens.create_token(
            s, user, name="matrix", scope="read-write", days=30, now=clock.now()
        )
        w.bearer[name] = secret
        if name == "trainee":
            token_record = record
    s.flush()
    w.values = {
        "user_id": u["trainee"].id,
        "member_id": member_a.id,
        "message_id": message.id,
        "request_id": outbound.id,
        "name": "outbox.deliver",
        "image": "logo",
        "subscription_id": subscription.id,
        "award_id": award.id,
        "uuid": award.uuid,
        "course_id": course.id,
        "session_id": session_a.id,
        "enrolment_id": enrolment.id,
        "framework_id": fw.id,
        "competency_id": quality.id,
        "track_id": track.id,
        "project_id": project_a.id,
        "token_id": token_record.id,
        "token": invitation,
        "number": 0,
        "filename": "css/app.css",
        "kind": "result",
        "state": "present",
        "direction": "down",
        "import_id": staged.id if staged else 0,
        "notification_id": note.id,
        "claim_id": claim.id,
        "file_id": evidence.id,
        "intake_id": intake.id,
        "rating_id": rating.id,
        "actual_id": actual.id,
        "indicator_id": indicator.id,
        "element_id": goal.id,
        "milestone_id": milestone.id,
        "partner_id": partner.id,
        "phase_id": phase.id,
        "risk_id": risk.id,
        "link_id": link.id,
        "certificate_id": certificate.id,
        "schedule_id": schedule.id,
        "run_id": run.id,
        "code": certificate.verification_code,
        "calendar_token": calendar_token,
        "project_b_id": project_b.id,
        "session_b_id": session_b.id,
    }
    assert s.get(CompetencyRating, rating.id) is not None
    return w

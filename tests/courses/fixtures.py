"""Fixtures (a pytest plugin loaded by tests/conftest.py): a small learning world built
through the services: a published framework with a roll-up
domain, the Data specialists and Experts tracks with targets, two required courses and open
sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.courses import services as courses
from lms.courses.models import Course, CourseSession, DeliveryMode, PassOutcome
from lms.frameworks import services as frameworks
from lms.frameworks import tracks as track_services
from lms.frameworks.models import Competency, Framework, RollupRule, ScaleLevel, Track

TODAY = date(2026, 3, 2)


@dataclass
class World:
    framework: Framework
    levels: dict[str, ScaleLevel]
    domain: Competency
    quality: Competency
    stats: Competency
    specialists: Track
    experts: Track
    course_a: Course
    course_b: Course
    session_a: CourseSession
    session_b: CourseSession
    trainer: object
    manager: object


@pytest.fixture
def world(app, make_user, fixed_today) -> World:
    s = db.session
    manager = make_user(Role.DIRECTORATE, email="manager.dir@example.org")
    trainer = make_user(Role.TRAINER, email="assessor@example.org", full_name="Sofia Assessor")
    scale = frameworks.default_scale(s, actor=manager)
    levels = {lv.name: lv for lv in scale.levels}
    fw = frameworks.create_framework(
        s, actor=manager, name="Customs data analytics", code="CDA", scale=scale
    )
    domain = frameworks.create_competency(
        s, fw, actor=manager, code="DM", short_name="Data management", rule=RollupRule.ALL
    )
    quality = frameworks.create_competency(
        s, fw, actor=manager, parent=domain, code="DM.1", short_name="Data quality"
    )
    stats = frameworks.create_competency(
        s, fw, actor=manager, parent=domain, code="DM.2", short_name="Descriptive statistics"
    )
    frameworks.publish_framework(s, fw, actor=manager)
    specialists = track_services.create_track(
        s, actor=manager, code="DS", name="Data specialists", framework=fw
    )
    experts = track_services.create_track(
        s, actor=manager, code="EXP", name="Experts", framework=fw, prerequisite=specialists
    )
    s.flush()
    practitioner = levels["Practitioner"]
    track_services.set_targets(
        s, specialists, {quality.id: practitioner.id, stats.id: practitioner.id}, actor=manager
    )
    track_services.set_targets(s, experts, {quality.id: levels["Expert"].id}, actor=manager)
    course_a = courses.create_course(
        s,
        actor=manager,
        code="DQ101",
        title="Data quality in customs",
        hours=14,
        delivery_mode=DeliveryMode.WORKSHOP,
        languages=["en", "fr"],
        status="published",
        competencies=[courses.CompetencyLink(quality.id, practitioner.id, PassOutcome.RATE)],
        tracks=[courses.TrackLink(specialists.id)],
    )
    course_b = courses.create_course(
        s,
        actor=manager,
        code="ST201",
        title="Statistics for risk analysis",
        hours=21,
        delivery_mode=DeliveryMode.E_LEARNING,
        languages=["en"],
        status="published",
        competencies=[courses.CompetencyLink(stats.id, practitioner.id, PassOutcome.RATE)],
        tracks=[courses.TrackLink(specialists.id)],
    )
    session_a = courses.create_session(
        s,
        course_a,
        actor=manager,
        starts_on=TODAY + timedelta(days=10),
        ends_on=TODAY + timedelta(days=12),
        capacity=2,
        trainer_ids=[trainer.id],
    )
    session_b = courses.create_session(
        s,
        course_b,
        actor=manager,
        starts_on=TODAY + timedelta(days=20),
        ends_on=TODAY + timedelta(days=40),
        capacity=10,
        trainer_ids=[trainer.id],
    )
    s.commit()
    return World(
        fw,
        levels,
        domain,
        quality,
        stats,
        specialists,
        experts,
        course_a,
        course_b,
        session_a,
        session_b,
        trainer,
        manager,
    )


@pytest.fixture
def fixed_today(monkeypatch):
    """Pages use ``lms.core.clock.today``; these tests live on ``TODAY``."""
    from lms.core import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)


def after(course_session: CourseSession) -> datetime:
    """A moment after the session has ended, when its attendance and results are true."""
    return course_session.ends_at + timedelta(hours=1)

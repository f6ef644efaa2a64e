"""Wiring without an app: a script, the CLI or the scheduler process calls ``lms.features.wire()``
and gets every feature's rules, jobs, notification kinds and signal listeners, without any
view being imported. Checked in a fresh interpreter, since this test process has long since
built apps and imported every view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, sys

    import lms.features
    features = lms.features.wire()

    from lms.core import permissions, signals
    from lms.notifications.registry import KINDS
    from lms.scheduler.registry import JOBS

    report = {
        "views": sorted(m for m in sys.modules if m.startswith("lms.") and m.endswith(".views")),
        "flask_app_modules": sorted(m for m in sys.modules if m == "lms.app"),
        "rules": sorted(model.__name__ for model in permissions._view_rules),
        "receivers": {
            name: len(getattr(signals, name).receivers)
            for name in ("session_approvers", "trainee_remit", "framework_version_published")
        },
        "jobs": sorted(JOBS),
        "declared_jobs": sorted(job.job_definition.name for f in features for job in f.jobs),
        "kinds": sorted(KINDS),
        "declared_kinds": sorted(kind.key for f in features for kind in f.notification_kinds),
    }

    # A framework version published through the frameworks service, on a plain SQLAlchemy
    # session over a fresh SQLite file: progress's listener carries the rating over.
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from lms.accounts.models import Role, User, UserRole
    from lms.core.database import configure_engine_events
    from lms.core.model_base import Base
    from lms.frameworks import services as frameworks
    from lms.progress import services as progress
    from lms.progress.models import CompetencyRating, RatingSource

    configure_engine_events()
    engine = sa.create_engine("sqlite:///" + sys.argv[1])
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        editor = User(email="editor@example.org", full_name="Editor",
                      role_links=[UserRole(role=Role.DIRECTORATE)])
        trainer = User(email="trainer@example.org", full_name="Trainer",
                       role_links=[UserRole(role=Role.TRAINER)])
        trainee = User(email="trainee@example.org", full_name="Trainee",
                       role_links=[UserRole(role=Role.TRAINEE)])
        session.add_all([editor, trainer, trainee])
        session.flush()
        scale = frameworks.default_scale(session, actor=editor)
        fw = frameworks.create_framework(session, actor=editor, name="Data", code="D", scale=scale)
        quality = frameworks.create_competency(
            session, fw, actor=editor, code="Q", short_name="Data quality"
        )
        frameworks.publish_framework(session, fw, actor=editor)
        level = scale.levels[-1]
        progress.rate_competency(
            session, user=trainee, competency=quality, level=level,
            source=RatingSource.ASSESSOR, actor=trainer,
        )
        session.commit()

        v2 = frameworks.create_new_version(session, fw, actor=editor)
        frameworks.publish_framework(session, v2, actor=editor)
        session.commit()

        new_quality = frameworks.map_competency(session, quality, v2)
        carried = session.scalars(
            sa.select(CompetencyRating).where(
                CompetencyRating.user_id == trainee.id,
                CompetencyRating.competency_id == new_quality.id,
            )
        ).all()
        report["carried"] = [(r.source.value, r.level_id == level.id) for r in carried]
        report["new_competency_in_v2"] = new_quality.framework_id == v2.id

    report["views_after_services"] = sorted(
        m for m in sys.modules if m.startswith("lms.") and m.endswith(".views")
    )
    print(json.dumps(report))
    """
)


def _run(tmp_path) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LMS_ENV": "testing",
        "SECRET_KEY": "x",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "wired.sqlite3")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_wire_without_an_app_registers_everything_and_imports_no_view(tmp_path):
    report = _run(tmp_path)

    assert report["views"] == []
    assert report["views_after_services"] == []
    assert {
        "Course",
        "CourseSession",
        "SessionEnrolment",
        "Intake",
        "Framework",
        "Competency",
        "Track",
        "ProficiencyScale",
        "Project",
        "Notification",
        "ScheduledJob",
        "JobRun",
    } <= set(report["rules"])
    assert all(count > 0 for count in report["receivers"].values()), report["receivers"]
    assert {
        "sessions.remind",
        "sessions.waitlist_cleanup",
        "certificates.expiry_reminders",
        "milestones.remind",
        "projects.weekly_digest",
        "reports.schedules",
        "reports.queued",
        "outbox.deliver",
        "sessions.cleanup",
        "history.prune",
    } <= set(report["jobs"])
    assert set(report["declared_jobs"]) == set(report["jobs"])
    assert set(report["declared_kinds"]) <= set(report["kinds"])
    assert report["declared_kinds"], "the features declare notification kinds"

    # Publishing through the frameworks service reached progress's listener (no app context
    # was needed: the services' translations fall back outside a request).
    assert report["new_competency_in_v2"]
    assert report["carried"] == [["carried_over", True]]

"""Demo assistance projects, 2023–2028: one on track, one with late milestones (and a manager
override), one in the pipeline and one completed, with logframes, indicators, targets and
actuals, phases, milestones, risks and progress updates.

Dates that decide the status are placed relative to the day the demo is loaded, so the
on-track project stays on track and the late one stays late whenever the demo is loaded.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.demo import DEMO_PASSWORD
from lms.accounts.models import Role, User
from lms.accounts.services import create_user
from lms.core import clock
from lms.projects.demo.helpers import member_ids
from lms.projects.demo.late import late_project
from lms.projects.demo.on_track import on_track_project
from lms.projects.demo.others import completed_project, pipeline_project
from lms.projects.demo.training import link_demo_training
from lms.projects.services.summary import refresh_project_summaries


def load_projects(session: Session) -> str:
    """The demo step of the projects feature (named in ``feature.py``)."""
    today = clock.today()
    users = {
        u.email: u
        for u in session.scalars(
            sa.select(User).where(User.email.in_(["manager@example.org", "manager2@example.org"]))
        )
    }
    manager, manager2 = users["manager@example.org"], users["manager2@example.org"]
    kenya = member_ids(session, "KE")[0]
    focal = create_user(
        session,
        actor=None,
        email="focal.ke@example.org",
        full_name="Focal point KE",
        roles=[Role.TRAINEE],
        member_administration_id=kenya,
        password=DEMO_PASSWORD,
        check_policy=False,
    )
    focal.is_demo = True
    on_track = on_track_project(session, today, manager, focal)
    projects = [
        on_track,
        late_project(session, today, manager2),
        pipeline_project(session, today, manager),
        completed_project(session, today, manager2),
    ]
    session.flush()
    linked = link_demo_training(session, on_track, manager, today)
    # The history was recorded on earlier days: every summary for the day the demo is read.
    refresh_project_summaries(session, today)
    return (
        f"Demo projects: {len(projects)} ({', '.join(p.code for p in projects)}), "
        f"{linked} course sessions linked as training delivered; "
        "focal.ke@example.org reads the Kenya project."
    )

"""Demo report schedules: the monthly directorate report for directorate staff and the
Kenyan and Ugandan project managers' weekly project report. Nothing is generated at load time;
schedules run when the scheduler calls ``run_due_schedules``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import MemberAdministration, Role, User
from lms.projects.models import Project
from lms.reports import organisation, services
from lms.reports.models import EmptyPolicy, Recurrence, ReportFormat, ReportKind


def load_reports(session: Session) -> str:
    users = {
        u.email: u
        for u in session.scalars(
            sa.select(User).where(
                User.email.in_(
                    ["directorate@example.org", "admin@example.org", "manager@example.org"]
                )
            )
        )
    }
    director = users["directorate@example.org"]
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    first_of_next_month = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=6)
    kenya = session.scalar(
        sa.select(MemberAdministration).where(MemberAdministration.country_code == "KE")
    )
    services.save_schedule(
        session,
        actor=director,
        name="Monthly capacity-building report",
        kind=ReportKind.DIRECTORATE,
        parameters={"period": "previous_month"},
        format=ReportFormat.PDF,
        recurrence=Recurrence.MONTHLY,
        empty_policy=EmptyPolicy.NOTE,
        next_run_at=first_of_next_month,
        recipients=[
            services.RecipientSpec(user_id=director.id),
            services.RecipientSpec(user_id=users["admin@example.org"].id),
            services.RecipientSpec(member_administration_id=kenya.id, role=Role.DIRECTORATE),
        ],
    )
    project = session.scalar(sa.select(Project).where(Project.code == "DS-ESA-2024"))
    schedules = 1
    if project is not None:
        services.save_schedule(
            session,
            actor=director,
            name="DS-ESA-2024 weekly progress (tables)",
            kind=ReportKind.PROJECT,
            parameters={"project_id": project.id},
            format=ReportFormat.XLSX,
            recurrence=Recurrence.WEEKLY,
            empty_policy=EmptyPolicy.SKIP,
            next_run_at=(now + timedelta(days=7 - now.weekday())).replace(hour=6),
            recipients=[services.RecipientSpec(user_id=users["manager@example.org"].id)],
        )
        schedules += 1
    # The certificate's heading and signature block (an admin sets the logo and the
    # signature image at /admin/organisation).
    organisation.update(
        session,
        actor=users["admin@example.org"],
        name="Customs Capacity Building Directorate",
        signatory_name=director.full_name,
        signatory_title="Director, Capacity Building",
    )
    return f"Reports: {schedules} report schedules; organisation settings for certificates"

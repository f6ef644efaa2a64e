"""Training delivered by the on-track demo project, rolled up from the demo course sessions."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.projects import services
from lms.projects.models import Project


def link_demo_training(session: Session, project: Project, manager: User, today: date) -> int:
    """Link the demo course sessions run for Kenya and Uganda to the project's training
    activities, and feed the certification indicator from the training records."""
    from lms.courses.models import Course, CourseSession
    from lms.projects import training
    from lms.projects.models import TrainingMeasure

    activities = {a.title: a for e in project.logframe_elements for a in e.activities}
    sessions = session.scalars(
        sa.select(CourseSession)
        .join(Course)
        .where(Course.code.in_(["DS-101", "DS-102", "DS-202", "DS-301"]))
        .order_by(CourseSession.starts_on)
    ).all()
    beneficiaries = {m.id for m in project.beneficiaries}

    def trained_ours(course_session: CourseSession) -> bool:
        """A past session within the project with Kenyan or Ugandan officers on it."""
        return project.start_date <= course_session.starts_on and any(
            e.user.member_administration_id in beneficiaries for e in course_session.enrolments
        )

    plan = []
    for course_session in sessions:
        if course_session.venue == "Kampala":
            plan.append(("Data specialist course, Kampala", course_session))
        elif (
            course_session.venue == "Nairobi" and course_session.starts_on >= project.start_date
        ) or (course_session.ends_on < today and trained_ours(course_session)):
            plan.append(("Data specialist course, Nairobi", course_session))
    for title, course_session in plan:
        training.link_session(session, project, activities[title], course_session, actor=manager)
    output = next(
        e
        for e in project.logframe_elements
        if e.statement == "Officers certified as data specialists"
    )
    indicator = services.add_indicator(
        session,
        output,
        actor=manager,
        name="Officers certified as data specialists",
        unit="officers",
        baseline_value=0,
        baseline_date=project.start_date,
        means_of_verification="Certificates recorded in Capacity LMS",
        training_measure=TrainingMeasure.CERTIFIED,
    )
    # One officer (David, Kenya) is certified this year; the plan keeps the project on track.
    for year, target in ((today.year, 1), (today.year + 1, 2)):
        if year <= project.end_date.year:
            services.set_target(session, indicator, actor=manager, period=str(year), value=target)
    training.report_training_actual(session, indicator, period=str(today.year), actor=manager)
    return len(plan)

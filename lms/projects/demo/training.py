"""Training delivered by the on-track demo project, rolled up from the demo course sessions."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.projects import services
from lms.projects.models import Project


def link_demo_training(session: Session, project: Project, manager: User, today: date) -> int:
    """Link the demo course sessions reserved for Kenya and Uganda to the project's training
    activities, and feed the certification indicator from the training records. Open
    sessions (the Brussels courses, the Nairobi workshop) are not linked: their trainees come
    from every administration (``training.serves_beneficiaries``)."""
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
    plan = []
    for course_session in sessions:
        if not training.serves_beneficiaries(course_session, project):
            continue
        if course_session.venue == "Kampala":
            plan.append(("Data specialist course, Kampala", course_session))
        else:
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
    # The first officers are certified after the Kampala course: none this year, two next
    # year; the plan keeps the project on track.
    for year, target in ((today.year, 0), (today.year + 1, 2)):
        if year <= project.end_date.year:
            services.set_target(session, indicator, actor=manager, period=str(year), value=target)
    training.report_training_actual(session, indicator, period=str(today.year), actor=manager)
    return len(plan)

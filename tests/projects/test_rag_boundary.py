"""The late-milestone boundary of the RAG rating: one milestone up to 90 days late is amber,
from 91 days it is red."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.core.extensions import db
from lms.projects import services
from lms.projects.models import MilestoneStatus, Rag

TODAY = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("days_late", "due", "expected"),
    [
        # The due dates are counted back from 30 June 2025 by hand.
        (89, date(2025, 4, 2), Rag.AMBER),
        (90, date(2025, 4, 1), Rag.AMBER),
        (91, date(2025, 3, 31), Rag.RED),
    ],
)
def test_one_late_milestone_is_amber_up_to_90_days_and_red_after(
    make_project, days_late, due, expected
):
    assert TODAY - timedelta(days=days_late) == due
    # 2024-01-01 to 2027-12-31, on 30 June 2025: 37% of the time elapsed and half of the
    # milestones done, so delivery is not behind time and only the late milestone counts.
    project = make_project(start=date(2024, 1, 1), end=date(2027, 12, 31))
    done = services.add_milestone(
        db.session, project, actor=None, title="Inception report", due_date=date(2024, 6, 30)
    )
    services.update_milestone(
        db.session, done, actor=None, status=MilestoneStatus.DONE, completed_on=date(2024, 6, 20)
    )
    services.add_milestone(db.session, project, actor=None, title="Risk engine live", due_date=due)
    db.session.commit()

    assessment = services.compute_rag(project, TODAY)

    assert assessment.codes == {"milestones_late"}
    [reason] = assessment.reasons
    assert reason.rating is expected
    assert f"{days_late} days past its due date" in reason.message
    assert assessment.computed is expected

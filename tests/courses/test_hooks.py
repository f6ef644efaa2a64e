"""What courses show on lower features' pages through their question signals."""

from __future__ import annotations

from flask import url_for

from lms.core import signals
from lms.core.extensions import db
from lms.courses.feature import FEATURE
from lms.courses.hooks import courses_developing_competency
from lms.frameworks import services as frameworks


def test_the_competency_page_block_lists_the_published_courses_developing_it(app, world):
    assert (signals.competency_related, courses_developing_competency) in FEATURE.listeners
    with app.test_request_context():
        block = courses_developing_competency(db.session, competency=world.quality)
        assert block.heading == "Courses that develop it" and block.name == "developing-courses"
        assert [(link.label, link.url) for link in block.links] == [
            (
                "DQ101 Data quality in customs",
                url_for("courses.course_detail", course_id=world.course_a.id),
            )
        ]
        assert block.links[0].note.startswith("a pass gives Practitioner (")
        # Wired: the frameworks service asking the question gets the block.
        assert block in frameworks.related_blocks(db.session, world.quality)
        nothing = courses_developing_competency(db.session, competency=world.domain)
        assert nothing.links == [] and "No published course" in nothing.empty

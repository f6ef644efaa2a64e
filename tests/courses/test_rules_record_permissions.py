"""Record rules of the courses and frameworks features as ``can_view`` asks them: who sees
an enrolment and which tracks a trainee sees. Written to kill the mutants of ``make mutate``."""

from __future__ import annotations

from types import SimpleNamespace

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.permissions import can_view
from lms.courses import services
from lms.courses.permissions import can_view_enrolment
from lms.frameworks.models import FrameworkStatus
from lms.frameworks.permissions import can_view_track
from tests.courses.fixtures import TODAY


def test_an_enrolment_is_seen_by_its_trainee_and_its_approvers_only(world, make_user):
    trainee, other = make_user(Role.TRAINEE), make_user(Role.TRAINEE)
    enrolment = services.request_enrolment(
        db.session, world.session_a, trainee, actor=trainee, today=TODAY
    )
    db.session.commit()
    assert can_view_enrolment(trainee, enrolment) is True
    assert can_view_enrolment(other, enrolment) is False
    assert can_view_enrolment(world.trainer, enrolment) is True
    assert can_view(trainee, enrolment) is True
    assert can_view(other, enrolment) is False
    assert can_view(world.trainer, enrolment) is True
    assert can_view(make_user(Role.TRAINER), enrolment) is False


def test_a_track_is_seen_when_active_in_a_published_framework_or_by_an_editor(make_user):
    trainee, editor = make_user(Role.TRAINEE), make_user(Role.DIRECTORATE)

    def track(active, status):
        return SimpleNamespace(is_active=active, framework=SimpleNamespace(status=status))

    assert can_view_track(trainee, track(True, FrameworkStatus.PUBLISHED)) is True
    assert can_view_track(trainee, track(False, FrameworkStatus.PUBLISHED)) is False
    assert can_view_track(trainee, track(True, FrameworkStatus.DRAFT)) is False
    assert can_view_track(editor, track(False, FrameworkStatus.DRAFT)) is True

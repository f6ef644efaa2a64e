"""``commit_or_report``: the one boundary between a view and a service call that may be refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from wtforms import Form, StringField

from lms.accounts.models import MemberAdministration, Region
from lms.core.errors import ConflictError, ValidationError, commit_or_report
from lms.core.extensions import db


class NameForm(Form):
    name = StringField()


def _members() -> list[str]:
    return list(db.session.scalars(sa.select(MemberAdministration.name)))


def _add(name: str) -> MemberAdministration:
    member = MemberAdministration(name=name, country_code=name[:2].upper(), region=Region.AP)
    db.session.add(member)
    db.session.flush()
    return member


@pytest.fixture
def request_context(app):
    with app.test_request_context("/somewhere"):
        yield


def test_success_commits_flashes_and_redirects(app, request_context):
    seen = []
    outcome = commit_or_report(
        lambda: _add("Fiji"),
        success=lambda member: f"{member.name} added.",
        after_commit=lambda member: seen.append(member.name in _members()),
        redirect_to=lambda member: f"/members/{member.id}",
    )
    ok, member = outcome  # unpacks like before
    assert ok and outcome.ok and outcome.result is member and outcome.error is None
    assert outcome.response.status_code == 302
    assert outcome.response.location == f"/members/{member.id}"
    assert seen == [True]  # after_commit runs once the data is committed
    assert get_flashed_messages(with_categories=True) == [("success", "Fiji added.")]
    db.session.rollback()
    assert _members() == ["Fiji"]


def test_without_redirect_there_is_no_response(app, request_context):
    outcome = commit_or_report(lambda: _add("Tonga"))
    assert outcome.ok and outcome.response is None
    assert get_flashed_messages() == []


def _refuse(error):
    def action():
        _add("Samoa")
        raise error

    return action


def test_a_refusal_rolls_back_and_puts_the_message_on_the_form_field(app, request_context):
    form = NameForm()
    called = []
    outcome = commit_or_report(
        _refuse(ValidationError("Enter a name.", field="name")),
        form=form,
        success="never",
        after_commit=called.append,
        redirect_to="/never",
    )
    ok, result = outcome
    assert (ok, result, outcome.response) == (False, None, None)
    assert isinstance(outcome.error, ValidationError)
    assert form.name.errors == ["Enter a name."]
    assert get_flashed_messages() == [] and called == []
    assert _members() == []


def test_a_refusal_without_a_field_is_flashed(app, request_context):
    outcome = commit_or_report(_refuse(ConflictError("Already there.")), form=NameForm())
    assert not outcome.ok
    assert get_flashed_messages(with_categories=True) == [("danger", "Already there.")]
    assert _members() == []


def test_a_request_that_wants_json_gets_a_problem_document(app):
    with app.test_request_context("/somewhere", headers={"Accept": "application/json"}):
        form = NameForm()
        outcome = commit_or_report(
            _refuse(ConflictError("Already there.", field="name")), form=form
        )
        assert outcome.response.status_code == 409
        assert outcome.response.mimetype == "application/problem+json"
        assert outcome.response.get_json() == {
            "type": "about:blank",
            "title": "Conflict",
            "status": 409,
            "detail": "Already there.",
            "field": "name",
            "errors": {"name": ["Already there."]},
        }
        assert form.name.errors == ["Already there."]
        assert get_flashed_messages() == []  # the message is in the document
    assert _members() == []


def test_refusals_whose_trace_must_be_kept_are_committed(app, request_context):
    outcome = commit_or_report(_refuse(ConflictError("Counted.")), commit_refused=(ConflictError,))
    assert not outcome.ok
    db.session.rollback()
    assert _members() == ["Samoa"]
    # Other refusals still roll back.
    db.session.execute(sa.delete(MemberAdministration))
    db.session.commit()
    commit_or_report(_refuse(ValidationError("No.")), commit_refused=(ConflictError,))
    assert _members() == []

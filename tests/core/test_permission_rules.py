"""The permission module's own rules, on stand-in users and records (no database): who is
refused before any record rule is asked, what the default edit rule is, and the 404 / 403 of
``require_view`` / ``require_edit``. Written to kill the mutants of ``make mutate``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.exceptions import Forbidden, NotFound

from lms.core import permissions


def _user(*, admin=False, active=True, authenticated=True, **extra):
    return SimpleNamespace(
        is_admin=admin, is_active=active, is_authenticated=authenticated, **extra
    )


class Record:
    """A record type of these tests only, registered afresh by each test."""


class SubRecord(Record):
    pass


@pytest.fixture
def rules(monkeypatch):
    monkeypatch.setattr(permissions, "_view_rules", {})
    monkeypatch.setattr(permissions, "_edit_rules", {})


@pytest.mark.parametrize("check", [permissions.can_view, permissions.can_edit])
def test_no_user_an_anonymous_or_an_inactive_one_is_refused_before_any_rule(rules, check):
    permissions.register_rules(Record, view=lambda u, r: True, edit=lambda u, r: True)
    assert check(_user(), Record()) is True
    assert check(None, Record()) is False
    assert check(_user(authenticated=False), Record()) is False
    assert check(SimpleNamespace(is_admin=True, is_active=True), Record()) is False  # no flag
    assert check(_user(active=False), Record()) is False
    assert check(_user(admin=True, active=False), Record()) is False


@pytest.mark.parametrize("check", [permissions.can_view, permissions.can_edit])
def test_an_admin_passes_and_an_unknown_record_type_is_admin_only(rules, check):
    assert check(_user(admin=True), object()) is True
    assert check(_user(), object()) is False


def test_rules_are_looked_up_along_the_class_hierarchy(rules):
    permissions.register_rules(Record, view=lambda u, r: u.name == "ana", edit=lambda u, r: True)
    assert permissions.can_view(_user(name="ana"), SubRecord()) is True
    assert permissions.can_view(_user(name="bo"), SubRecord()) is False
    assert permissions.can_edit(_user(name="bo"), SubRecord()) is True


def test_the_registered_edit_rule_is_used_and_the_default_is_admins_only(rules):
    permissions.register_rules(Record, view=lambda u, r: True, edit=lambda u, r: u.name == "ana")
    permissions.register_rules(SubRecord, view=lambda u, r: False)
    assert permissions.can_edit(_user(name="ana"), Record()) is True
    assert permissions.can_edit(_user(name="bo"), Record()) is False
    # SubRecord's own entry (view only) shadows Record's: editing falls to the admin default.
    assert permissions.can_edit(_user(name="ana"), SubRecord()) is False
    assert permissions.can_view(_user(name="ana"), SubRecord()) is False
    assert permissions._edit_rules[SubRecord](_user(admin=True), SubRecord()) is True
    assert permissions._edit_rules[SubRecord](_user(), SubRecord()) is False


def test_a_rule_answer_is_returned_as_a_bool(rules):
    permissions.register_rules(Record, view=lambda u, r: "yes", edit=lambda u, r: [])
    assert permissions.can_view(_user(), Record()) is True
    assert permissions.can_edit(_user(), Record()) is False


@pytest.mark.parametrize("require", [permissions.require_view, permissions.require_edit])
def test_require_gives_404_for_nothing_403_when_refused_and_the_record_when_allowed(
    rules, monkeypatch, require
):
    permissions.register_rules(
        Record, view=lambda u, r: u.name == "ana", edit=lambda u, r: u.name == "ana"
    )
    record = Record()
    monkeypatch.setattr(permissions, "current_user", _user(name="ana"))
    assert require(record) is record
    with pytest.raises(NotFound):
        require(None)
    monkeypatch.setattr(permissions, "current_user", _user(name="bo"))
    with pytest.raises(Forbidden):
        require(record)


def test_login_required_runs_the_view_for_any_logged_in_user(app, monkeypatch):
    view = permissions.login_required(lambda x: f"page {x}")
    monkeypatch.setattr(permissions, "current_user", _user(has_role=lambda *roles: False))
    with app.test_request_context("/"):
        assert view(7) == "page 7"


def test_a_record_types_own_refusal_reasons_are_the_ones_given(rules, monkeypatch):
    """Registered reasons are what the 403 says, per record type and kind of refusal; a type
    without reasons (or with one of the two left empty) gets the generic wording."""
    monkeypatch.setattr(permissions, "_reasons", {})
    permissions.register_rules(
        Record, view=lambda u, r: False, reasons=("Not yours to see.", "Not yours to change.")
    )

    class Other:
        pass

    permissions.register_rules(Other, view=lambda u, r: False, reasons=(None, "Only change."))

    assert permissions._record_reason(SubRecord(), edit=False) == "Not yours to see."
    assert permissions._record_reason(Record(), edit=True) == "Not yours to change."
    assert permissions._record_reason(Other(), edit=True) == "Only change."
    assert permissions._record_reason(Other(), edit=False) == (
        "This record is not yours to see: it belongs to another person, project or administration."
    )

    class Plain:
        pass

    assert permissions._record_reason(Plain(), edit=True) == (
        "You may see this record but not change it: it is not one of yours. Its owners "
        "and administrators can change it."
    )


def test_a_role_refusal_names_each_role_by_its_label():
    """The 403 of ``role_required`` lists the roles the page is for, by their labels; a role
    given without a label is named as it is."""
    from lms.accounts.models import Role

    reason = permissions._role_reason((Role.ADMIN, Role.TRAINER, "auditor"))

    assert reason == (
        "This page is for these roles: Administrator, Trainer / assessor, auditor. "
        "Your account has none of them; if it should, ask an administrator."
    )

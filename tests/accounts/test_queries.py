"""The list and search queries of accounts: one search behind every list of people."""

from __future__ import annotations

from lms.accounts import queries
from lms.accounts.models import Role
from lms.core.extensions import db


def _names(stmt) -> list[str]:
    return [u.full_name for u in db.session.scalars(stmt).unique()]


def test_user_search_matches_name_or_email_case_insensitively(app, make_user):
    make_user(Role.TRAINEE, full_name="David Otieno", email="d.otieno@kra.go.ke")
    make_user(Role.TRAINEE, full_name="Amina Diallo", email="amina@douanes.sn")
    make_user(Role.TRAINER, full_name="Sofia Lindqvist", email="sofia@tullverket.se")

    assert _names(queries.user_search_query("OTIENO")) == ["David Otieno"]
    assert _names(queries.user_search_query("douanes")) == ["Amina Diallo"]
    assert _names(queries.user_search_query("  ")) == [
        "Amina Diallo",
        "David Otieno",
        "Sofia Lindqvist",
    ]
    assert _names(queries.user_search_query(None)) == _names(queries.user_search_query(""))


def test_user_search_filters_by_role_member_and_status(app, make_user, make_member):
    kenya = make_member(country_code="KE")
    make_user([Role.TRAINEE, Role.TRAINER], full_name="Both Roles", member=kenya)
    make_user(Role.TRAINEE, full_name="Only Trainee")
    make_user(Role.TRAINER, full_name="Only Trainer", member=kenya)
    make_user(Role.TRAINEE, full_name="Gone Trainee", is_active=False)

    assert _names(queries.user_search_query(None, role=Role.TRAINEE)) == [
        "Both Roles",
        "Gone Trainee",
        "Only Trainee",
    ]  # a user with two roles appears once
    assert _names(queries.user_search_query(None, role="trainer", member_id=kenya.id)) == [
        "Both Roles",
        "Only Trainer",
    ]
    assert _names(queries.user_search_query(None, role="no-such-role", active=False)) == [
        "Gone Trainee"
    ]
    assert _names(queries.user_search_query("trainee", role=Role.TRAINEE, active=True)) == [
        "Only Trainee"
    ]


def test_user_filters_parse_the_query_string(app, make_user):
    filters = queries.UserFilters.from_args({"q": " ana ", "member": "x", "role": "trainer"})
    assert filters == queries.UserFilters(q="ana", role="trainer", member_id=None)
    assert queries.UserFilters.from_args({"member": "7"}).member_id == 7
    assert queries.UserFilters.from_args({}).status == "active"

    make_user(Role.TRAINEE, full_name="Active One")
    make_user(Role.TRAINEE, full_name="Inactive One", is_active=False)
    assert _names(queries.users_query(queries.UserFilters())) == ["Active One"]
    assert _names(queries.users_query(queries.UserFilters(status="inactive"))) == ["Inactive One"]
    assert len(_names(queries.users_query(queries.UserFilters(status="all")))) == 2


def test_members_query_and_user_counts(app, make_user, make_member):
    from lms.accounts.models import Region

    kenya = make_member(name="Kenya Revenue Authority", country_code="KE", region=Region.ESA)
    make_member(name="Senegal Customs", country_code="SN", region=Region.WCA, is_active=False)
    make_user(Role.TRAINEE, member=kenya)
    make_user(Role.TRAINER, member=kenya)

    def names(**filters):
        stmt = queries.members_query(queries.MemberFilters(**filters))
        return [m.name for m in db.session.scalars(stmt)]

    assert names(q="ke") == ["Kenya Revenue Authority"]
    assert names(region="WCA") == ["Senegal Customs"]
    assert names(status="active") == ["Kenya Revenue Authority"]
    assert names(region="nowhere") == ["Kenya Revenue Authority", "Senegal Customs"]
    assert queries.member_user_counts(db.session, [kenya.id]) == {kenya.id: 2}
    assert queries.member_user_counts(db.session, []) == {}
    assert [m.name for m in queries.all_members(db.session)] == [
        "Kenya Revenue Authority",
        "Senegal Customs",
    ]

"""The admin's users import: all rows valid → all created (invited through the outbox) with
one audit entry; any row refused → nothing written and a table of row, column and the
service's message; file-level problems (encoding, header, caps) named; access."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from lms.accounts import imports
from lms.accounts.models import Role, User
from lms.core.extensions import db
from lms.core.models import AuditEntry, OutboxMessage
from tests.conftest import csrf_token
from tests.translations import french_catalogue

HEADER = "email,full_name,roles,member_administration,language\n"


def upload(client, text: str | bytes, *, invite: bool = True, name: str = "users.csv"):
    content = text.encode("utf-8") if isinstance(text, str) else text
    data = {"csrf_token": csrf_token(client), "file": (io.BytesIO(content), name)}
    if invite:
        data["send_invitation"] = "y"
    return client.post("/admin/users/import", data=data, content_type="multipart/form-data")


def _emails() -> set[str]:
    return set(db.session.scalars(sa.select(User.email)))


def _row_errors(html: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r'<tr data-row="(\d+)" data-column="([^"]*)">', html)


@pytest.fixture
def admin(logged_in):
    return logged_in(Role.ADMIN)


def test_a_valid_file_creates_every_user_and_invites_them(client, admin, make_member):
    make_member(name="Kenya Revenue Authority", country_code="KE")
    before = _emails()
    response = upload(
        client,
        "\ufeff"  # Excel's byte-order mark
        + HEADER
        + "Wanjiru.Kamau@example.org,Wanjiru Kamau,trainee,KE,en\n"
        + "jean.dupont@example.org,Jean Dupont,trainee;trainer,,fr\n"
        + ",,,,\n",  # a blank row is skipped
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _emails() - before == {"wanjiru.kamau@example.org", "jean.dupont@example.org"}
    wanjiru = db.session.scalar(sa.select(User).where(User.email == "wanjiru.kamau@example.org"))
    assert wanjiru.member_administration.country_code == "KE" and wanjiru.roles == {Role.TRAINEE}
    jean = db.session.scalar(sa.select(User).where(User.email == "jean.dupont@example.org"))
    assert jean.roles == {Role.TRAINEE, Role.TRAINER} and jean.preferred_language == "fr"
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert recipients == {"wanjiru.kamau@example.org", "jean.dupont@example.org"}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.imported"))
    assert entry.actor_id == admin.id and sorted(entry.after["emails"]) == sorted(
        ["wanjiru.kamau@example.org", "jean.dupont@example.org"]
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 users imported." in page


def test_one_bad_row_writes_nothing_and_names_row_column_and_message(client, admin):
    before = _emails()
    audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = upload(
        client,
        HEADER
        + "good.one@example.org,Good One,trainee,,en\n"
        + "not-an-email,Bad Email,trainee,,en\n"
        + "good.two@example.org,,trainee,,en\n"
        + "good.three@example.org,Good Three,wizard,,en\n"
        + "good.four@example.org,Good Four,trainee,ZZ,en\n"
        + "good.five@example.org,Good Five,trainee,,de\n",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _row_errors(html) == [
        ("3", "email"),
        ("4", "full_name"),
        ("5", "roles"),
        ("6", "member_administration"),
        ("7", "language"),
    ]
    assert "Enter the person&#39;s full name." in html  # the service's own message
    assert "Unknown role “wizard”" in html
    assert _emails() == before  # not even good.one
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert "<caption" in html and '<th scope="col">' in html and '<th scope="row">3</th>' in html


def test_duplicates_in_the_file_and_against_the_database_are_row_errors(client, admin, make_user):
    make_user(Role.TRAINEE, email="taken@example.org")
    before = _emails()
    response = upload(
        client,
        HEADER
        + "new@example.org,New Person,trainee,,\n"
        + "TAKEN@example.org,Taken Again,trainee,,\n"
        + "New@Example.org,New Twice,trainee,,\n",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _row_errors(html) == [("3", "email"), ("4", "email")]
    assert "A user with the email taken@example.org already exists." in html
    assert "new@example.org appears twice in the file (also on row 2)." in html
    assert _emails() == before


def test_formula_cells_are_restored_from_a_neutralised_export(client, admin):
    """A name our own exports wrote as '=... reads back as it was typed."""
    response = upload(client, HEADER + "formula@example.org,'=Dupont,trainee,,\n", invite=False)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "formula@example.org"))
    assert user.full_name == "=Dupont"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    exported = client.get("/admin/users?format=csv&q=formula").get_data().decode("utf-8-sig")
    assert "'=Dupont" in exported


def test_semicolons_as_french_excel_writes_them(client, admin):
    response = upload(
        client, "email;full_name;roles\nmarie@example.org;Marie Curie;trainee trainer\n"
    )
    assert response.status_code == 302
    marie = db.session.scalar(sa.select(User).where(User.email == "marie@example.org"))
    assert marie.roles == {Role.TRAINEE, Role.TRAINER}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email,full_name\nx@example.org,X\n", "missing: roles"),
        (b"email,full_name,roles,colour\n", "unknown: colour"),
        (HEADER.encode(), "no data rows"),
        (b"", "the file is empty"),
        ("email,full_name,roles\né@x.org,Zoé,trainee\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (
            (HEADER + "".join(f"u{n}@example.org,U {n},trainee,,\n" for n in range(1001))).encode(),
            "too many rows (1001; at most 1000 per file)",
        ),
        (HEADER.encode() + b"a" * imports.MAX_BYTES, "the file is too large"),
    ],
)
def test_file_problems_are_named_and_write_nothing(client, admin, content, message):
    before = _emails()
    response = upload(client, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _emails() == before


def test_the_page_documents_the_columns_and_offers_a_template(client, admin):
    html = client.get("/admin/users/import").get_data(as_text=True)
    for column in ("email", "full_name", "roles", "member_administration", "language", "sex"):
        assert f"<code>{column}</code>" in html
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    template = client.get("/admin/users/import/template.csv")
    text = template.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == "email,full_name,roles,member_administration,language,sex"
    users = client.get("/admin/users").get_data(as_text=True)
    assert "/admin/users/import" in users


def test_the_template_imports_as_it_is(client, admin, make_member):
    make_member(country_code="PT")
    make_member(country_code="FR")
    template = client.get("/admin/users/import/template.csv").get_data()
    assert upload(client, template).status_code == 302
    assert {"ana.silva@customs.example.org", "jean.dupont@douane.example.org"} <= _emails()


def test_the_page_and_its_messages_in_french(client, logged_in):
    logged_in(Role.ADMIN, preferred_language="fr")
    fr = french_catalogue()
    html = client.get("/admin/users/import").get_data(as_text=True)
    assert fr["Import users (CSV)"] in html
    response = upload(client, HEADER + "a@example.org,,trainee,,\n")
    assert fr["Enter the person's full name."].replace("'", "&#39;") in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.TRAINER, Role.DIRECTORATE])
def test_only_admins_import(client, logged_in, role):
    logged_in(role)
    assert client.get("/admin/users/import").status_code == 403
    response = upload(client, HEADER + "x@example.org,X,admin,,\n")
    assert response.status_code == 403
    assert client.get("/admin/users/import/template.csv").status_code == 403
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None

"""The API's IATI export is the projects page's download: one builder, one visibility rule."""

from __future__ import annotations

from lms.accounts.models import Role
from tests.api.conftest import assert_problem
from tests.conftest import login
from tests.projects.iati_checks import schema_errors


def test_the_portfolio_as_iati_is_the_pages_download(client, make_user, make_project, make_token):
    directorate = make_user(Role.DIRECTORATE)
    make_project()
    make_project()
    headers = make_token(directorate)
    api = client.get("/api/v1/projects/iati.xml", headers=headers)
    assert api.status_code == 200 and api.mimetype == "application/xml"
    assert schema_errors(api.data) == []
    assert api.data.count(b"<iati-activity ") == 2
    login(client, directorate)
    page = client.get("/projects/iati.xml")

    def without_stamp(body: bytes) -> bytes:
        head, _, rest = body.partition(b"generated-datetime=")
        return head + rest.split(b'"', 2)[2]

    assert without_stamp(api.data) == without_stamp(page.data)


def test_a_project_as_iati_for_those_who_may_see_it(client, make_user, make_project, make_token):
    focal = make_user(Role.TRAINEE)
    mine, other = make_project(focal_points=[focal]), make_project()
    headers = make_token(focal)
    body = client.get(f"/api/v1/projects/{mine.id}/iati.xml", headers=headers)
    assert body.status_code == 200 and schema_errors(body.data) == []
    assert mine.code.encode() in body.data
    assert_problem(client.get(f"/api/v1/projects/{other.id}/iati.xml", headers=headers), 403)
    listed = client.get("/api/v1/projects/iati.xml", headers=headers).data
    assert mine.code.encode() in listed and other.code.encode() not in listed
    nobody = make_token(make_user(Role.TRAINEE))
    assert_problem(client.get("/api/v1/projects/iati.xml", headers=nobody), 403)

"""One read model for a certificate's status: the trainee's progress page and the trainee
report (PDF) both ask progress, so a lapsed certificate never reads "valid" in one and
"expired" in the other. On its expiry date it is still good ("expiring": within the policy's
reminder period)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core.extensions import db
from lms.progress.models import Certificate
from tests.conftest import login, post_form
from tests.courses.fixtures import TODAY
from tests.reports.conftest import pdf_text


def _page_status(client, code: str) -> str:
    page = client.get("/learning").get_data(as_text=True)
    item = re.search(rf"{code}</code>.*?data-status=\"([a-z]+)\"", page, re.S)
    assert item, page
    return item.group(1)


def _pdf_status(client, user_id: int, code: str) -> str:
    response = post_form(
        client, "/reports/generate", {"kind": "trainee", "format": "pdf", "user_id": str(user_id)}
    )
    assert "/download" in response.headers["Location"]
    text, _pages = pdf_text(client.get(response.headers["Location"]).data)
    cells = text.splitlines()
    row = cells[cells.index(code) : cells.index(code) + 4]  # code, issued, expires, status
    found = [
        cell for cell in row if cell in ("valid", "expiring", "lapsed", "superseded", "revoked")
    ]
    assert len(found) == 1, row
    return found[0]


@pytest.mark.parametrize(
    ("expires_in_days", "expected"),
    [(-1, "lapsed"), (0, "expiring"), (400, "valid")],
    ids=["lapsed-yesterday", "good-on-its-expiry-date", "valid-for-long"],
)
def test_progress_page_and_trainee_pdf_agree_on_a_certificates_status(
    client, app, elodie, expires_in_days, expected
):
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == elodie.id))
    certificate.issued_on = TODAY - timedelta(days=365)
    certificate.expires_on = TODAY + timedelta(days=expires_in_days)
    db.session.commit()
    app.config["LMS_TODAY"] = TODAY.isoformat()
    login(client, elodie)
    code = certificate.verification_code
    assert _page_status(client, code) == expected
    assert _pdf_status(client, elodie.id, code) == expected

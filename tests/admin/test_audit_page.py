"""The audit page shortens long values (with an ellipsis and the full value one click away),
so a 5,000-character title no longer stretches the page."""

from __future__ import annotations

import re

from lms.accounts.models import Role
from lms.core.audit import record_change
from lms.core.extensions import db


def _long_entry(actor):
    title = "T" * 4992 + "-THE-END"  # 5,000 characters
    record_change(
        db.session,
        actor=actor,
        action="course.updated",
        entity_type="Course",
        entity_id=7,
        before={"title": "Short title", "hours": "14"},
        after={"title": title, "hours": "14"},
        summary="S" * 300,
    )
    db.session.commit()
    return title


def test_a_long_value_is_shortened_with_an_ellipsis_and_shown_in_full_on_demand(client, logged_in):
    admin = logged_in(Role.ADMIN)
    title = _long_entry(admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    # The short before value is shown as it is; the long one once in full, inside <details>.
    assert '<del class="text-danger">Short title</del>' in html
    assert html.count(title) == 1
    (details,) = [
        d
        for d in re.findall(r'<details class="audit-long">(.*?)</details>', html, re.S)
        if title in d
    ]
    summary = re.search(r"<summary>(.*?)</summary>", details, re.S).group(1)
    assert summary.startswith("T" * 120 + "…") and "T" * 121 not in summary
    assert "(5000 characters: show all)" in summary
    assert title in details.split("</summary>", 1)[1]
    # A 300-character summary is shortened the same way; unchanged keys are not listed.
    assert "S" * 120 + "…" in html and "hours" not in html.split("audit-table", 1)[1]
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert ".audit-table td { overflow-wrap: anywhere" in css


def test_a_value_at_the_limit_is_shown_whole(client, logged_in):
    admin = logged_in(Role.ADMIN)
    record_change(
        db.session,
        actor=admin,
        action="course.updated",
        entity_type="Course",
        entity_id=8,
        before={"title": "a"},
        after={"title": "x" * 120},
    )
    db.session.commit()
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "x" * 120 + "</span>" in html and "audit-long" not in html

"""An admin imports a Moodle CSV, checks the preview, commits it (after saying OK to the
question; Cancel sends nothing) and browses the tree."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.frameworks.models import Framework, FrameworkStatus
from tests.conftest import TEST_PASSWORD

CSV = (
    '"Parent ID number","ID number","Short name",Description,"Description format",'
    '"Scale values","Scale configuration","Rule type (optional)","Rule outcome (optional)",'
    '"Rule config (optional)","Cross-referenced competency ID numbers",'
    '"Exported ID (optional)","Is framework",Taxonomy\n'
    ',RISK-FW,"Risk analytics framework","For risk analysts.",4,'
    '"Awareness,Practitioner,Advanced,Expert",'
    '"[{""scaleid"":1},{""id"":1,""scaledefault"":0,""proficient"":0},'
    '{""id"":2,""scaledefault"":1,""proficient"":1},{""id"":3,""scaledefault"":0,""proficient"":1},'
    '{""id"":4,""scaledefault"":0,""proficient"":1}]",,,,,,1,"domain,competency"\n'
    ',R,"Risk management",,4,,,core_competency\\competency_rule_all,2,null,,1,,\n'
    'R,R.1,"Risk indicators","Writing selectivity criteria.\n\nLevel indicators:\n\n'
    "- **Awareness**: Explains how profiles select consignments.\n"
    '- **Expert**: Designs the risk framework.",4,,,,0,null,R.2,2,,\n'
    'R,R.2,"Fraud patterns",,4,,,,0,null,,3,,\n'
    ',V,"Valuation analysis",,4,,,,0,null,,4,,\n'
)


def test_admin_imports_previews_commits_and_browses(page, make_user, tmp_path):
    make_user(Role.ADMIN, email="admin@example.org", full_name="Amina Diallo")
    upload = tmp_path / "risk.csv"
    upload.write_text(CSV, encoding="utf-8")

    page.goto("/auth/login")
    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")

    page.click("nav >> text=Frameworks")
    page.wait_for_selector("[data-testid=empty-state]")
    page.click("main >> text=Import")
    page.select_option("select[name=format]", "moodle_csv")
    page.set_input_files("input[name=file]", str(upload))
    page.click("main button[type=submit]")

    page.wait_for_selector("[data-testid=import-plan]")
    assert "Risk analytics framework (RISK-FW, v1)" in page.inner_text("[data-testid=import-plan]")
    assert page.inner_text("[data-testid=plan-count]") == "4"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 0

    # The question (data-confirm, static/js/confirm.js): answered Cancel, nothing is sent.
    preview = page.url
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("main button:has-text('Import this framework')")
    assert page.url == preview and page.locator("[data-testid=import-plan]").is_visible()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("main button:has-text('Import this framework')")
    page.wait_for_selector("[data-testid=competency-tree]")
    assert "Imported Risk analytics framework as a draft with 4 competencies." in page.content()
    tree = page.inner_text("[data-testid=competency-tree]")
    assert "R.1 · Risk indicators" in tree and "V · Valuation analysis" in tree

    page.fill("input[name=q]", "fraud")
    page.click("main button:has-text('Search')")
    page.wait_for_selector("[data-testid=search-summary]")
    assert page.locator("[data-testid=competency-tree] li").count() == 2  # R and its hit
    assert "Valuation" not in page.inner_text("[data-testid=competency-tree]")

    page.click("main >> text=Show all")
    page.click("main >> text=R.1 · Risk indicators")
    page.wait_for_selector("[data-testid=indicators]")
    indicators = page.inner_text("[data-testid=indicators]")
    assert "Explains how profiles select consignments." in indicators
    assert "R.2 · Fraud patterns" in page.content()

    db.session.expire_all()
    framework = db.session.scalar(sa.select(Framework))
    assert framework.status == FrameworkStatus.DRAFT and framework.code == "RISK-FW"

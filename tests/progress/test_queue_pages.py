"""The assessment queue pages its two lists (review requests by ``page``, claims by
``claims_page``) with the one pagination helper, and its claim forms share one CSRF token."""

from __future__ import annotations

import re
from datetime import timedelta

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.core.model_base import utcnow
from lms.core.pagination import DEFAULT_PER_PAGE
from lms.progress.models import ClaimStatus, PriorLearningClaim, ReviewRequest, ReviewStatus
from tests.conftest import login

REQUESTS, CLAIMS = DEFAULT_PER_PAGE + 5, DEFAULT_PER_PAGE + 2


def _queue(world, make_user):
    level = next(iter(world.levels.values()))
    start = utcnow() - timedelta(days=60)
    for n in range(REQUESTS):
        trainee = make_user(Role.TRAINEE, full_name=f"Reviewing {n:02d}")
        db.session.add(
            ReviewRequest(
                user_id=trainee.id,
                competency_id=world.quality.id,
                note=f"request {n:02d}",
                status=ReviewStatus.OPEN,
                requested_at=start + timedelta(hours=n),
            )
        )
    for n in range(CLAIMS):
        trainee = make_user(Role.TRAINEE, full_name=f"Claiming {n:02d}")
        db.session.add(
            PriorLearningClaim(
                user_id=trainee.id,
                competency_id=world.stats.id,
                level_id=level.id,
                description=f"claim {n:02d}",
                status=ClaimStatus.PENDING,
                created_at=start + timedelta(hours=n),
            )
        )
    db.session.commit()


def _shown(html: str, word: str) -> list[str]:
    return re.findall(rf"{word} (\d\d)", html)


def test_the_queue_pages_each_list_oldest_first(world, make_user, client):
    _queue(world, make_user)
    login(client, world.trainer)
    first = client.get("/assessments/").get_data(as_text=True)
    assert _shown(first, "request") == [f"{n:02d}" for n in range(DEFAULT_PER_PAGE)]
    assert _shown(first, "claim") == [f"{n:02d}" for n in range(DEFAULT_PER_PAGE)]
    assert f"{REQUESTS} in all" in first and f"{CLAIMS} in all" in first
    second = client.get("/assessments/?page=2").get_data(as_text=True)
    assert _shown(second, "request") == [f"{n:02d}" for n in range(DEFAULT_PER_PAGE, REQUESTS)]
    assert _shown(second, "claim") == _shown(first, "claim")  # claims keep their own page
    claims = client.get("/assessments/?claims_page=2").get_data(as_text=True)
    assert _shown(claims, "claim") == [f"{n:02d}" for n in range(DEFAULT_PER_PAGE, CLAIMS)]
    assert _shown(claims, "request") == _shown(first, "request")
    assert 'href="/assessments/?claims_page=2"' in first


def test_every_claim_form_carries_the_same_csrf_token(world, make_user, client):
    _queue(world, make_user)
    login(client, world.trainer)
    html = client.get("/assessments/").get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    tokens += re.findall(r'name="csrf-token" content="([^"]+)"', html)
    assert len(tokens) > DEFAULT_PER_PAGE  # one per claim form, and the page's own
    assert len(set(tokens)) == 1

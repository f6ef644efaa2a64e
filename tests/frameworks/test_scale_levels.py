"""A scale created in the editor: its levels carry the default and proficient flags the editor
asked for ("proficient from level N" includes level N and everything above it)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.extensions import db
from lms.frameworks.models import ProficiencyScale
from tests.conftest import post_form

LEVELS = [
    ("Novice", "knows the words"),
    ("Beginner", "follows a procedure"),
    ("Competent", "works alone"),
    ("Proficient", "handles the unusual"),
    ("Lead", "leads and teaches others"),
]


@pytest.mark.parametrize(
    ("default_position", "proficient_position", "expected"),
    [
        # (name, is_default, is_proficient) for each level, lowest first, written out by hand.
        (
            2,
            3,
            [
                ("Novice", False, False),
                ("Beginner", True, False),
                ("Competent", False, True),
                ("Proficient", False, True),
                ("Lead", False, True),
            ],
        ),
        (
            1,
            1,
            [
                ("Novice", True, True),
                ("Beginner", False, True),
                ("Competent", False, True),
                ("Proficient", False, True),
                ("Lead", False, True),
            ],
        ),
        (
            5,
            5,
            [
                ("Novice", False, False),
                ("Beginner", False, False),
                ("Competent", False, False),
                ("Proficient", False, False),
                ("Lead", True, True),
            ],
        ),
    ],
)
def test_a_new_scale_has_the_right_default_and_proficient_levels(
    client, logged_in, default_position, proficient_position, expected
):
    logged_in(Role.DIRECTORATE)
    response = post_form(
        client,
        "/scales/new",
        {
            "name": "Five steps",
            "description": "",
            "levels": "\n".join(f"{name} | {descriptor}" for name, descriptor in LEVELS),
            "default_position": str(default_position),
            "proficient_position": str(proficient_position),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    scale = db.session.scalar(
        sa.select(ProficiencyScale).where(ProficiencyScale.name == "Five steps")
    )
    assert [(lv.position, lv.descriptor) for lv in scale.levels] == [
        (n, descriptor) for n, (_name, descriptor) in enumerate(LEVELS, start=1)
    ]
    assert [(lv.name, lv.is_default, lv.is_proficient) for lv in scale.levels] == expected
    assert scale.proficient_from.position == proficient_position

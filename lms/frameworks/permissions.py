"""Who may see and edit frameworks, competencies, scales, tracks and imports.

Declared in the frameworks feature entry and registered in ``lms.core.permissions`` by the
wiring, so pages, the API and scripts ask the same question the same way.
"""

from __future__ import annotations

from typing import Any

from lms.accounts.models import Role
from lms.frameworks.models import (
    Competency,
    Framework,
    FrameworkImport,
    FrameworkStatus,
    ProficiencyScale,
    Track,
)

EDITORS = (Role.ADMIN, Role.DIRECTORATE)


def is_editor(user: Any) -> bool:
    return user.has_role(*EDITORS)


def _editor_rule(user: Any, record: Any) -> bool:
    return is_editor(user)


def can_view_framework(user: Any, framework: Framework) -> bool:
    return framework.status != FrameworkStatus.DRAFT or is_editor(user)


def can_view_track(user: Any, track: Track) -> bool:
    return is_editor(user) or (track.is_active and track.framework.status != FrameworkStatus.DRAFT)


RULES = (
    (Framework, can_view_framework, _editor_rule),
    (Competency, lambda user, c: can_view_framework(user, c.framework), _editor_rule),
    (Track, can_view_track, _editor_rule),
    (ProficiencyScale, lambda user, s: True, _editor_rule),
    (FrameworkImport, _editor_rule, _editor_rule),
)

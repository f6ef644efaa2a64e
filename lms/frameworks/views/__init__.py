"""Pages for frameworks, competencies, scales, imports and tracks. Thin: parse, authorise,
call a service, commit once (``commit_or_report``), render. Everyone logged in browses what is
published; admins and directorate staff edit.

One blueprint, ``bp`` (declared in ``common``); each sub-area's module adds its routes to it.
"""

from __future__ import annotations

from lms.frameworks.views import (  # noqa: F401  (importing a module registers its routes)
    competencies,
    frameworks,
    imports,
    scales,
    tracks,
)
from lms.frameworks.views.common import bp

__all__ = ["bp"]

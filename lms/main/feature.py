"""The main feature: the home page and the health check."""

from __future__ import annotations

from lms.core.features import Feature

FEATURE = Feature(name="main", blueprint="lms.main.views:bp")

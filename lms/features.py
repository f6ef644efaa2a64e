"""The product's features, in layer order, and the one place that wires them.

Every process (the web app, the CLI, the scheduler, a script or a test that never builds an
app) calls ``wire()`` and so gets the same permission rules, jobs, notification kinds and
signal listeners. ``create_app`` adds only what a web process needs on top: the blueprints
and the navigation. The order is the import layering that ``lint-imports`` enforces, lowest
first; a feature may import only features listed before it.
"""

from __future__ import annotations

import importlib

from lms.core.features import Feature

FEATURE_MODULES = (
    "lms.accounts.feature",
    "lms.notifications.feature",
    "lms.scheduler.feature",
    "lms.frameworks.feature",
    "lms.courses.feature",
    "lms.progress.feature",
    "lms.badges.feature",
    "lms.xapi.feature",
    "lms.projects.feature",
    "lms.webhooks.feature",
    "lms.calendar.feature",
    "lms.reports.feature",
    "lms.admin.feature",
    "lms.main.feature",
    "lms.api.feature",
)

_wired: tuple[Feature, ...] | None = None


def load_features() -> tuple[Feature, ...]:
    """Each feature's declaration, in layer order (importing them registers nothing)."""
    return tuple(importlib.import_module(name).FEATURE for name in FEATURE_MODULES)


def wire() -> tuple[Feature, ...]:
    """Register every feature's models, rules, kinds, jobs and listeners, once per process."""
    global _wired
    if _wired is not None:
        return _wired
    from lms.core.permissions import register_rules
    from lms.notifications.registry import register_kind
    from lms.scheduler.registry import register_job

    features = load_features()
    for feature in features:
        for module in feature.models:
            importlib.import_module(module)
    for feature in features:
        for model, view_rule, edit_rule, *reasons in feature.permissions:
            register_rules(
                model, view=view_rule, edit=edit_rule, reasons=reasons[0] if reasons else None
            )
        for kind in feature.notification_kinds:
            register_kind(kind)
        for job in feature.jobs:
            register_job(job)
        for signal, receiver in feature.listeners:
            signal.connect(receiver, weak=False)
    _wired = features
    return features

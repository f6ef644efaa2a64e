"""Capacity LMS: learning management and competency tracking for customs capacity building."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _asset_dir(name: str) -> str:
    """Top-level ``templates/`` and ``static/`` in a checkout; inside the package in a wheel."""
    in_checkout = PROJECT_DIR / name
    return str(in_checkout if in_checkout.is_dir() else PACKAGE_DIR / name)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=_asset_dir("templates"),
        static_folder=_asset_dir("static"),
        instance_relative_config=True,
    )
    register_config(app, overrides)
    register_extensions(app)
    register_blueprints(app)
    register_jobs()
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def register_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    from lms.config import load_config

    app.config.from_mapping(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


# Every module that defines models, so the metadata (and Alembic) sees the whole schema.
MODEL_MODULES = (
    "lms.core.models",
    "lms.accounts.models",
    "lms.frameworks.models",
    "lms.courses.models",
    "lms.progress.models",
    "lms.projects.models",
    "lms.scheduler.models",
    "lms.notifications.models",
    "lms.reports.models",
)


def register_extensions(app: Flask) -> None:
    import importlib

    for module in MODEL_MODULES:
        importlib.import_module(module)

    from lms.core import database
    from lms.core.i18n import select_locale, select_timezone
    from lms.core.model_base import render_migration_item
    from lms.extensions import babel, bootstrap, csrf, db, login_manager, migrate

    db.init_app(app)
    database.configure_engine_events()
    migrate.init_app(
        app,
        db,
        directory=str(PACKAGE_DIR / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    bootstrap.init_app(app)
    from lms.accounts import sessions

    sessions.init_login_manager(app, login_manager)


# One blueprint per feature package; each module exposes ``bp``.
BLUEPRINT_MODULES = (
    "lms.main.views",
    "lms.accounts.views",
    "lms.admin.views",
    "lms.frameworks.views",
    "lms.courses.views",
    "lms.progress.views",
    "lms.projects.views",
    "lms.scheduler.views",
    "lms.notifications.views",
    "lms.reports.views",
)


def register_blueprints(app: Flask) -> None:
    import importlib

    for module in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(module).bp)


def register_jobs() -> None:
    """Import every feature's ``jobs`` module, so its notification kinds are known to the web
    pages (preferences) as well as to the scheduler process."""
    from lms.scheduler.registry import load_job_modules

    load_job_modules()


def register_error_handlers(app: Flask) -> None:
    from lms.core.errors import init_error_handlers

    init_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from lms.core.templating import init_templating

    init_templating(app)


def register_cli(app: Flask) -> None:
    from lms.cli import register_commands

    register_commands(app)

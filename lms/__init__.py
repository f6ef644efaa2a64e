"""Capacity LMS: learning management and competency tracking for customs capacity building."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from apiflask import APIFlask
from flask import Flask

from lms.core.features import Feature, resolve
from lms.features import wire

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _asset_dir(name: str) -> str:
    """Top-level ``templates/`` and ``static/`` in a checkout; inside the package in a wheel."""
    in_checkout = PROJECT_DIR / name
    return str(in_checkout if in_checkout.is_dir() else PACKAGE_DIR / name)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    # APIFlask is Flask plus the OpenAPI document of the API's blueprint (lms.api); the pages'
    # errors stay the pages' own (json_errors off), the API's are problem+json (lms.api.boundary).
    app = APIFlask(
        __name__,
        title="Capacity LMS API",
        version="1",
        spec_path="/api/v1/openapi.json",
        docs_path="/api/v1/docs",
        docs_oauth2_redirect_path=None,
        json_errors=False,
        template_folder=_asset_dir("templates"),
        static_folder=_asset_dir("static"),
        instance_relative_config=True,
    )
    register_config(app, overrides)
    features = wire()  # models, rules, jobs, kinds and listeners: the same in every process
    register_extensions(app)
    register_rate_limits(app)
    register_assets(app)
    register_security_headers(app)
    register_bounds(app)
    register_base_url_check(app)
    register_blueprints(app, features)
    register_error_handlers(app)
    register_template_helpers(app, features)
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


def register_extensions(app: Flask) -> None:
    from lms.core import database
    from lms.core.extensions import babel, bootstrap, csrf, db, login_manager, migrate
    from lms.core.i18n import select_locale, select_timezone
    from lms.core.model_base import render_migration_item

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
    register_catalogues(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    bootstrap.init_app(app)
    from lms.accounts import sessions

    sessions.init_login_manager(app, login_manager)


def register_rate_limits(app: Flask) -> None:
    """The limiter and its storage; the limits themselves are declared by the views."""
    from lms.core.ratelimit import init_rate_limits

    init_rate_limits(app)


def register_catalogues(app: Flask) -> None:
    """Compile the ``.mo`` files missing or older than their ``.po`` (an editable install,
    ``make run``, ``make test``); the wheel already carries them."""
    from lms.core.catalogues import ensure_compiled

    instance_dir = Path(app.instance_path) / "translations"
    fallback = ensure_compiled(PACKAGE_DIR / "translations", instance_dir)
    if fallback is not None:
        directories = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = f"{directories};{fallback}"


def register_security_headers(app: Flask) -> None:
    from lms.core.security_headers import init_security_headers

    init_security_headers(app)


def register_assets(app: Flask) -> None:
    """Compression, year-long caching of versioned static files, the favicon, no-store on
    signed-in pages."""
    from lms.core.assets import init_assets

    init_assets(app)


def register_bounds(app: Flask) -> None:
    """Input bounds (ids, numbers, dates, NUL characters, body size) before any URL rule."""
    from lms.core.bounds import init_bounds

    init_bounds(app)


def register_base_url_check(app: Flask) -> None:
    """A warning when ``LMS_BASE_URL`` is not the address served (links would lead elsewhere)."""
    from lms.core.base_url import init_base_url_check

    init_base_url_check(app)


def register_blueprints(app: Flask, features: tuple[Feature, ...]) -> None:
    for feature in features:
        for target in (feature.blueprint, *feature.more_blueprints):
            if target:
                app.register_blueprint(resolve(target))


def register_error_handlers(app: Flask) -> None:
    from lms.core.errors import init_error_handlers

    init_error_handlers(app)


def register_template_helpers(app: Flask, features: tuple[Feature, ...]) -> None:
    from lms.accounts.models import Role
    from lms.core.templating import init_templating

    init_templating(
        app,
        nav=tuple(item for feature in features for item in feature.nav),
        # The admin menu lists the admin pages first, then the features' own admin pages.
        admin_nav=tuple(item for feature in reversed(features) for item in feature.admin_nav),
        profile_links=tuple(item for feature in features for item in feature.profile_links),
        globals={"Role": Role},
    )


def register_cli(app: Flask) -> None:
    from lms.cli import register_commands

    register_commands(app)

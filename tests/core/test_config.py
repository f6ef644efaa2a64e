"""Configuration from the environment."""

from __future__ import annotations

import pytest

from lms import create_app
from lms.config import ConfigError, load_config, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match="refuses to start"):
        create_app()


def test_development_generates_a_secret_key_once(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"


def test_database_url_picks_postgresql_with_psycopg(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.internal:5432/lms")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u@db.internal:5432/lms"
    )
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_bad_values_are_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "staging")
    with pytest.raises(ConfigError, match="LMS_ENV must be one of"):
        load_config(tmp_path)
    monkeypatch.setenv("LMS_ENV", "development")
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="MAIL_PORT must be a whole number"):
        load_config(tmp_path)


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/2")
    assert load_config(tmp_path)["SESSION_COOKIE_SECURE"] is True


def test_today_can_be_pinned_for_demonstrations(monkeypatch, tmp_path):
    from datetime import date

    monkeypatch.setenv("LMS_TODAY", "2026-03-02")
    assert load_config(tmp_path)["LMS_TODAY"] == date(2026, 3, 2)
    monkeypatch.setenv("LMS_TODAY", "yesterday")
    with pytest.raises(ConfigError, match="LMS_TODAY must be an ISO date"):
        load_config(tmp_path)

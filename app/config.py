"""Configuration: defaults, then ``instance/config.py``, then the environment.

Nothing is read at import time: :func:`load_config` runs inside the app factory, so tests and
commands can build apps with different settings in one process.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

SUPPORTED_LOCALES = ("en", "ro", "fr", "it", "da")


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot run safely."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str) -> int:
    return int(value.strip())


# name -> (default, parser); every variable of the contract, plus a few operational ones.
ENVIRONMENT: dict[str, tuple[Any, Any]] = {
    "DATABASE_URL": (None, str),
    "SECRET_KEY": (None, str),
    "BASE_URL": ("http://127.0.0.1:5000", str),
    "MAIL_SERVER": ("127.0.0.1", str),
    "MAIL_PORT": (25, _int),
    "MAIL_USE_TLS": (False, _bool),
    "MAIL_USE_SSL": (False, _bool),
    "MAIL_USERNAME": (None, str),
    "MAIL_PASSWORD": (None, str),
    "MAIL_DEFAULT_SENDER": ("Salus <no-reply@salus.localhost>", str),
    "MAIL_TIMEOUT": (10, _int),
    "REQUIRE_EMAIL_CONFIRMATION": (True, _bool),
    "UPLOAD_DIR": (None, str),
    "UPLOAD_MAX_MB": (10, _int),
    "RATELIMIT_STORAGE_URI": ("memory://", str),
    "MAP_TILE_URL": ("", str),
    # Credit the tile provider asks for, shown on the map (HTML allowed: it is the operator's text).
    "MAP_ATTRIBUTION": ("", str),
    "DEFAULT_TIMEZONE": ("Europe/Bucharest", str),
    "API_TOKEN_DAYS": (30, _int),
    # Accounts whose address was never confirmed are deleted after this many days (0: kept).
    "UNCONFIRMED_ACCOUNT_DAYS": (30, _int),
    "SALUS_ENV": ("production", str),
    # How many reverse proxies stand in front of the app; their X-Forwarded-* headers are trusted.
    "PROXY_FIX_HOPS": (0, _int),
    # The licence written into challenge archives (an SPDX identifier).
    "OPEN_DATA_LICENCE": ("CC-BY-4.0", str),
}


def load_config(instance_path: str, test_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings for one app; raise :class:`ConfigError` when they are unsafe."""
    config: dict[str, Any] = {name: default for name, (default, _) in ENVIRONMENT.items()}
    instance_file = Path(instance_path) / "config.py"
    if instance_file.is_file():
        namespace: dict[str, Any] = {}
        exec(compile(instance_file.read_text(), str(instance_file), "exec"), namespace)  # nosec B102 - operator's own file
        config.update({k: v for k, v in namespace.items() if k.isupper()})
    for name, (_, parse) in ENVIRONMENT.items():
        raw = os.environ.get(name)
        if raw is not None and raw != "":
            try:
                config[name] = parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{name}={raw!r} is not valid: {exc}") from exc
    if test_config:
        config.update(test_config)

    development = config["SALUS_ENV"] == "development"
    config["TESTING"] = bool(config.get("TESTING"))
    if not config.get("SECRET_KEY"):
        if not (development or config["TESTING"]):
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
                "string (for example: python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or set SALUS_ENV=development for a local demo."
            )
        config["SECRET_KEY"] = _development_secret(instance_path)

    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "salus.sqlite3")
    config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(config["DATABASE_URL"])
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    if not config.get("UPLOAD_DIR"):
        config["UPLOAD_DIR"] = str(Path(instance_path) / "uploads")
    if int(config["UPLOAD_MAX_MB"]) < 1:
        raise ConfigError("UPLOAD_MAX_MB must be at least 1 (megabytes).")
    config["MAX_CONTENT_LENGTH"] = int(config["UPLOAD_MAX_MB"]) * 1024 * 1024
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URI"]

    secure = str(config["BASE_URL"]).startswith("https://")
    config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_DURATION=30 * 24 * 3600,
        # A form opened hours before a deadline must still post: the token lives with the session.
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="en",
        BABEL_DEFAULT_TIMEZONE="UTC",
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
        JSON_SORT_KEYS=False,
    )
    config.setdefault("PREFERRED_URL_SCHEME", "https" if secure else "http")
    return config


def _normalise_database_url(url: str) -> str:
    # Operators paste URLs from hosting panels; psycopg 3 is the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _development_secret(instance_path: str) -> str:
    """A per-checkout key kept in instance/, so a local demo keeps its sessions across restarts."""
    path = Path(instance_path) / "development-secret-key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        # Readable by its owner only: whoever has the key can forge sessions.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key)
        return key

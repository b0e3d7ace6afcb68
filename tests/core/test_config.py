"""load_config: environment parsing, the settings derived from it, and refusing to start unsafely."""
from __future__ import annotations

import pytest

from app.config import ENVIRONMENT, ConfigError, load_config


@pytest.fixture
def env(monkeypatch):
    """A clean environment: only what a test sets counts."""
    for name in (*ENVIRONMENT, "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret-for-tests")
    return monkeypatch


def load(tmp_path, **test_config):
    return load_config(str(tmp_path), test_config or None)


def test_missing_secret_key_outside_development_is_refused(env, tmp_path):
    env.delenv("SECRET_KEY")
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    message = str(caught.value)
    assert "SECRET_KEY" in message
    assert "SALUS_ENV=development" in message
    assert not (tmp_path / "development-secret-key").exists()


def test_an_empty_secret_key_counts_as_missing(env, tmp_path):
    env.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigError):
        load(tmp_path)


def test_development_keeps_a_generated_key_in_the_instance_folder(env, tmp_path):
    env.delenv("SECRET_KEY")
    env.setenv("SALUS_ENV", "development")
    first = load(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32
    assert (tmp_path / "development-secret-key").read_text().strip() == first
    assert load(tmp_path)["SECRET_KEY"] == first  # sessions survive a restart
    other = tmp_path / "other"
    assert load(other)["SECRET_KEY"] != first


def test_a_given_secret_key_is_used_as_is(env, tmp_path):
    assert load(tmp_path)["SECRET_KEY"] == "a-long-random-secret-for-tests"
    assert not (tmp_path / "development-secret-key").exists()


@pytest.mark.parametrize("raw, expected", [
    ("1", True), ("true", True), ("TRUE", True), ("yes", True), ("on", True), (" On ", True),
    ("0", False), ("false", False), ("no", False), ("off", False), ("nonsense", False),
])
def test_boolean_variables(env, tmp_path, raw, expected):
    env.setenv("REQUIRE_EMAIL_CONFIRMATION", raw)
    env.setenv("MAIL_USE_TLS", raw)
    config = load(tmp_path)
    assert config["REQUIRE_EMAIL_CONFIRMATION"] is expected
    assert config["MAIL_USE_TLS"] is expected


def test_defaults_apply_when_variables_are_absent_or_empty(env, tmp_path):
    env.setenv("MAIL_PORT", "")
    config = load(tmp_path)
    assert config["REQUIRE_EMAIL_CONFIRMATION"] is True
    assert config["MAIL_PORT"] == 25
    assert config["UPLOAD_MAX_MB"] == 10
    assert config["MAP_TILE_URL"] == ""
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["UPLOAD_DIR"] == str(tmp_path / "uploads")
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "salus.sqlite3")


def test_integer_variables(env, tmp_path):
    env.setenv("MAIL_PORT", " 2525 ")
    env.setenv("UPLOAD_MAX_MB", "3")
    config = load(tmp_path)
    assert config["MAIL_PORT"] == 2525
    assert config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024


@pytest.mark.parametrize("name", ["MAIL_PORT", "UPLOAD_MAX_MB", "MAIL_TIMEOUT"])
def test_a_bad_integer_is_a_configuration_error(env, tmp_path, name):
    env.setenv(name, "ten")
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert name in str(caught.value) and "ten" in str(caught.value)


@pytest.mark.parametrize("url, expected", [
    ("postgres://u:p@db.example:5432/salus", "postgresql+psycopg://u:p@db.example:5432/salus"),
    ("postgresql://u:p@db.example/salus", "postgresql+psycopg://u:p@db.example/salus"),
    ("postgresql+psycopg://u@db/salus", "postgresql+psycopg://u@db/salus"),
    ("sqlite:////var/lib/salus/salus.sqlite3", "sqlite:////var/lib/salus/salus.sqlite3"),
])
def test_database_urls_are_normalised_for_psycopg(env, tmp_path, url, expected):
    env.setenv("DATABASE_URL", url)
    config = load(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == expected
    assert config["DATABASE_URL"] == url


def test_cookies_are_secure_only_under_https(env, tmp_path):
    plain = load(tmp_path)
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["REMEMBER_COOKIE_SECURE"] is False
    assert plain["PREFERRED_URL_SCHEME"] == "http"
    env.setenv("BASE_URL", "https://salus.example.org")
    secure = load(tmp_path)
    assert secure["SESSION_COOKIE_SECURE"] is True and secure["REMEMBER_COOKIE_SECURE"] is True
    assert secure["PREFERRED_URL_SCHEME"] == "https"
    for config in (plain, secure):
        assert config["SESSION_COOKIE_HTTPONLY"] is True and config["REMEMBER_COOKIE_HTTPONLY"] is True
        assert config["SESSION_COOKIE_SAMESITE"] == "Lax" and config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_csrf_tokens_do_not_expire_on_their_own(env, tmp_path):
    assert load(tmp_path)["WTF_CSRF_TIME_LIMIT"] is None


def test_instance_file_then_environment_then_test_config(env, tmp_path):
    (tmp_path / "config.py").write_text("MAIL_PORT = 1025\nBASE_URL = 'https://from-file.example'\n"
                                        "UPLOAD_MAX_MB = 4\nlowercase_ignored = 1\n")
    config = load(tmp_path)
    assert config["MAIL_PORT"] == 1025 and config["BASE_URL"] == "https://from-file.example"
    assert "lowercase_ignored" not in config
    env.setenv("MAIL_PORT", "2525")
    assert load(tmp_path)["MAIL_PORT"] == 2525
    config = load(tmp_path, MAIL_PORT=3535, UPLOAD_MAX_MB=1)
    assert config["MAIL_PORT"] == 3535
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_settings_of_the_contract_are_read_from_the_environment(env, tmp_path):
    values = {"BASE_URL": "https://salus.example.org", "MAIL_SERVER": "smtp.example.org",
              "MAIL_USERNAME": "salus", "MAIL_PASSWORD": "pw", "MAIL_DEFAULT_SENDER": "Salus <s@example.org>",
              "UPLOAD_DIR": str(tmp_path / "files"), "RATELIMIT_STORAGE_URI": "redis://cache:6379/0",
              "MAP_TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png"}
    for name, value in values.items():
        env.setenv(name, value)
    config = load(tmp_path)
    assert {name: config[name] for name in values} == values


def test_upload_limit_must_be_positive(tmp_path, monkeypatch):
    from app.config import ConfigError, load_config

    monkeypatch.setenv("UPLOAD_MAX_MB", "0")
    with pytest.raises(ConfigError, match="UPLOAD_MAX_MB"):
        load_config(str(tmp_path), {"TESTING": True, "SECRET_KEY": "x"})


def test_development_secret_is_private(tmp_path, monkeypatch):
    import stat

    from app.config import load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    load_config(str(tmp_path), {"SALUS_ENV": "development"})
    mode = stat.S_IMODE((tmp_path / "development-secret-key").stat().st_mode)
    assert mode == 0o600

"""Retention of unconfirmed accounts: deleted after UNCONFIRMED_ACCOUNT_DAYS with their mail,
audited, from the command line and from the outbox worker's daily round."""
from __future__ import annotations

import signal

import pytest
from sqlalchemy import select

from app.accounts.models import LoginSession, User
from app.accounts.retention import purge_unconfirmed
from app.core.audit import AuditEvent
from app.core.outbox import OutboxMail, queue_mail_to_user
from tests.conftest import make_user
from tests.factories import make_challenge, make_juror


def emails(db) -> list[str]:
    return sorted(db.session.scalars(select(User.email_key)))


@pytest.fixture
def population(db, frozen_clock):
    """Accounts made 31 days ago (two unconfirmed, one of them a juror) and one made today."""
    old = make_user("old@example.org", confirmed=False)
    queue_mail_to_user(old, "confirm_email", confirm_url="http://salus.test/confirm/x")
    seated = make_user("seated@example.org", confirmed=False)
    make_juror(make_challenge(), seated)
    make_user("confirmed@example.org")
    erased = make_user("erased@example.org", confirmed=False)
    erased.erased_at = frozen_clock.now()
    db.session.commit()
    frozen_clock.advance(days=31)
    fresh = make_user("fresh@example.org", confirmed=False)
    queue_mail_to_user(fresh, "confirm_email", confirm_url="http://salus.test/confirm/y")
    db.session.commit()
    return old.id


def test_unconfirmed_accounts_go_after_thirty_days_with_their_mail(db, population):
    assert purge_unconfirmed() == 2
    assert emails(db) == ["confirmed@example.org", "erased@example.org", "fresh@example.org"]
    assert [m.to_address for m in db.session.scalars(select(OutboxMail))] == ["fresh@example.org"]
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(e.action, e.actor_id, e.details) for e in events] == [
        ("account.purged_unconfirmed", None, {"days": 30})] * 2
    assert events[0].subject_id == population
    assert "old@example.org" not in str([e.details for e in events])
    assert purge_unconfirmed() == 0


def test_thirty_days_is_not_yet_too_old(db, frozen_clock):
    make_user("edge@example.org", confirmed=False)
    frozen_clock.advance(days=30)
    assert purge_unconfirmed() == 0
    frozen_clock.advance(seconds=1)
    assert purge_unconfirmed() == 1


@pytest.mark.parametrize("settings", [{"UNCONFIRMED_ACCOUNT_DAYS": 0}, {"REQUIRE_EMAIL_CONFIRMATION": False}])
def test_nothing_is_deleted_when_switched_off(app, db, population, monkeypatch, settings):
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    assert purge_unconfirmed() == 0
    assert len(emails(db)) == 5


def test_the_setting_chooses_the_days(app, db, population, monkeypatch):
    monkeypatch.setitem(app.config, "UNCONFIRMED_ACCOUNT_DAYS", 60)
    assert purge_unconfirmed() == 0


def test_command_line(app, db, population):
    result = app.test_cli_runner().invoke(args=["accounts", "purge-unconfirmed"])
    assert result.exit_code == 0, result.output
    assert "unconfirmed accounts deleted: 2" in result.output
    db.session.remove()
    assert len(emails(db)) == 3


def test_the_outbox_worker_runs_it(app, db, population):
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        result = app.test_cli_runner().invoke(args=["outbox", "work", "--max-seconds", "0", "--interval", "0",
                                                    "--digest-every", "0"])
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
    assert result.exit_code == 0, result.output
    assert "retention: deleted 2 unconfirmed accounts" in result.output
    db.session.remove()
    assert len(emails(db)) == 3


def test_the_default_is_thirty_days(tmp_path):
    from app.config import load_config

    config = load_config(str(tmp_path), {"TESTING": True, "SECRET_KEY": "x"})
    assert config["UNCONFIRMED_ACCOUNT_DAYS"] == 30


def test_the_environment_sets_it(tmp_path, monkeypatch):
    from app.config import load_config

    monkeypatch.setenv("UNCONFIRMED_ACCOUNT_DAYS", "7")
    assert load_config(str(tmp_path), {"TESTING": True, "SECRET_KEY": "x"})["UNCONFIRMED_ACCOUNT_DAYS"] == 7


def test_sessions_of_a_purged_account_go_too(db, frozen_clock):
    from app.accounts.services import start_login_session

    user = make_user("ghost@example.org", confirmed=False)
    start_login_session(user, remember=False)
    frozen_clock.advance(days=31)
    assert purge_unconfirmed() == 1
    assert db.session.scalar(select(LoginSession)) is None

"""Two-step sign-in in the browser: set-up from the account page, the code page after the
password, replays, recovery codes, expiry, and the failed-sign-in lock the codes share."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.accounts.models import LoginSession, PendingSignIn, RecoveryCode, TwoStepCredential, User
from app.core.audit import AuditEvent
from app.core.outbox import OutboxMail
from tests.accounts.two_step_support import (code, count, html, make_two_step_user, post_code,
                                             recovery_codes_on_page, secret_on_page, sign_in_with_code,
                                             signed_in)
from tests.conftest import DEFAULT_PASSWORD, form_post, login, make_user

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def ana(app):
    with app.app_context():
        return make_user("ana@example.org", name="Ana Ionescu").id


@pytest.fixture
def bob(app):
    return make_two_step_user(app, "bob@example.org", name="Bob Marin")


def test_set_up_from_the_account_page(app, client, ana, frozen_clock):
    login(client, "ana@example.org")
    account = html(client.get("/account"))
    assert "Set up two-step sign-in" in account and 'href="/account/two-step"' in account
    page = html(client.get("/account/two-step"))
    secret = secret_on_page(page)
    assert secret_on_page(html(client.get("/account/two-step"))) == secret  # a reload keeps the key

    wrong = form_post(client, "/account/two-step", {"code": code(secret, steps=5)}, page="/account/two-step")
    assert wrong.status_code == 422 and "This code is not right" in html(wrong)
    assert count(app, TwoStepCredential, TwoStepCredential.enabled_at.is_not(None)) == 0

    done = form_post(client, "/account/two-step", {"code": code(secret)}, page="/account/two-step")
    assert done.status_code == 201
    codes = recovery_codes_on_page(html(done))
    assert len(codes) == len(set(codes)) == 10
    # Only hashes are kept: no code, with or without its hyphen, is in the table.
    with app.app_context():
        from app.extensions import db

        stored = [r.code_hash for r in db.session.scalars(select(RecoveryCode))]
        assert len(stored) == 10 and not {c for c in codes} & set(stored)
        assert not {c.replace("-", "") for c in codes} & set(stored)
        kinds = [m.kind for m in db.session.scalars(select(OutboxMail))]
        actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert kinds == ["two_step_changed"] and actions == ["account.two_step_enabled"]
    assert "On" in html(client.get("/account")) and "Set up two-step sign-in" not in html(client.get("/account"))
    # Once on, the set-up page shows the state, not the key.
    assert secret not in html(client.get("/account/two-step")).replace(" ", "")


def test_password_alone_opens_no_session(app, client, bob):
    response = login(client, "bob@example.org", next="/account")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login/code"
    assert count(app, LoginSession) == 0 and count(app, PendingSignIn) == 1
    assert not signed_in(client)
    assert urlsplit(client.get("/account").headers["Location"]).path == "/login"


def test_code_finishes_the_sign_in_and_follows_next(app, client, bob):
    _user_id, secret, _codes = bob
    response = sign_in_with_code(client, "bob@example.org", code(secret), next="/account")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert signed_in(client)
    assert count(app, LoginSession) == 1 and count(app, PendingSignIn) == 0


def test_a_code_works_once(app, client, bob, frozen_clock):
    _user_id, secret, _codes = bob
    used = code(secret)
    assert sign_in_with_code(client, "bob@example.org", used).status_code == 302
    thief = app.test_client()
    replayed = sign_in_with_code(thief, "bob@example.org", used)
    assert replayed.status_code == 422 and not signed_in(thief)
    frozen_clock.advance(seconds=30)
    assert post_code(thief, code(secret)).status_code == 302 and signed_in(thief)


@pytest.mark.parametrize("steps, accepted", [(-1, True), (1, True), (-2, False), (2, False)])
def test_a_phone_clock_thirty_seconds_off_is_tolerated(app, client, bob, steps, accepted, frozen_clock):
    _user_id, secret, _codes = bob
    frozen_clock.advance(seconds=30)  # away from the period whose code turned it on
    response = sign_in_with_code(client, "bob@example.org", code(secret, steps=steps))
    assert (response.status_code == 302) is accepted


def test_a_recovery_code_signs_in_once(app, client, bob):
    _user_id, _secret, codes = bob
    typed = " " + codes[0].upper().replace("-", " ") + " "  # copied from paper, loosely
    assert sign_in_with_code(client, "bob@example.org", typed).status_code == 302
    assert signed_in(client)
    again = sign_in_with_code(app.test_client(), "bob@example.org", codes[0])
    assert again.status_code == 422
    assert count(app, RecoveryCode, RecoveryCode.used_at.is_(None)) == 9
    assert "9 unused recovery codes" in html(client.get("/account/two-step"))
    assert count(app, AuditEvent, AuditEvent.action == "account.recovery_code_used") == 1


def test_the_pending_sign_in_expires_after_five_minutes(app, client, bob, frozen_clock):
    _user_id, secret, _codes = bob
    login(client, "bob@example.org")
    frozen_clock.advance(minutes=5, seconds=1)
    response = client.get("/login/code")
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert "took too long" in html(client.get("/login"))


def test_a_spent_pending_sign_in_cannot_be_replayed(app, client, bob, frozen_clock):
    _user_id, secret, _codes = bob
    login(client, "bob@example.org")
    captured = client.get_cookie("session").value
    assert post_code(client, code(secret)).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", captured)
    frozen_clock.advance(seconds=30)
    page = thief.get("/login/code")
    assert page.status_code == 302 and urlsplit(page.headers["Location"]).path == "/login"
    assert not signed_in(thief)


def test_wrong_codes_count_towards_the_account_lock(app, client, bob):
    _user_id, secret, _codes = bob
    login(client, "bob@example.org")
    for _attempt in range(10):
        assert post_code(client, "000000").status_code == 422
    locked = post_code(client, code(secret))
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins for this account" in html(locked)
    # The password step is locked too, for everyone trying this account.
    assert login(app.test_client(), "bob@example.org").status_code == 429
    assert count(app, LoginSession) == 0


def test_new_recovery_codes_replace_the_old(app, client, bob, frozen_clock):
    _user_id, secret, old = bob
    assert sign_in_with_code(client, "bob@example.org", code(secret)).status_code == 302
    frozen_clock.advance(seconds=30)
    wrong = form_post(client, "/account/two-step/recovery-codes", {"code": code(secret, steps=5)},
                      page="/account/two-step")
    assert wrong.status_code == 422 and "This code is not right" in html(wrong)
    assert count(app, RecoveryCode) == 10  # the old set stands
    response = form_post(client, "/account/two-step/recovery-codes", {"code": code(secret)},
                         page="/account/two-step")
    assert response.status_code == 201
    new = recovery_codes_on_page(html(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert sign_in_with_code(app.test_client(), "bob@example.org", old[1]).status_code == 422
    assert sign_in_with_code(app.test_client(), "bob@example.org", new[1]).status_code == 302


def test_turning_it_off_needs_password_and_code(app, client, bob, frozen_clock):
    user_id, secret, codes = bob
    assert sign_in_with_code(client, "bob@example.org", code(secret)).status_code == 302
    frozen_clock.advance(seconds=30)
    wrong = form_post(client, "/account/two-step/off", {"password": "not the password", "code": code(secret)},
                      page="/account/two-step")
    assert wrong.status_code == 422 and "Your password is not right" in html(wrong)
    off = form_post(client, "/account/two-step/off", {"password": DEFAULT_PASSWORD, "code": codes[0]},
                    page="/account/two-step")
    assert off.status_code == 302
    assert count(app, TwoStepCredential) == 0 and count(app, RecoveryCode) == 0
    assert count(app, OutboxMail, OutboxMail.kind == "two_step_changed") == 2
    other = app.test_client()
    assert login(other, "bob@example.org").headers["Location"] == "/"
    assert signed_in(other)


def test_password_change_ends_pending_sign_ins(app, client, bob, frozen_clock):
    _user_id, secret, _codes = bob
    assert sign_in_with_code(client, "bob@example.org", code(secret)).status_code == 302
    attacker = app.test_client()
    login(attacker, "bob@example.org")  # knows the password, waits for a code
    form_post(client, "/account/password", {"current_password": DEFAULT_PASSWORD,
                                            "new_password": "a different long passphrase"}, page="/account")
    response = attacker.get("/login/code")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert not signed_in(attacker)


def test_export_never_holds_the_secret_and_erasure_removes_it(app, client, bob):
    user_id, secret, codes = bob
    assert sign_in_with_code(client, "bob@example.org", code(secret)).status_code == 302
    exported = client.get("/account/export").get_data(as_text=True)
    assert secret not in exported and codes[0] not in exported and '"enabled_at"' in exported
    form_post(client, "/account/delete", page="/account/delete")
    assert count(app, TwoStepCredential) == 0 and count(app, RecoveryCode) == 0
    with app.app_context():
        from app.extensions import db

        assert db.session.get(User, user_id).erased_at is not None


def test_an_operator_can_reset_it_for_a_lost_phone(app, client, bob):
    user_id, secret, _codes = bob
    assert sign_in_with_code(client, "bob@example.org", code(secret)).status_code == 302
    result = app.test_cli_runner().invoke(args=["accounts", "reset-two-step", "--email", "BOB@example.org"])
    assert result.exit_code == 0, result.output
    assert not signed_in(client)  # every session ended
    assert count(app, TwoStepCredential) == 0
    assert count(app, AuditEvent, AuditEvent.action == "account.two_step_reset", AuditEvent.subject_id == user_id) == 1
    assert login(app.test_client(), "bob@example.org").headers["Location"] == "/"
    missing = app.test_cli_runner().invoke(args=["accounts", "reset-two-step", "--email", "nobody@example.org"])
    assert missing.exit_code == 1

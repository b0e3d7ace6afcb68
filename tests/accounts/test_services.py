"""Account services against the real database: the rules hold whatever the caller is."""
import datetime as dt
import hashlib
import json
import re

import pytest
from sqlalchemy import func, select, text

from app.accounts import links, personal_data, services
from app.accounts.models import ApiToken, LoginSession, User
from app.accounts.signals import user_registered
from app.core.errors import Forbidden, NotFound, TooManyRequests, Unauthorised, ValidationFailed
from app.core.outbox import OutboxMail, queue_mail
from tests.conftest import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "a different long passphrase"  # nosec B105 - test credential


def register(**overrides):
    values = {"email": "ana@example.org", "password": DEFAULT_PASSWORD, "name": "Ana Ionescu",
              "organisation": "UMF Iași", "locale": "ro", "accept_privacy": True}
    services.register_user(**{**values, **overrides})


def mails(db, kind=None):
    stmt = select(OutboxMail).where(OutboxMail.kind == kind) if kind else select(OutboxMail)
    return list(db.session.scalars(stmt.order_by(OutboxMail.id)))


def link_token(mail, path):
    return re.search(rf"http://salus\.test/{path}/(\S+)", mail.text_body).group(1)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- registration -----------------------------------------------------------------------

def test_register_creates_unconfirmed_account_and_queues_confirmation(db):
    register(email="  Ana@Example.org ")
    user = db.session.scalar(select(User))
    assert (user.email, user.email_key, user.name, user.locale) == (
        "Ana@Example.org", "ana@example.org", "Ana Ionescu", "ro")
    assert user.confirmed_at is None and user.privacy_accepted_at is not None
    assert user.password_hash != DEFAULT_PASSWORD and user.password_hash.startswith("$argon2id$")
    [mail] = mails(db)
    assert (mail.kind, mail.to_address, mail.user_id, mail.locale) == (
        "confirm_email", "Ana@Example.org", user.id, "ro")
    assert services.confirm_email(link_token(mail, "confirm")).id == user.id


def test_confirmation_mail_is_written_in_the_registering_transaction(db):
    def fail(_sender, **_kwargs):
        raise RuntimeError("a later step of the registration fails")

    with user_registered.connected_to(fail), pytest.raises(RuntimeError):
        register()
    db.session.rollback()
    assert count(db, User) == count(db, OutboxMail) == 0


def test_register_without_required_confirmation_confirms_at_once(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_EMAIL_CONFIRMATION", False)
    register()
    assert db.session.scalar(select(User)).confirmed_at is not None
    assert mails(db) == []


@pytest.mark.parametrize("address", ["ana@example.org", "ANA@EXAMPLE.ORG", "  Ana@Example.Org "])
def test_registering_a_known_address_mails_its_owner_and_changes_nothing(db, address):
    owner = make_user("ana@example.org", name="Ana Original", organisation="First")
    old_hash = owner.password_hash
    register(email=address, password=NEW_PASSWORD, name="Someone Else", organisation="Other")
    assert count(db, User) == 1
    db.session.refresh(owner)
    assert (owner.name, owner.organisation, owner.password_hash) == ("Ana Original", "First", old_hash)
    [mail] = mails(db)
    assert (mail.kind, mail.to_address, mail.user_id) == ("already_registered", "ana@example.org", owner.id)
    assert services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1").id == owner.id
    with pytest.raises(Unauthorised):
        services.authenticate("ana@example.org", NEW_PASSWORD, "10.0.0.1")


@pytest.mark.parametrize("overrides, fields", [
    ({"email": "not-an-address"}, {"email"}),
    ({"password": "short"}, {"password"}),
    ({"password": "password123"}, {"password"}),
    ({"password": "x" * 201}, {"password"}),
    ({"email": "anaionescu@example.org", "password": "AnaIonescu"}, {"password"}),
    ({"name": "   "}, {"name"}),
    ({"name": "n" * 201}, {"name"}),
    ({"organisation": "o" * 201}, {"organisation"}),
    ({"locale": "de"}, {"locale"}),
    ({"accept_privacy": False}, {"accept_privacy"}),
    ({"accept_privacy": "yes"}, {"accept_privacy"}),
    ({"email": "bad", "password": "qwertyuiop", "accept_privacy": False}, {"email", "password", "accept_privacy"}),
])
def test_register_validation(db, overrides, fields):
    with pytest.raises(ValidationFailed) as refused:
        register(**overrides)
    assert set(refused.value.fields) == fields
    assert all(refused.value.fields.values())
    assert count(db, User) == 0 and count(db, OutboxMail) == 0


# --- confirmation -----------------------------------------------------------------------

def test_confirm_email_link(db, frozen_clock):
    register()
    token = link_token(mails(db)[0], "confirm")
    frozen_clock.advance(days=6, hours=23)
    user = services.confirm_email(token)
    assert user.confirmed_at == frozen_clock.now()
    assert services.confirm_email(token).confirmed_at == frozen_clock.now()  # a second click is harmless


def test_confirm_email_refuses_expired_link(db, frozen_clock):
    register()
    token = link_token(mails(db)[0], "confirm")
    frozen_clock.advance(days=8)
    with pytest.raises(NotFound):
        services.confirm_email(token)
    assert db.session.scalar(select(User)).confirmed_at is None


def test_confirm_email_refuses_tampered_and_foreign_links(db):
    ana = make_user("ana@example.org", confirmed=False)
    bob = make_user("bob@example.org", confirmed=False)
    good = links.make_confirm_token(ana)
    forged = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        good.replace(good.split(".")[0], links.make_confirm_token(bob).split(".")[0]),
        links._serializer("confirm").dumps({"uid": bob.id, "email": ana.email_key}),
        links.make_reset_token(ana),  # a link made for another purpose
        "not-a-token",
    ]
    for token in forged:
        with pytest.raises(NotFound):
            services.confirm_email(token)
    db.session.expire_all()
    assert ana.confirmed_at is None and bob.confirmed_at is None
    assert services.confirm_email(good).id == ana.id


# --- signing in -------------------------------------------------------------------------

def test_unknown_address_and_wrong_password_are_told_apart_by_nothing(db):
    user = make_user("ana@example.org")
    refusals = []
    for email, password in [("nobody@example.org", DEFAULT_PASSWORD), ("ana@example.org", "wrong password!")]:
        with pytest.raises(Unauthorised) as refused:
            services.authenticate(email, password, "10.0.0.1")
        refusals.append((refused.value.status, refused.value.code, refused.value.message))
    assert refusals[0] == refusals[1] == (401, "invalid_credentials", refusals[0][2])
    assert services.authenticate(" ANA@example.ORG ", DEFAULT_PASSWORD, "10.0.0.1").id == user.id


def test_unconfirmed_account_cannot_sign_in_while_confirmation_is_required(app, db, monkeypatch):
    make_user("ana@example.org", confirmed=False)
    with pytest.raises(Forbidden) as refused:
        services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1")
    assert (refused.value.status, refused.value.code) == (403, "email_not_confirmed")
    with pytest.raises(Unauthorised):  # a wrong password never learns the account is unconfirmed
        services.authenticate("ana@example.org", "wrong password!", "10.0.0.1")
    monkeypatch.setitem(app.config, "REQUIRE_EMAIL_CONFIRMATION", False)
    assert services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1").email == "ana@example.org"


def test_password_is_rehashed_at_sign_in_when_parameters_change(app, db, monkeypatch):
    user = make_user("ana@example.org")
    old_hash = user.password_hash
    assert "m=1024,t=1,p=1" in old_hash
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PARAMS", {"time_cost": 2, "memory_cost": 2048, "parallelism": 1})
    with pytest.raises(Unauthorised):
        services.authenticate("ana@example.org", "wrong password!", "10.0.0.1")
    db.session.refresh(user)
    assert user.password_hash == old_hash  # a failed attempt changes nothing
    services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1")
    db.session.refresh(user)
    new_hash = user.password_hash
    assert new_hash != old_hash and "m=2048,t=2,p=1" in new_hash
    assert services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1").password_hash == new_hash


def test_account_is_locked_after_ten_failures_even_for_the_right_password(db):
    make_user("ana@example.org")
    make_user("bob@example.org")
    for attempt in range(10):
        if attempt == 9:  # nine failures do not lock the account yet
            assert services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1").email == "ana@example.org"
        with pytest.raises(Unauthorised):
            services.authenticate("ana@example.org", "wrong password!", "10.0.0.1")
    with pytest.raises(TooManyRequests) as refused:
        services.authenticate("ANA@example.org", DEFAULT_PASSWORD, "10.0.0.2")
    assert refused.value.status == 429 and 0 < refused.value.retry_after <= 15 * 60 + 1
    assert services.authenticate("bob@example.org", DEFAULT_PASSWORD, "10.0.0.1").email == "bob@example.org"


def test_one_address_is_locked_after_a_hundred_failures(db):
    make_user("ana@example.org")
    for attempt in range(100):
        with pytest.raises(Unauthorised):
            services.authenticate(f"guess{attempt}@example.org", "wrong password!", "10.9.9.9")
    with pytest.raises(TooManyRequests):
        services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.9.9.9")
    assert services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1").email == "ana@example.org"


def test_sessions_expire_when_idle_and_remembered_ones_after_thirty_days(db, frozen_clock):
    user = make_user("ana@example.org")
    short = services.start_login_session(user, remember=False)
    remembered = services.start_login_session(user, remember=True)
    frozen_clock.advance(days=2)
    assert services.load_login_session(short).id == user.id  # use slides the idle window
    frozen_clock.advance(days=3, seconds=1)
    assert services.load_login_session(short) is None
    frozen_clock.advance(days=24, hours=23)
    assert services.load_login_session(remembered).id == user.id
    frozen_clock.advance(hours=1)
    assert services.load_login_session(remembered) is None


def test_tokens_are_stored_only_as_hashes(db):
    user = make_user("ana@example.org")
    session_token = services.start_login_session(user, remember=False)
    raw, token = services.create_api_token(user, "script")
    assert raw.startswith("sal_") and token.prefix == raw[:10]
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    dump = json.dumps([list(map(str, row)) for table in ("api_tokens", "login_sessions")
                       for row in db.session.execute(text(f"SELECT * FROM {table}"))])
    assert raw not in dump and session_token not in dump
    assert hashlib.sha256(session_token.encode()).hexdigest() in dump


def test_session_keeps_a_storable_user_agent(db):
    user = make_user("ana@example.org")
    token = services.start_login_session(user, remember=False, user_agent="Mozilla\x00/5.0\r\n" + "x" * 300)
    agent = services.load_login_session(token).current_login.user_agent
    assert agent.startswith("Mozilla/5.0xxx") and len(agent) == 200


# --- password reset and change ----------------------------------------------------------

def reset_link(db, email="ana@example.org"):
    services.request_password_reset(email)
    return link_token(mails(db, "reset_password")[-1], "reset")


def test_reset_link_works_once_and_ends_sessions_and_tokens(db):
    user = make_user("ana@example.org")
    session_token = services.start_login_session(user, remember=True)
    raw, _token = services.create_api_token(user)
    token = reset_link(db)
    assert services.user_for_reset_token(token).id == user.id
    services.reset_password(token, NEW_PASSWORD)
    assert services.load_login_session(session_token) is None
    assert services.user_for_token(raw) is None
    assert services.authenticate("ana@example.org", NEW_PASSWORD, "10.0.0.1").id == user.id
    with pytest.raises(NotFound):
        services.reset_password(token, "yet another passphrase")
    assert services.authenticate("ana@example.org", NEW_PASSWORD, "10.0.0.1").id == user.id


def test_reset_link_expires_after_one_hour(db, frozen_clock):
    make_user("ana@example.org")
    token = reset_link(db)
    frozen_clock.advance(minutes=59)
    services.user_for_reset_token(token)
    frozen_clock.advance(minutes=1, seconds=1)
    with pytest.raises(NotFound):
        services.reset_password(token, NEW_PASSWORD)
    assert services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1")


def test_reset_refuses_a_weak_password_and_keeps_the_link_usable(db):
    make_user("ana@example.org")
    token = reset_link(db)
    with pytest.raises(ValidationFailed) as refused:
        services.reset_password(token, "qwertyuiop")
    assert set(refused.value.fields) == {"password"}
    assert services.reset_password(token, NEW_PASSWORD).email == "ana@example.org"


def test_reset_is_silent_for_unknown_addresses_and_confirms_known_ones(db):
    user = make_user("ana@example.org", confirmed=False)
    services.request_password_reset("nobody@example.org")
    assert mails(db) == []
    services.reset_password(reset_link(db), NEW_PASSWORD)
    db.session.refresh(user)
    assert user.confirmed_at is not None


def test_at_most_five_reset_mails_an_hour(db):
    make_user("ana@example.org")
    for _request in range(5):
        services.request_password_reset("ana@example.org")
    with pytest.raises(TooManyRequests):
        services.request_password_reset("ANA@example.org")
    assert len(mails(db, "reset_password")) == 5


def test_change_password_ends_sessions_and_revokes_tokens(db):
    user = make_user("ana@example.org")
    session_token = services.start_login_session(user, remember=False)
    raw, _token = services.create_api_token(user)
    with pytest.raises(ValidationFailed) as refused:
        services.change_password(user, "wrong password!", NEW_PASSWORD)
    assert set(refused.value.fields) == {"current_password"}
    with pytest.raises(ValidationFailed) as refused:
        services.change_password(user, DEFAULT_PASSWORD, "password123")
    assert set(refused.value.fields) == {"new_password"}
    assert services.load_login_session(session_token) is not None and services.user_for_token(raw) is not None

    services.change_password(user, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert services.load_login_session(session_token) is None
    assert services.user_for_token(raw) is None
    assert db.session.get(ApiToken, _token.id).revoked_at is not None
    assert [m.kind for m in mails(db)] == ["password_changed"]
    with pytest.raises(Unauthorised):
        services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1")
    assert services.authenticate("ana@example.org", NEW_PASSWORD, "10.0.0.1").id == user.id


# --- API tokens -------------------------------------------------------------------------

def test_api_token_expires(app, db, frozen_clock):
    user = make_user("ana@example.org")
    raw, token = services.create_api_token(user)
    lifetime = token.expires_at - frozen_clock.now()
    assert lifetime == dt.timedelta(days=app.config["API_TOKEN_DAYS"]) == dt.timedelta(days=30)
    frozen_clock.advance(days=29, hours=23)
    assert services.user_for_token(raw).id == user.id
    frozen_clock.advance(hours=1)
    assert services.user_for_token(raw) is None


def test_api_token_revocation(db):
    ana = make_user("ana@example.org")
    bob = make_user("bob@example.org")
    raw, token = services.create_api_token(ana)
    other_raw, _other = services.create_api_token(ana)
    with pytest.raises(NotFound):
        services.revoke_token_by_id(bob, token.id)
    assert services.user_for_token(raw).id == ana.id
    services.revoke_token_by_id(ana, token.id)
    assert services.user_for_token(raw) is None
    services.revoke_token(other_raw)
    assert services.user_for_token(other_raw) is None
    assert services.user_for_token("sal_made-up") is None


# --- personal data ----------------------------------------------------------------------

def test_export_personal_data(db):
    user = make_user("ana@example.org", name="Ana Ionescu", organisation="UMF Iași", locale="ro")
    services.start_login_session(user, remember=False, user_agent="Firefox on Linux")
    raw, _token = services.create_api_token(user, "spreadsheet")
    services.request_password_reset("ana@example.org")
    data = personal_data.export_personal_data(user)
    dumped = json.dumps(data)
    assert {k: data["account"][k] for k in ("email", "name", "organisation", "locale")} == {
        "email": "ana@example.org", "name": "Ana Ionescu", "organisation": "UMF Iași", "locale": "ro"}
    assert [s["user_agent"] for s in data["sessions"]] == ["Firefox on Linux"]
    assert [t["label"] for t in data["api_tokens"]] == ["spreadsheet"]
    assert len(data["mails"]) == 1 and data["mails"][0]["subject"]
    assert raw not in dumped and user.password_hash not in dumped and "token_hash" not in dumped


def test_erase_account_removes_personal_data(db):
    user = make_user("Ana@Example.org", name="Ana Ionescu", organisation="UMF Iași")
    other = make_user("bob@example.org")
    session_token = services.start_login_session(user, remember=True)
    raw, _token = services.create_api_token(user)
    services.request_password_reset("ana@example.org")
    queue_mail("ANA@example.org", "already_registered", user=user, login_url="x", reset_url="y")
    queue_mail("bob@example.org", "already_registered", user=other, user_id=other.id, login_url="x", reset_url="y")
    db.session.commit()

    personal_data.erase_account(user)
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.name == "deleted user" and user.display_name == "deleted user"
    assert user.organisation == "" and user.erased_at is not None
    assert "ana" not in user.email.lower() and "ana" not in user.email_key
    assert services.load_login_session(session_token) is None and services.user_for_token(raw) is None
    assert count(db, LoginSession) == count(db, ApiToken) == 0
    assert [m.to_address for m in mails(db)] == ["bob@example.org"]
    dumped = json.dumps([list(map(str, r)) for r in db.session.execute(text("SELECT * FROM users"))])
    assert "Ana Ionescu" not in dumped and "UMF" not in dumped and "ana@example.org" not in dumped.lower()
    with pytest.raises(Unauthorised):
        services.authenticate("ana@example.org", DEFAULT_PASSWORD, "10.0.0.1")
    # The address is free again for a new account.
    register(email="ana@example.org")
    assert db.session.scalar(select(User).where(User.email_key == "ana@example.org")).id != user.id


def test_create_admin_outside_a_request(db):
    admin = services.create_admin(email="Admin@Example.org", password=DEFAULT_PASSWORD, name="Admin")
    assert admin.is_admin and admin.is_confirmed and admin.email_key == "admin@example.org"
    with pytest.raises(ValidationFailed) as refused:
        services.create_admin(email="root@example.org", password="short", name="Root")
    assert set(refused.value.fields) == {"password"}

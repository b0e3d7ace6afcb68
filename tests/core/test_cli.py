"""The operator's commands: the first administrator, and the demo data."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.passwords import verify_password
from app.demo import DEMO_PASSWORD, EXTRA_PEOPLE, PEOPLE
from tests.conftest import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "a different long passphrase"  # nosec B105 - test credential


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def users(app) -> list[User]:
    from app.extensions import db

    with app.app_context():
        rows = list(db.session.scalars(select(User).order_by(User.id)))
        db.session.expunge_all()
        return rows


def password_is(app, user: User, password: str) -> bool:
    with app.app_context():
        return verify_password(user.password_hash, password)


def create_admin(app, email: str, password: str = DEFAULT_PASSWORD, name: str = "Ada Admin"):
    return run(app, "create-admin", "--email", email, "--password", password, "--name", name)


def test_create_admin_makes_a_confirmed_administrator(app):
    result = create_admin(app, " Ada@Example.org ")
    assert result.exit_code == 0, result.output
    assert "Administrator Ada@Example.org is ready." in result.output
    [user] = users(app)
    assert user.is_admin and user.confirmed_at is not None
    assert user.email_key == "ada@example.org" and user.name == "Ada Admin"
    assert user.privacy_accepted_at is not None and user.erased_at is None
    assert password_is(app, user, DEFAULT_PASSWORD)


def test_the_administrator_can_sign_in(app, client):
    assert create_admin(app, "ada@example.org").exit_code == 0
    response = client.post("/api/v1/auth/tokens", json={"email": "ada@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": "Bearer " + response.get_json()["token"]})
    assert me.get_json()["is_admin"] is True


def test_a_weak_password_exits_with_code_2_and_says_why(app):
    result = create_admin(app, "ada@example.org", password="short")
    assert result.exit_code == 2
    assert "password:" in result.output and "10" in result.output
    assert users(app) == []

    result = create_admin(app, "ada@example.org", password="password123")
    assert result.exit_code == 2
    assert "password:" in result.output
    assert users(app) == []


def test_a_bad_address_exits_with_code_2(app):
    result = create_admin(app, "not-an-address")
    assert result.exit_code == 2
    assert "email:" in result.output
    assert users(app) == []


def test_missing_options_are_a_usage_error(app):
    result = run(app, "create-admin", "--email", "ada@example.org")
    assert result.exit_code == 2
    assert "--password" in result.output or "--name" in result.output
    assert users(app) == []


def test_running_it_again_promotes_an_existing_account(app):
    with app.app_context():
        make_user("Ion@Example.org", name="Ion Pop", confirmed=False)
    result = create_admin(app, "ion@example.org", password=NEW_PASSWORD, name="Ion Admin")
    assert result.exit_code == 0, result.output
    [user] = users(app)
    assert user.is_admin and user.confirmed_at is not None
    assert password_is(app, user, NEW_PASSWORD)
    assert not password_is(app, user, DEFAULT_PASSWORD)

    again = create_admin(app, "ION@example.org", password=DEFAULT_PASSWORD)
    assert again.exit_code == 0, again.output
    [user] = users(app)
    assert user.is_admin and password_is(app, user, DEFAULT_PASSWORD)


def test_a_weak_password_leaves_an_existing_account_unchanged(app):
    with app.app_context():
        make_user("ion@example.org")
    assert create_admin(app, "ion@example.org", password="short").exit_code == 2
    [user] = users(app)
    assert not user.is_admin
    assert password_is(app, user, DEFAULT_PASSWORD)


def test_demo_loads_once(app):
    first = run(app, "demo")
    assert first.exit_code == 0, first.output
    assert "Demo data loaded." in first.output
    assert DEMO_PASSWORD in first.output
    loaded = users(app)
    expected = [email for _role, email, *_ in PEOPLE] + [email for email, *_ in EXTRA_PEOPLE]
    assert sorted(u.email_key for u in loaded) == sorted(expected)
    assert all(u.confirmed_at is not None for u in loaded)
    assert [u.email_key for u in loaded if u.is_admin] == ["admin@demo.salus.example"]
    assert {u.locale for u in loaded} == {"en", "ro", "fr", "it", "da"}

    second = run(app, "demo")
    assert second.exit_code == 0, second.output
    assert "Demo data already present." in second.output
    from app.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == len(PEOPLE) + len(EXTRA_PEOPLE)
        from app.challenges.models import Challenge
        from app.submissions.models import Idea

        challenges = db.session.scalars(select(Challenge)).all()
        assert {c.status for c in challenges} >= {"open", "draft"}
        # The open hackathon shows ideas in every state a participant can reach.
        assert set(db.session.scalars(select(Idea.status))) == {"draft", "submitted", "withdrawn"}


def test_demo_accounts_can_sign_in(app, client):
    assert run(app, "demo").exit_code == 0
    response = client.post("/api/v1/auth/tokens",
                           json={"email": "juror@demo.salus.example", "password": DEMO_PASSWORD})
    assert response.status_code == 201

"""A small world for idea tests: one challenge with two teams, its organiser, and an outsider
who takes part in another challenge."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient

from tests.factories import make_challenge, make_team, make_user


@pytest.fixture
def world(app_ctx):
    organiser = make_user("orga@example.org", name="Olga Organiser")
    alice = make_user("alice@example.org", name="Alice Ababei", locale="en")
    bob = make_user("bob@example.org", name="Bogdan Bălan", locale="ro")
    carol = make_user("carol@example.org", name="Carol Cozma")
    dave = make_user("dave@example.org", name="Dan Dumitru")
    challenge = make_challenge(organisers=[organiser], deadline_in=dt.timedelta(days=2))
    other = make_challenge(title="Another challenge", organisers=[organiser])
    team = make_team(challenge, alice, bob, name="Heart at home")
    rival = make_team(challenge, carol, name="Rivals")
    elsewhere = make_team(other, dave, name="Elsewhere")
    return SimpleNamespace(organiser=organiser, alice=alice, bob=bob, carol=carol, dave=dave,
                           challenge=challenge, other=other, team=team, rival=rival, elsewhere=elsewhere)


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as in production.

    A test that holds an app context (the ``db`` fixture) would otherwise share ``g`` with the
    requests it makes, and with it the cached CSRF token and signed-in user of an earlier request.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return FreshGlobalsClient(app, app.response_class, use_cookies=True)

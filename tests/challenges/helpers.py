"""Helpers for the challenge page tests: signed-in clients and reading what was stored."""
from app.accounts.models import User
from app.challenges.models import Challenge
from tests.conftest import login
from tests.factories import make_challenge


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def create(app, people, organiser="organiser", **fields):
    """A challenge organised by one of ``people`` (the organiser unless told)."""
    from app.extensions import db

    with app.app_context():
        owner = db.session.get(User, getattr(people, organiser).id)
        return make_challenge(organisers=[owner], **fields).id


def stored(app, challenge_id):
    from app.extensions import db

    with app.app_context():
        challenge = db.session.get(Challenge, challenge_id)
        return {"status": challenge.status, "title": challenge.title, "deadline": challenge.submission_deadline,
                "opens_at": challenge.opens_at,
                "criteria": [(c.name, c.weight, list(c.anchors)) for c in challenge.criteria],
                "tracks": [(t.id, t.name) for t in challenge.tracks]}


def text(response):
    return response.get_data(as_text=True)

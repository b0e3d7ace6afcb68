"""A challenge's audit trail in the JSON API."""
from __future__ import annotations

import datetime as dt

from app.core import audit
from app.extensions import db as database
from tests.conftest import api_token, bearer, make_user
from tests.factories import make_challenge
from tests.results.test_audit_log import lived_challenge


def test_organisers_read_the_trail_newest_first(app, db, client, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    headers = bearer(api_token(client, trail.organiser.email))
    response = client.get(f"/api/v1/challenges/{trail.challenge.id}/audit", headers=headers)
    assert response.status_code == 200
    page = response.get_json()
    assert (page["total"], page["page"], page["per_page"]) == (6, 1, 20)
    actions = [item["action"] for item in page["items"]]
    assert actions == ["results.published", "awards.changed", "score.changed", "assignment.added",
                       "challenge.judging_started", "challenge.opened"]
    score = page["items"][2]
    assert set(score) == {"id", "at", "actor_id", "actor", "action", "label", "subject_type", "subject_id", "details"}
    assert score["actor"] == "Jana Juror" and score["actor_id"] == trail.juror.id
    assert score["label"] == "Scores changed after the first save" and score["subject_type"] == "review"
    relevance, feasibility = (str(c.id) for c in trail.criteria)
    assert score["details"]["old"] == {relevance: 3, feasibility: 4}
    assert score["details"]["new"] == {relevance: 5, feasibility: 4}
    assert dt.datetime.fromisoformat(page["items"][-1]["at"]).tzinfo is not None


def test_the_kind_filter_and_pagination(app, db, client, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    headers = bearer(api_token(client, trail.organiser.email))
    base = f"/api/v1/challenges/{trail.challenge.id}/audit"
    only = client.get(base + "?kind=challenge", headers=headers).get_json()
    assert [item["action"] for item in only["items"]] == ["challenge.judging_started", "challenge.opened"]
    assert client.get(base + "?kind=announcement", headers=headers).get_json()["total"] == 0
    for kind in ("nope", "challenge.opened", "' OR 1=1 --", ""):
        response = client.get(base, query_string={"kind": kind}, headers=headers)
        assert response.status_code == 422 and "kind" in response.get_json()["error"]["fields"], kind
    second = client.get(base + "?per_page=4&page=2", headers=headers).get_json()
    assert [item["action"] for item in second["items"]] == ["challenge.judging_started", "challenge.opened"]
    assert client.get(base + "?per_page=101", headers=headers).status_code == 422


def test_the_system_and_erased_people_are_named_as_such(app, db, client, frozen_clock):
    organiser = make_user("olga@example.org", name="Olga Organiser")
    challenge = make_challenge(title="Names", status="open", organisers=[organiser])
    audit.record("team.deadline_exception_revoked", actor=None, subject_type="team", subject_id=None,
                 challenge_id=challenge.id)
    database.session.commit()
    headers = bearer(api_token(client, organiser.email))
    (item,) = client.get(f"/api/v1/challenges/{challenge.id}/audit", headers=headers).get_json()["items"]
    assert item["actor"] is None and item["actor_id"] is None


def test_only_organisers_read_the_trail(app, db, client, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    owner = make_user("other.owner@example.org", name="Other Owner")
    draft = make_challenge(title="Hidden", status="draft", organisers=[owner])
    base = f"/api/v1/challenges/{trail.challenge.id}/audit"
    assert client.get(base).status_code == 401
    for email in ("ana@example.org", trail.juror.email, owner.email):
        assert client.get(base, headers=bearer(api_token(client, email))).status_code == 403, email
    headers = bearer(api_token(client, trail.organiser.email))
    assert client.get(f"/api/v1/challenges/{draft.id}/audit", headers=headers).status_code == 404
    assert client.get(f"/api/v1/challenges/{2**40}/audit", headers=headers).status_code == 404
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(base, headers=headers).status_code == 405

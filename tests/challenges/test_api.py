"""The Challenges table of the API contract, row by row, with each error code."""
import datetime as dt

import pytest

from app.challenges.models import Challenge
from tests.challenges.conftest import challenge_body
from tests.conftest import api_token, bearer, make_user
from tests.factories import make_challenge, make_team

API = "/api/v1/challenges"


@pytest.fixture
def tokens(client, people):
    return {role: bearer(api_token(client, getattr(people, role).email))
            for role in ("admin", "organiser", "other", "participant")}


def create(app, people, **fields):
    """A challenge organised by ``people.organiser``."""
    from app.accounts.models import User
    from app.extensions import db

    with app.app_context():
        organiser = db.session.get(User, people.organiser.id)
        return make_challenge(organisers=[organiser], **fields).id


def error(response, status, code=None):
    assert response.status_code == status, response.get_json()
    body = response.get_json()["error"]
    if code:
        assert body["code"] == code, body
    return body


# --- POST /challenges -----------------------------------------------------------------------

def test_create_answers_the_contract_shape(client, tokens, people):
    response = client.post(API, json=challenge_body(), headers=tokens["admin"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["phase"] == "upcoming" and isinstance(body["id"], int)
    assert [t["name"] for t in body["tracks"]] == ["Telemedicine", "Prevention"]
    assert all(set(t) >= {"id", "name"} and isinstance(t["id"], int) for t in body["tracks"])
    assert [{k: c[k] for k in ("name", "description", "weight", "scale_min", "scale_max")} for c in body["criteria"]] \
        == [{"name": "Relevance", "description": "Does it matter?", "weight": 2.0, "scale_min": 1, "scale_max": 5},
            {"name": "Feasibility", "description": "Can it be built?", "weight": 1.0, "scale_min": 0,
             "scale_max": 10}]
    assert all(isinstance(c["id"], int) for c in body["criteria"])
    assert body["opens_at"] == "2026-11-20T10:00:00+00:00"
    assert body["submission_deadline"] == "2026-11-22T10:00:00+00:00"
    assert (body["team_min_size"], body["team_max_size"], body["reviews_per_entry"]) == (2, 5, 3)
    assert body["blind_review"] is True and body["ranking_method"] == "calibrated" and body["kind"] == "hackathon"
    assert body["budget_total"] is None
    # the creator organises it: it can open it
    assert client.post(f"{API}/{body['id']}/open", headers=tokens["admin"]).status_code == 200


def test_create_a_call_with_a_budget_as_a_number(client, tokens):
    response = client.post(API, json=challenge_body(kind="call", budget_total=250000.5), headers=tokens["admin"])
    assert response.status_code == 201
    assert response.get_json()["budget_total"] == 250000.5


def test_create_needs_a_token(client, people):
    error(client.post(API, json=challenge_body()), 401)
    error(client.post(API, json=challenge_body(), headers=bearer("not-a-token")), 401)


def test_create_is_for_administrators(client, tokens):
    error(client.post(API, json=challenge_body(), headers=tokens["participant"]), 403, "forbidden")


@pytest.mark.parametrize("overrides, field", [
    ({"title": "x" * 201}, "title"),
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
    ({"description": "x" * 20_001}, "description"),
    ({"kind": "party"}, "kind"),
    ({"ranking_method": "median"}, "ranking_method"),
    ({"team_min_size": 0}, "team_min_size"),
    ({"team_max_size": "five"}, "team_max_size"),
    ({"team_min_size": 4, "team_max_size": 3}, "team_max_size"),
    ({"reviews_per_entry": 0}, "reviews_per_entry"),
    ({"team_max_size": 10**12}, "team_max_size"),
    ({"opens_at": "2026-11-20T12:00:00"}, "opens_at"),  # no offset
    ({"submission_deadline": "tomorrow"}, "submission_deadline"),
    ({"submission_deadline": "2026-11-20T09:00:00+00:00"}, "submission_deadline"),  # before opening
    ({"blind_review": "maybe"}, "blind_review"),
    ({"budget_total": 1000}, "budget_total"),  # hackathons have no budget
    ({"kind": "call", "budget_total": -1}, "budget_total"),
    ({"tracks": [""]}, "tracks.0.name"),
    ({"tracks": "Telemedicine"}, "tracks"),
    ({"criteria": [{"name": "W", "weight": 0}]}, "criteria.0.weight"),
    ({"criteria": [{"name": "W", "weight": -2}]}, "criteria.0.weight"),
    ({"criteria": [{"name": "S", "weight": 1, "scale_min": 5, "scale_max": 5}]}, "criteria.0.scale_max"),
    ({"criteria": [{"name": "S", "weight": 1, "scale_min": 6, "scale_max": 2}]}, "criteria.0.scale_max"),
    ({"criteria": [{"weight": 1}]}, "criteria.0.name"),
    ({"criteria": [{"name": "A", "weight": 1, "anchors": ["one", "two"]}]}, "criteria.0.anchors"),
])
def test_create_validation(client, tokens, overrides, field):
    body = error(client.post(API, json=challenge_body(**overrides), headers=tokens["admin"]), 422)
    assert field in body["fields"], body


def test_create_without_a_title_and_with_a_malformed_body(client, tokens):
    body = challenge_body()
    del body["title"]
    assert "title" in error(client.post(API, json=body, headers=tokens["admin"]), 422)["fields"]
    error(client.post(API, data="{not json", content_type="application/json", headers=tokens["admin"]), 400)
    error(client.post(API, json=["a list"], headers=tokens["admin"]), 400)


def test_weird_input_never_fails_with_500(client, tokens):
    for value in ("\ud800", "a\x00b", 1e308, -1e308, [], {}, True, "9999-12-31T23:59:59-23:59",
                  "0001-01-01T00:00:00+14:00"):
        for field in ("title", "description", "opens_at", "team_min_size", "budget_total", "criteria", "tracks"):
            response = client.post(API, json=challenge_body(kind="call", **{field: value}), headers=tokens["admin"])
            assert response.status_code in (201, 400, 422), (field, value, response.get_json())


# --- PATCH /challenges/{id} -----------------------------------------------------------------

def test_patch_changes_fields_and_programme(client, tokens, app, people):
    challenge_id = create(app, people, status="draft")
    response = client.patch(f"{API}/{challenge_id}", headers=tokens["organiser"], json={
        "title": "Renamed", "programme_id": 3, "tracks": ["Ageing"], "team_max_size": 6,
        "criteria": [{"name": "Impact", "description": "", "weight": 1.5, "scale_min": 1, "scale_max": 4}]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["title"], body["programme_id"], body["team_max_size"]) == ("Renamed", 3, 6)
    assert [t["name"] for t in body["tracks"]] == ["Ageing"]
    assert [(c["name"], c["weight"], c["scale_max"]) for c in body["criteria"]] == [("Impact", 1.5, 4)]


def test_patch_round_trips_what_get_answers(client, tokens, app, people):
    challenge_id = create(app, people, status="draft")
    body = client.get(f"{API}/{challenge_id}", headers=tokens["organiser"]).get_json()
    again = client.patch(f"{API}/{challenge_id}", json=body, headers=tokens["organiser"])
    assert again.status_code == 200, again.get_json()
    after = again.get_json()
    assert [t["id"] for t in after["tracks"]] == [t["id"] for t in body["tracks"]]
    assert [c["id"] for c in after["criteria"]] == [c["id"] for c in body["criteria"]]


def test_patch_errors(client, tokens, app, people):
    open_id = create(app, people)
    draft_id = create(app, people, status="draft")
    judging_id = create(app, people, status="judging")
    error(client.patch(f"{API}/{open_id}", json={"title": "x"}), 401)
    error(client.patch(f"{API}/{open_id}", json={"title": "x"}, headers=tokens["participant"]), 403)
    error(client.patch(f"{API}/{draft_id}", json={"title": "x"}, headers=tokens["participant"]), 404)
    error(client.patch(f"{API}/999999", json={"title": "x"}, headers=tokens["organiser"]), 404)
    error(client.patch(f"{API}/{judging_id}", json={"criteria": [{"name": "N", "weight": 1}]},
                       headers=tokens["organiser"]), 409, "criteria_frozen")
    assert client.patch(f"{API}/{judging_id}", json={"reviews_per_entry": 2},
                        headers=tokens["organiser"]).status_code == 200
    error(client.patch(f"{API}/{open_id}", json={"title": "x", "version": 42}, headers=tokens["organiser"]),
          409, "version_conflict")
    fields = error(client.patch(f"{API}/{open_id}", json={"team_min_size": 9}, headers=tokens["organiser"]),
                   422)["fields"]
    assert "team_max_size" in fields
    assert "title" in error(client.patch(f"{API}/{open_id}", json={"title": None}, headers=tokens["organiser"]),
                            422)["fields"]


def test_patch_can_give_a_call_a_budget(client, tokens, app, people):
    challenge_id = create(app, people, status="draft")
    response = client.patch(f"{API}/{challenge_id}", json={"kind": "call", "budget_total": "1200000.00"},
                            headers=tokens["organiser"])
    assert response.status_code == 200 and response.get_json()["budget_total"] == 1200000.0
    response = client.patch(f"{API}/{challenge_id}", json={"kind": "hackathon"}, headers=tokens["organiser"])
    assert response.get_json()["budget_total"] is None


# --- GET /challenges and /challenges/{id} ---------------------------------------------------

def test_list_shows_non_drafts_to_everyone_and_drafts_to_their_organisers(client, tokens, app, people):
    open_id = create(app, people, title="Open one")
    draft_id = create(app, people, status="draft", title="Draft one")
    judging_id = create(app, people, status="judging", title="Judging one")
    anonymous = client.get(API).get_json()
    assert {c["id"] for c in anonymous["items"]} == {open_id, judging_id}
    assert (anonymous["total"], anonymous["page"], anonymous["per_page"]) == (2, 1, 20)
    assert {c["id"] for c in client.get(API, headers=tokens["other"]).get_json()["items"]} == {open_id, judging_id}
    mine = client.get(API, headers=tokens["organiser"]).get_json()
    assert {c["id"] for c in mine["items"]} == {open_id, draft_id, judging_id}
    assert {c["id"] for c in client.get(API, headers=tokens["admin"]).get_json()["items"]} == \
        {open_id, draft_id, judging_id}
    item = next(c for c in anonymous["items"] if c["id"] == open_id)
    assert item["status"] == "open" and item["phase"] == "submissions_open"


def test_list_pagination(client, app, people):
    for n in range(3):
        create(app, people, title=f"C{n}")
    page = client.get(f"{API}?page=2&per_page=2").get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)
    error(client.get(f"{API}?per_page=101"), 422)
    error(client.get(API, headers=bearer("expired")), 401)


def test_get_one_with_status_and_phase(client, tokens, app, people, frozen_clock):
    challenge_id = create(app, people, opens_in=dt.timedelta(hours=2))
    body = client.get(f"{API}/{challenge_id}").get_json()
    assert (body["status"], body["phase"]) == ("open", "upcoming")
    frozen_clock.advance(hours=2)
    assert client.get(f"{API}/{challenge_id}").get_json()["phase"] == "submissions_open"
    frozen_clock.advance(days=2)
    assert client.get(f"{API}/{challenge_id}").get_json()["phase"] == "submissions_closed"


def test_drafts_are_hidden_from_everyone_but_organisers(client, tokens, app, people):
    draft_id = create(app, people, status="draft")
    error(client.get(f"{API}/{draft_id}"), 404, "not_found")
    error(client.get(f"{API}/{draft_id}", headers=tokens["other"]), 404)
    error(client.get(f"{API}/999999"), 404)
    assert client.get(f"{API}/{draft_id}", headers=tokens["organiser"]).get_json()["status"] == "draft"
    assert client.get(f"{API}/{draft_id}", headers=tokens["admin"]).status_code == 200


# --- POST /challenges/{id}/open ------------------------------------------------------------

def test_open_a_draft(client, tokens, app, people):
    challenge_id = create(app, people, status="draft")
    response = client.post(f"{API}/{challenge_id}/open", headers=tokens["organiser"])
    assert response.status_code == 200 and response.get_json()["status"] == "open"
    error(client.post(f"{API}/{challenge_id}/open", headers=tokens["organiser"]), 409, "not_draft")


def test_open_incomplete_lists_what_is_missing(client, tokens, app, people):
    challenge_id = create(app, people, status="draft", criteria=(), deadline_in=dt.timedelta(hours=-1),
                          opens_in=dt.timedelta(hours=-2))
    body = error(client.post(f"{API}/{challenge_id}/open", headers=tokens["organiser"]), 422)
    assert body["fields"] == {"submission_deadline": "The submission deadline is in the past",
                              "criteria": "Add at least one scoring criterion"}
    assert client.get(f"{API}/{challenge_id}", headers=tokens["organiser"]).get_json()["status"] == "draft"


def test_open_refusals(client, tokens, app, people):
    draft_id = create(app, people, status="draft")
    open_id = create(app, people)
    error(client.post(f"{API}/{draft_id}/open"), 401)
    error(client.post(f"{API}/{draft_id}/open", headers=tokens["participant"]), 404)
    error(client.post(f"{API}/{open_id}/open", headers=tokens["participant"]), 403)
    error(client.post(f"{API}/999999/open", headers=tokens["organiser"]), 404)


# --- POST /challenges/{id}/organisers -------------------------------------------------------

def test_add_an_organiser(client, tokens, app, people):
    challenge_id = create(app, people, status="draft")
    response = client.post(f"{API}/{challenge_id}/organisers", json={"email": "other@example.org"},
                           headers=tokens["organiser"])
    assert response.status_code == 201 and response.get_json()["user_id"] == people.other.id
    # the new organiser now sees the draft and can change it
    assert client.get(f"{API}/{challenge_id}", headers=tokens["other"]).status_code == 200
    assert client.patch(f"{API}/{challenge_id}", json={"title": "Ours"}, headers=tokens["other"]).status_code == 200


def test_add_organiser_refusals(client, tokens, app, people):
    draft_id = create(app, people, status="draft")
    open_id = create(app, people)
    body = error(client.post(f"{API}/{open_id}/organisers", json={"email": "nobody@example.org"},
                             headers=tokens["organiser"]), 422)
    assert "email" in body["fields"]
    assert "email" in error(client.post(f"{API}/{open_id}/organisers", json={}, headers=tokens["organiser"]),
                            422)["fields"]
    error(client.post(f"{API}/{open_id}/organisers", json={"email": "other@example.org"}), 401)
    error(client.post(f"{API}/{open_id}/organisers", json={"email": "participant@example.org"},
                      headers=tokens["participant"]), 403)
    error(client.post(f"{API}/{draft_id}/organisers", json={"email": "participant@example.org"},
                      headers=tokens["participant"]), 404)


def test_jurors_are_added_by_organisers_only(client, tokens, app, people):
    challenge_id = create(app, people)
    # An address without an account is invited (202); anonymous callers are refused (401).
    assert client.post(f"{API}/{challenge_id}/jurors", json={"email": "not-yet-registered@example.org"},
                       headers=tokens["organiser"]).status_code == 202
    assert client.post(f"{API}/{challenge_id}/jurors", json={"email": "x@example.org"}).status_code == 401


# --- POST /challenges/{id}/judging ----------------------------------------------------------

def test_start_judging_after_the_deadline(client, tokens, app, people, frozen_clock):
    challenge_id = create(app, people, deadline_in=dt.timedelta(hours=1))
    error(client.post(f"{API}/{challenge_id}/judging", headers=tokens["organiser"]), 409, "deadline_not_passed")
    frozen_clock.advance(hours=1)
    response = client.post(f"{API}/{challenge_id}/judging", headers=tokens["organiser"])
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["phase"]) == ("judging", "judging")
    error(client.post(f"{API}/{challenge_id}/judging", headers=tokens["organiser"]), 409, "not_open")


def test_start_judging_waits_for_a_team_exception(client, tokens, app, people, frozen_clock):
    challenge_id = create(app, people, deadline_in=dt.timedelta(hours=1))
    with app.app_context():
        from app.extensions import db

        team = make_team(db.session.get(Challenge, challenge_id), make_user("member@example.org"))
        team.deadline_exception = frozen_clock.now() + dt.timedelta(hours=2)
        db.session.commit()
    frozen_clock.advance(hours=1, minutes=1)
    error(client.post(f"{API}/{challenge_id}/judging", headers=tokens["organiser"]), 409, "deadline_not_passed")
    frozen_clock.advance(hours=1)
    assert client.post(f"{API}/{challenge_id}/judging", headers=tokens["organiser"]).status_code == 200


def test_start_judging_refusals(client, tokens, app, people):
    draft_id = create(app, people, status="draft", deadline_in=dt.timedelta(hours=-1))
    open_id = create(app, people, deadline_in=dt.timedelta(hours=-1), opens_in=dt.timedelta(hours=-2))
    error(client.post(f"{API}/{open_id}/judging"), 401)
    error(client.post(f"{API}/{open_id}/judging", headers=tokens["participant"]), 403)
    error(client.post(f"{API}/{draft_id}/judging", headers=tokens["participant"]), 404)
    error(client.post(f"{API}/{draft_id}/judging", headers=tokens["organiser"]), 409, "not_open")


def test_openapi_describes_the_challenge_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/challenges"])
    assert {"get", "patch"} <= set(paths["/api/v1/challenges/{challenge_id}"])
    for action in ("open", "organisers", "judging"):
        assert "post" in paths[f"/api/v1/challenges/{{challenge_id}}/{action}"]


@pytest.mark.parametrize("challenge_id", ["0", "99999999999999999999", "2147483648"])
def test_out_of_range_ids_are_simply_absent(client, tokens, challenge_id):
    error(client.get(f"{API}/{challenge_id}"), 404)
    error(client.patch(f"{API}/{challenge_id}", json={"title": "x"}, headers=tokens["organiser"]), 404)
    error(client.post(f"{API}/{challenge_id}/judging", headers=tokens["organiser"]), 404)

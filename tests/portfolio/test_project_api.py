"""The contract's project rows: POST /ideas/{id}/promote, POST /portfolio, GET and PATCH
/portfolio/{id}, each with its refusals (401, 403, 404, 409, 422)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db as database
from app.portfolio.models import PortfolioProject, ProjectUpdate
from tests.conftest import api_token, bearer
from tests.factories import make_challenge
from tests.portfolio.scenario import LOCAL, portfolio, published
from tests.results.scenario import judged

NEW = {"title": "Mobile clinic for Păcurari", "summary": "A van with a nurse visits twice a week.",
       "organisation": "Primăria Iași", "stage": "idea"}


@pytest.fixture
def world(app):
    with app.app_context():
        built = portfolio()
        make_challenge(title="Another challenge", organisers=[built.world.outsider])
        return {"challenge": built.challenge.id, "promoted": built.promoted.id,
                "local": {title: p.id for title, p in built.local.items()},
                "ideas": {name: idea.id for name, idea in built.ideas.items()}}


def token(client, who: str) -> dict[str, str]:
    emails = {"admin": "admin@example.org", "organiser": "olga@example.org", "member": "a1@example.org",
              "juror": "juror1@example.org", "other_organiser": "out@example.org", "beta": "b1@example.org"}
    return bearer(api_token(client, emails[who]))


# --- POST /ideas/{id}/promote -----------------------------------------------------------------

def test_the_organiser_promotes_an_entry_with_its_origin(client, world):
    response = client.post(f"/api/v1/ideas/{world['ideas']['Beta']}/promote", headers=token(client, "organiser"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["stage"] == "incubation" and body["reference"].startswith("SH-")
    assert body["origin"]["challenge_id"] == world["challenge"] and body["origin"]["idea_id"] == world["ideas"]["Beta"]
    assert body["origin"]["awards"] == [{"name": "Jury mention", "amount": None}]
    assert body["contacts"] == [{"name": "Bea Beta", "role": ""}]


def test_promotion_takes_a_stage(client, world):
    response = client.post(f"/api/v1/ideas/{world['ideas']['Gamma']}/promote", json={"stage": "pilot"},
                           headers=token(client, "organiser"))
    assert response.status_code == 201 and response.get_json()["stage"] == "pilot"


@pytest.mark.parametrize("stage", ["deployed", "stopped", "anything", 1, ["idea"]])
def test_promotion_refuses_other_stages(client, world, stage):
    response = client.post(f"/api/v1/ideas/{world['ideas']['Gamma']}/promote", json={"stage": stage},
                           headers=token(client, "organiser"))
    assert response.status_code == 422 and "stage" in response.get_json()["error"]["fields"]


def test_promoting_twice_answers_already_promoted(client, world):
    response = client.post(f"/api/v1/ideas/{world['ideas']['Alpha']}/promote", headers=token(client, "organiser"))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "already_promoted"


def test_promoting_a_draft_answers_409(client, world):
    response = client.post(f"/api/v1/ideas/{world['ideas']['Epsilon']}/promote", headers=token(client, "organiser"))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_promotable"


def test_promoting_before_publication_answers_not_published(app, client):
    with app.app_context():
        idea_id = judged().ideas["Alpha"].id
    response = client.post(f"/api/v1/ideas/{idea_id}/promote", headers=token(client, "organiser"))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_published"


@pytest.mark.parametrize("who, status", [("member", 404), ("beta", 403), ("juror", 403), ("other_organiser", 404)])
def test_promotion_is_refused_to_everyone_else(client, world, who, status):
    response = client.post(f"/api/v1/ideas/{world['ideas']['Beta']}/promote", headers=token(client, who))
    assert response.status_code == status
    with client.application.app_context():
        assert database.session.scalar(select(PortfolioProject.id)
                                       .where(PortfolioProject.origin_idea_id == world["ideas"]["Beta"])) is None


def test_promotion_needs_a_token_and_an_existing_entry(client, world):
    assert client.post(f"/api/v1/ideas/{world['ideas']['Beta']}/promote").status_code == 401
    assert client.post("/api/v1/ideas/999999/promote", headers=token(client, "organiser")).status_code == 404
    assert client.post("/api/v1/ideas/99999999999/promote", headers=token(client, "organiser")).status_code == 404


# --- POST /portfolio --------------------------------------------------------------------------

def test_an_administrator_enters_a_local_initiative(client, world):
    data = {**LOCAL[0], "title": "Telemedicine for Bucium"}
    response = client.post("/api/v1/portfolio", json=data, headers=token(client, "admin"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Telemedicine for Bucium" and body["origin"] is None and body["version"] == 1
    assert body["location"] == {"name": "Iași", "latitude": 47.1585, "longitude": 27.6014}
    assert [f["programme"] for f in body["funding_sources"]] == ["PNRR", "Municipal budget"]
    assert client.get(f"/api/v1/portfolio/{body['id']}").get_json()["reference"] == body["reference"]


def test_the_minimal_body_is_enough(client, world):
    response = client.post("/api/v1/portfolio", json=NEW, headers=token(client, "admin"))
    assert response.status_code == 201
    assert response.get_json()["location"] == {"name": "", "latitude": None, "longitude": None}


@pytest.mark.parametrize("who", ["organiser", "member", "juror", "other_organiser"])
def test_only_administrators_enter_projects(client, world, who):
    assert client.post("/api/v1/portfolio", json=NEW, headers=token(client, who)).status_code == 403


def test_entering_a_project_needs_a_token(client, world):
    assert client.post("/api/v1/portfolio", json=NEW).status_code == 401


@pytest.mark.parametrize("change, field", [
    ({"title": None}, "title"), ({"title": ""}, "title"), ({"title": "x" * 201}, "title"),
    ({"summary": "   "}, "summary"), ({"summary": "x" * 20001}, "summary"), ({"organisation": ""}, "organisation"),
    ({"stage": "finished"}, "stage"), ({"stage": "stopped"}, "stopped_reason"),
    ({"description": "x" * 20001}, "description"), ({"themes": ["x" * 61]}, "themes"),
    ({"themes": [f"t{n}" for n in range(21)]}, "themes"), ({"themes": [1, 2]}, "themes"),
    ({"partners": ["p" * 201]}, "partners"), ({"budget": -1}, "budget"), ({"budget": "lots"}, "budget"),
    ({"budget": "1.005"}, "budget"), ({"currency": "euro"}, "currency"),
    ({"location": {"name": "Iași", "latitude": 91, "longitude": 27}}, "location.latitude"),
    ({"location": {"name": "Iași", "latitude": 47, "longitude": -181}}, "location.longitude"),
    ({"location": {"name": "Iași", "latitude": 47}}, "location.longitude"),
    ({"location": {"latitude": "north", "longitude": 1}}, "location.latitude"),
    ({"starts_on": "31/12/2026"}, "starts_on"), ({"starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "ends_on"),
    ({"website": "javascript:alert(1)"}, "website"), ({"website": "ftp://example.org"}, "website"),
    ({"contact_email": "not an address"}, "contact_email"),
    ({"funding_sources": [{"amount": 10}]}, "funding_sources.0.programme"),
    ({"funding_sources": ["ESF", {"programme": "PNRR", "amount": "x"}]}, "funding_sources.1.amount"),
    ({"funding_sources": [{"programme": "PNRR", "starts_on": "2026-02-01", "ends_on": "2026-01-01"}]},
     "funding_sources.0.ends_on"),
    ({"programme_id": "one"}, "programme_id"),
])
def test_bad_values_answer_422_with_the_field(client, world, change, field):
    response = client.post("/api/v1/portfolio", json={**NEW, **change}, headers=token(client, "admin"))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("missing", ["title", "summary", "organisation", "stage"])
def test_the_required_fields_are_required(client, world, missing):
    data = {k: v for k, v in NEW.items() if k != missing}
    response = client.post("/api/v1/portfolio", json=data, headers=token(client, "admin"))
    assert response.status_code == 422 and missing in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("raw", ["{", "[]", '"text"', "null"])
def test_a_body_that_is_not_an_object_answers_400(client, world, raw):
    response = client.post("/api/v1/portfolio", data=raw, content_type="application/json",
                           headers=token(client, "admin"))
    assert response.status_code == 400


# --- GET /portfolio/{id} ----------------------------------------------------------------------

def test_anyone_reads_a_project_with_its_timeline_and_followers(client, world):
    headers = token(client, "organiser")
    project = world["promoted"]
    client.patch(f"/api/v1/portfolio/{project}", json={"stage": "pilot"}, headers=headers)
    with client.application.app_context():
        database.session.add(ProjectUpdate(project_id=project, title="Later news", body="Two more wards."))
        database.session.commit()
    body = client.get(f"/api/v1/portfolio/{project}").get_json()
    assert body["followers"] == 2 and body["stage"] == "pilot"
    assert [(u["title"], u["stage_from"], u["stage_to"]) for u in body["updates"]] == [
        ("Later news", None, None), ("Stage changed", "incubation", "pilot")]
    assert set(body["updates"][0]) == {"id", "title", "body", "stage_from", "stage_to", "created_at"}
    assert body["origin"]["idea_id"] == world["ideas"]["Alpha"]
    assert "@" not in str(body["contacts"])


def test_an_unknown_project_answers_404(client, world):
    assert client.get("/api/v1/portfolio/999999").status_code == 404
    assert client.get("/api/v1/portfolio/0").status_code == 404


# --- PATCH /portfolio/{id} --------------------------------------------------------------------

def test_an_administrator_edits_a_local_initiative(client, world):
    project = world["local"]["Diabetes screening in Copou"]
    response = client.patch(f"/api/v1/portfolio/{project}", json={"partners": ["Farmacia Catena"], "version": 1},
                            headers=token(client, "admin"))
    assert response.status_code == 200
    assert response.get_json()["partners"] == ["Farmacia Catena"] and response.get_json()["version"] == 2


def test_the_origin_challenges_organiser_edits_the_promoted_project_but_never_its_origin(client, world):
    project = world["promoted"]
    before = client.get(f"/api/v1/portfolio/{project}").get_json()["origin"]
    response = client.patch(f"/api/v1/portfolio/{project}", headers=token(client, "organiser"),
                            json={"title": "Heart failure at home", "origin": {"challenge_id": 1, "idea_id": 1},
                                  "organisation": "Spitalul Sf. Spiridon"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "Heart failure at home" and body["origin"] == before


@pytest.mark.parametrize("who, project", [
    ("organiser", "local"), ("member", "promoted"), ("juror", "promoted"), ("other_organiser", "promoted"),
    ("member", "local"), ("beta", "promoted")])
def test_everyone_else_is_refused(client, world, who, project):
    project_id = world["promoted"] if project == "promoted" else world["local"]["Diabetes screening in Copou"]
    before = client.get(f"/api/v1/portfolio/{project_id}").get_json()
    response = client.patch(f"/api/v1/portfolio/{project_id}", json={"title": "Taken over"}, headers=token(client, who))
    assert response.status_code == 403
    assert client.get(f"/api/v1/portfolio/{project_id}").get_json() == before


def test_editing_needs_a_token_and_an_existing_project(client, world):
    assert client.patch(f"/api/v1/portfolio/{world['promoted']}", json={"title": "x"}).status_code == 401
    response = client.patch("/api/v1/portfolio/999999", json={"title": "x"}, headers=token(client, "admin"))
    assert response.status_code == 404


def test_a_stale_version_answers_version_conflict(client, world):
    project, headers = world["promoted"], token(client, "organiser")
    assert client.patch(f"/api/v1/portfolio/{project}", json={"summary": "One.", "version": 1},
                        headers=headers).status_code == 200
    response = client.patch(f"/api/v1/portfolio/{project}", json={"summary": "Two.", "version": 1}, headers=headers)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "version_conflict"
    assert client.get(f"/api/v1/portfolio/{project}").get_json()["summary"] == "One."


def test_stopping_without_a_reason_answers_422_and_with_one_is_on_the_timeline(client, world):
    project, headers = world["promoted"], token(client, "admin")
    response = client.patch(f"/api/v1/portfolio/{project}", json={"stage": "stopped"}, headers=headers)
    assert response.status_code == 422 and "stopped_reason" in response.get_json()["error"]["fields"]
    response = client.patch(f"/api/v1/portfolio/{project}", headers=headers,
                            json={"stage": "stopped", "stopped_reason": "No hospital could host it."})
    assert response.status_code == 200 and response.get_json()["stopped_reason"] == "No hospital could host it."
    [update] = client.get(f"/api/v1/portfolio/{project}").get_json()["updates"]
    assert (update["stage_from"], update["stage_to"]) == ("incubation", "stopped")


@pytest.mark.parametrize("change, field", [({"title": ""}, "title"), ({"stage": "done"}, "stage"),
                                           ({"version": "1"}, "version"), ({"ends_on": "2020-01-01",
                                                                            "starts_on": "2021-01-01"}, "ends_on")])
def test_patch_refuses_bad_values(client, world, change, field):
    response = client.patch(f"/api/v1/portfolio/{world['promoted']}", json=change, headers=token(client, "admin"))
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_the_endpoints_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert "post" in paths["/api/v1/ideas/{idea_id}/promote"] and "post" in paths["/api/v1/portfolio"]
    assert {"get", "patch"} <= set(paths["/api/v1/portfolio/{project_id}"])
    assert set(paths["/api/v1/portfolio/{project_id}"]["patch"]["responses"]) >= {"200", "401", "403", "404", "409",
                                                                                  "422"}
    schemas = document["components"]["schemas"]
    assert {"origin", "updates", "followers"} <= set(schemas["ProjectDetailOut"]["properties"])
    assert schemas["ProjectFieldsIn"]["properties"]["location"]["oneOf"][0]["type"] == "string"

"""GET /api/v1/portfolio: the contract's list envelope, filters and refusals."""
from __future__ import annotations

import pytest

from tests.portfolio.catalogue_data import catalogue_world, make_project

SUMMARY_FIELDS = {"id", "reference", "title", "summary", "organisation", "stage", "themes", "location", "progress",
                  "origin", "followers"}


@pytest.fixture
def world(db):
    return catalogue_world()


def listing(client, query: str = "", status: int = 200) -> dict:
    response = client.get("/api/v1/portfolio" + query)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_list_envelope_and_item_shape(client, world):
    body = listing(client)
    assert set(body) == {"items", "total", "page", "per_page"}
    assert (body["total"], body["page"], body["per_page"]) == (6, 1, 20)
    item = next(i for i in body["items"] if i["title"] == "Telemedicine for rural Iași")
    assert set(item) == SUMMARY_FIELDS
    assert item["stage"] == "pilot" and item["themes"] == ["Telemedicine", "Rural health"]
    assert item["location"] == {"name": "Iași", "latitude": 47.1585, "longitude": 27.6014}
    assert (item["progress"], item["origin"], item["followers"]) == (50, None, 0)
    assert item["reference"].startswith("TST-2026-")


def test_origin_is_the_frozen_provenance(client, db):
    origin = {"challenge_id": 4, "challenge_title": "Smart Health City", "idea_id": 9, "idea_title": "Alpha",
              "team": "Alpha", "awards": [{"name": "First prize", "amount": 25000.0}]}
    make_project("Alpha", origin=origin, origin_challenge_id=4, origin_idea_id=9)
    assert listing(client)["items"][0]["origin"] == origin


def test_anyone_may_read_without_a_token(client, world):
    assert listing(client)["total"] == 6
    assert client.get("/api/v1/portfolio", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_filters_stage_theme_and_q(client, world):
    assert [i["title"] for i in listing(client, "?stage=deployed")["items"]] == ["Diabetes screening in Copou"]
    assert {i["title"] for i in listing(client, "?theme=Telemedicine")["items"]} == {
        "Telemedicine for rural Iași", "Apps for 100% of GPs_", "Ambulance routing"}
    assert [i["title"] for i in listing(client, "?q=sanatate")["items"]] == ["Sănătate mintală pentru studenți"]
    assert {i["title"] for i in listing(client, "?q=Iasi")["items"]} >= {"Telemedicine for rural Iași",
                                                                        "Sănătate mintală pentru studenți"}
    body = listing(client, "?q=Ia%C8%99i&stage=incubation")
    assert [i["title"] for i in body["items"]] == ["Sănătate mintală pentru studenți"] and body["total"] == 1


def test_other_filters_and_sort(client, world):
    assert {i["title"] for i in listing(client, "?organisation=DSP%20Ia%C8%99i&funding=EU4Health")["items"]} == {
        "Diabetes screening in Copou"}
    assert [i["title"] for i in listing(client, "?location=Copou")["items"]] == ["Diabetes screening in Copou"]
    assert listing(client, "?sort=title")["items"][0]["title"] == "Ambulance routing"
    assert listing(client, "?sort=stage")["items"][-1]["stage"] == "stopped"


def test_pagination(client, world):
    first = listing(client, "?per_page=4&sort=title")
    second = listing(client, "?per_page=4&sort=title&page=2")
    assert (first["total"], len(first["items"]), len(second["items"]), second["page"]) == (6, 4, 2, 2)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert listing(client, "?page=5")["items"] == []
    assert listing(client, "?per_page=100")["per_page"] == 100


@pytest.mark.parametrize("query, field", [("?stage=bogus", "stage"), ("?stage=PILOT", "stage"),
                                          ("?per_page=101", "per_page"), ("?per_page=0", "per_page"),
                                          ("?page=0", "page"), ("?page=abc", "page")])
def test_bad_values_answer_422_with_fields(client, world, query, field):
    body = listing(client, query, status=422)
    assert body["error"]["code"] == "validation_failed" and field in body["error"]["fields"]


@pytest.mark.parametrize("query", ["?sort=bogus", "?sort=title%3B%20DROP%20TABLE%20portfolio_projects",
                                   "?q=%27%20OR%201%3D1%20--", "?theme=%25", "?organisation=%27%20OR%20%271%27%3D%271",
                                   "?q=" + "x" * 5000])
def test_injection_looking_values_are_harmless(client, world, query):
    body = listing(client, query)
    assert body["total"] in (0, 6)
    assert listing(client)["total"] == 6


def test_documented_in_openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/portfolio"]["get"]
    names = {p["name"] for p in operation.get("parameters", [])}
    assert {"stage", "theme", "q", "organisation", "funding", "location", "sort", "page", "per_page"} <= names

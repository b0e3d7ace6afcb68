"""The catalogue as CSV, JSON and GeoJSON: each parsed back, filtered like the catalogue, with
formula cells neutralised and nothing that the project pages do not show."""
from __future__ import annotations

import csv
import io
import json

import pytest

from app.portfolio.opendata import CATALOGUE_COLUMNS
from tests.portfolio.opendata_rows import add_citizens, add_details, make_project

COLUMNS = [name for name, _kind, _text in CATALOGUE_COLUMNS]
PRIVATE = ("Fiona Follower", "follower", "Visible comment text", "Hidden comment text", "Assessment reason text",
           "Abuse")


@pytest.fixture
def catalogue(db, frozen_clock):
    pilot = make_project(1, title="Telemedicine for rural Iași", themes=("Telemedicine", "Rural health"),
                         contact_name="Dana Popescu", contact_email="dana@dsp-iasi.example.org",
                         origin_challenge_id=7, origin_idea_id=70,
                         origin={"challenge_id": 7, "challenge_title": "Smart Health City Iași 2026", "idea_id": 70,
                                 "idea_title": "Tele-consult", "team": "Alpha",
                                 "awards": [{"name": "First prize", "amount": "25000"}]})
    add_details(pilot)
    add_citizens(pilot)
    formula = make_project(2, title="=HYPERLINK(\"http://evil.example\",\"x\")", stage="deployed",
                           themes=("Prevention",), summary="+SUM(A1:A2)", organisation="@evil",
                           point=(44.4268, -26.1025))
    unplaced = make_project(3, title="Diabetes screening in Copou", stage="stopped", themes=("Prevention",),
                            point=None, stopped_reason="Replaced.")
    return {"pilot": pilot, "formula": formula, "unplaced": unplaced}


def read_csv(response) -> list[dict[str, str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "a byte-order mark for spreadsheets"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == COLUMNS
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_csv_has_one_row_per_project_with_lists_joined_and_diacritics_intact(client, catalogue):
    response = client.get("/portfolio/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and 'filename=salus-portfolio-2026-11-20.csv' in disposition
    rows = {row["id"]: row for row in read_csv(response)}
    assert len(rows) == 3
    pilot = rows[str(catalogue["pilot"].id)]
    assert pilot["reference"] == "SH-2026-001"
    assert pilot["title"] == "Telemedicine for rural Iași"
    assert pilot["organisation"] == "Direcția de Sănătate Publică Iași"
    assert pilot["themes"] == "Telemedicine; Rural health"
    assert pilot["funding_programmes"] == "PNRR; Municipal budget"
    assert pilot["budget"] == "150000"
    assert (pilot["latitude"], pilot["longitude"]) == ("47.1585", "27.6014")
    assert pilot["progress"] == "50"
    assert pilot["origin_challenge_id"] == "7"
    assert pilot["origin_challenge_title"] == "Smart Health City Iași 2026"
    assert pilot["contact_email"] == "dana@dsp-iasi.example.org"
    assert pilot["url"] == f"http://salus.test/portfolio/{catalogue['pilot'].id}"
    assert pilot["updated_at"] == "2026-11-20T10:00:00Z"
    unplaced = rows[str(catalogue["unplaced"].id)]
    assert unplaced["latitude"] == unplaced["longitude"] == unplaced["progress"] == unplaced["contact_email"] == ""


def test_csv_neutralises_formula_cells_but_keeps_negative_numbers(client, catalogue):
    rows = {row["id"]: row for row in read_csv(client.get("/portfolio/export.csv"))}
    formula = rows[str(catalogue["formula"].id)]
    assert formula["title"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert formula["summary"] == "'+SUM(A1:A2)"
    assert formula["organisation"] == "'@evil"
    assert formula["longitude"] == "-26.1025", "a coordinate is a number, not a formula"


def test_exports_hold_no_followers_comments_or_assessments(client, catalogue):
    for fmt in ("csv", "json", "geojson"):
        text = client.get(f"/portfolio/export.{fmt}").get_data(as_text=True)
        for secret in PRIVATE:
            assert secret not in text, (fmt, secret)


def test_json_export_lists_projects_with_licence_and_time(client, catalogue):
    response = client.get("/portfolio/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    document = json.loads(response.get_data())
    assert document["licence"] == "CC-BY-4.0"
    assert document["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert document["generated_at"] == "2026-11-20T10:00:00Z"
    assert document["total"] == len(document["items"]) == 3
    item = next(i for i in document["items"] if i["id"] == catalogue["pilot"].id)
    assert item["title"] == "Telemedicine for rural Iași"
    assert item["themes"] == ["Telemedicine", "Rural health"]
    assert item["location"] == {"name": "Iași", "latitude": 47.1585, "longitude": 27.6014}
    assert item["budget"] == 150000
    assert [f["programme"] for f in item["funding_sources"]] == ["PNRR", "Municipal budget"]
    assert item["funding_sources"][0] == {"programme": "PNRR", "amount": 120000, "currency": "EUR",
                                          "starts_on": "2026-01-01", "ends_on": "2027-12-31"}
    assert item["progress"] == 50
    assert item["origin"]["awards"] == [{"name": "First prize", "amount": "25000"}]
    assert item["contact"] == {"name": "Dana Popescu", "email": "dana@dsp-iasi.example.org"}
    other = next(i for i in document["items"] if i["id"] == catalogue["unplaced"].id)
    assert other["contact"]["email"] is None and other["origin"] is None and other["progress"] is None


def test_geojson_is_a_feature_collection_of_located_projects_longitude_first(client, catalogue):
    response = client.get("/portfolio/export.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    document = json.loads(response.get_data())
    assert document["type"] == "FeatureCollection"
    features = {f["id"]: f for f in document["features"]}
    assert set(features) == {catalogue["pilot"].id, catalogue["formula"].id}, "projects without a point are left out"
    pilot = features[catalogue["pilot"].id]
    assert pilot["type"] == "Feature"
    assert pilot["geometry"] == {"type": "Point", "coordinates": [27.6014, 47.1585]}
    lon, lat = pilot["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert pilot["properties"]["title"] == "Telemedicine for rural Iași"
    assert pilot["properties"]["stage"] == "pilot"
    assert pilot["properties"]["url"].endswith(f"/portfolio/{catalogue['pilot'].id}")
    assert "crs" not in document, "RFC 7946 drops crs: WGS 84 is implied"
    assert features[catalogue["formula"].id]["geometry"]["coordinates"] == [-26.1025, 44.4268]


@pytest.mark.parametrize("fmt", ["csv", "json", "geojson"])
def test_catalogue_filters_apply_to_the_exports(client, catalogue, fmt):
    def titles(query: str) -> set[str]:
        response = client.get(f"/portfolio/export.{fmt}?{query}")
        assert response.status_code == 200
        if fmt == "csv":
            return {row["title"] for row in read_csv(response)}
        document = json.loads(response.get_data())
        if fmt == "json":
            return {item["title"] for item in document["items"]}
        return {feature["properties"]["title"] for feature in document["features"]}

    pilot, formula = "Telemedicine for rural Iași", catalogue["formula"].title
    formula_cell = "'" + formula if fmt == "csv" else formula
    located = {pilot, formula_cell}
    everything = located if fmt == "geojson" else located | {"Diabetes screening in Copou"}
    assert titles("") == everything
    assert titles("stage=pilot") == {pilot}
    assert titles("theme=Prevention") == everything - {pilot}
    assert titles("q=iasi+rural") == {pilot}, "search ignores diacritics, every word needed"
    assert titles("q=Iași&stage=deployed") == {formula_cell}
    assert titles("q=nothing-like-this") == set()
    assert titles("stage=not-a-stage") == everything, "as on the catalogue page, an unknown stage is ignored"


def test_json_export_names_the_filters_it_applied(client, catalogue):
    document = json.loads(client.get("/portfolio/export.json?stage=pilot&q=Iasi&page=3").get_data())
    assert document["filters"] == {"stage": "pilot", "q": "Iasi"}
    assert document["total"] == 1


def test_an_unknown_format_is_not_found(client, catalogue):
    assert client.get("/portfolio/export.xlsx").status_code == 404


def test_an_empty_catalogue_exports_headers_and_empty_lists(client, db, frozen_clock):
    assert read_csv(client.get("/portfolio/export.csv")) == []
    assert json.loads(client.get("/portfolio/export.json").get_data())["items"] == []
    assert json.loads(client.get("/portfolio/export.geojson").get_data())["features"] == []

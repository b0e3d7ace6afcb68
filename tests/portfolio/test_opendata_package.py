"""The ZIP data package: datapackage.json describes exactly the CSV files it ships, with the licence,
and the files hold the portfolio's public records only."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from app.portfolio.models import MAST_DOMAINS
from tests.portfolio.opendata_rows import add_citizens, add_details, make_project

FILES = ("projects.csv", "funding.csv", "milestones.csv", "updates.csv", "indicators.csv", "indicator_values.csv",
         "evaluations.csv")
TYPES = {"string", "integer", "number", "boolean", "date", "datetime"}


@pytest.fixture
def package(client, db, frozen_clock):
    origin = {"challenge_id": 7, "challenge_title": "Smart Health", "idea_id": 70, "idea_title": "Tele-consult",
              "awards": [{"name": "First prize"}]}
    project = make_project(1, title="Telemedicine for rural Iași", contact_email="dana@dsp-iasi.example.org",
                           origin_idea_id=70, origin=origin)
    add_details(project, updates=2)
    add_citizens(project)
    bare = make_project(2, title="-1 formula", point=None, stage="idea")
    response = client.get("/portfolio/export.zip")
    assert response.status_code == 200
    return {"response": response, "project": project, "bare": bare,
            "zip": zipfile.ZipFile(io.BytesIO(response.get_data()))}


def read(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = archive.read(name)
    assert not raw.startswith(b"\xef\xbb\xbf"), "package files are plain UTF-8"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_the_package_is_a_zip_download(package):
    response = package["response"]
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == "attachment; filename=salus-portfolio-2026-11-20.zip"
    assert sorted(package["zip"].namelist()) == sorted(("datapackage.json", *FILES))


def test_datapackage_describes_every_file_and_column(package):
    archive = package["zip"]
    descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["name"] == "salus-portfolio"
    assert descriptor["title"]
    assert descriptor["created"] == "2026-11-20T10:00:00Z"
    assert descriptor["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                       "title": "Creative Commons Attribution 4.0"}]
    assert [r["path"] for r in descriptor["resources"]] == list(FILES)
    for resource in descriptor["resources"]:
        assert resource["format"] == "csv" and resource["mediatype"] == "text/csv"
        assert resource["encoding"] == "utf-8"
        fields = resource["schema"]["fields"]
        header = next(csv.reader(io.StringIO(archive.read(resource["path"]).decode("utf-8"))))
        assert [f["name"] for f in fields] == header, resource["path"]
        for field in fields:
            assert field["type"] in TYPES and field["description"], (resource["path"], field)
        for key in resource["schema"].get("foreignKeys", []):
            target = next(r for r in descriptor["resources"] if r["name"] == key["reference"]["resource"])
            assert key["reference"]["fields"] in [f["name"] for f in target["schema"]["fields"]]
            assert key["fields"] in header


def test_the_files_hold_each_entity_flattened(package):
    archive, project = package["zip"], package["project"]
    projects = {row["id"]: row for row in read(archive, "projects.csv")}
    row = projects[str(project.id)]
    assert row["title"] == "Telemedicine for rural Iași"
    assert row["description"] == "Long *text*."
    assert row["origin_idea_title"] == "Tele-consult" and row["origin_awards"] == "First prize"
    assert row["contact_email"] == "dana@dsp-iasi.example.org"
    assert projects[str(package["bare"].id)]["title"] == "'-1 formula"
    funding = read(archive, "funding.csv")
    assert [(f["project_id"], f["programme"], f["amount"], f["currency"]) for f in funding] == [
        (str(project.id), "PNRR", "120000", "EUR"), (str(project.id), "Municipal budget", "", "RON")]
    milestones = read(archive, "milestones.csv")
    assert [(m["title"], m["done"], m["done_on"]) for m in milestones] == [
        ("Kick-off", "true", "2026-02-03"), ("First patients", "false", "")]
    updates = read(archive, "updates.csv")
    assert [u["title"] for u in updates] == ["Update 1", "Update 0"], "oldest first"
    assert updates[1]["body"] == "Step **0** done." and updates[1]["created_at"] == "2026-11-20T10:00:00Z"
    indicators = read(archive, "indicators.csv")
    assert [(i["name"], i["baseline"], i["target"], i["current"]) for i in indicators] == [
        ("Consultations", "0.0", "400.0", "120.0")]
    values = read(archive, "indicator_values.csv")
    assert [(v["indicator_id"], v["value"], v["recorded_on"]) for v in values] == [
        (indicators[0]["id"], "40.0", "2026-03-31"), (indicators[0]["id"], "120.0", "2026-06-30")]
    evaluations = read(archive, "evaluations.csv")
    assert [(e["domain"], e["rating"]) for e in evaluations] == [
        ("safety", "5"), ("economic_aspects", "4"), ("transferability", "")]
    assert all(e["domain"] in MAST_DOMAINS + ("transferability",) for e in evaluations)
    assert {e["evaluator"] for e in evaluations} == {"Agenția Regională"}


def test_the_package_holds_no_citizen_data(package):
    archive = package["zip"]
    everything = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    for secret in ("Fiona Follower", "follower1@example.org", "Visible comment text", "Hidden comment text",
                   "Assessment reason text", "Abuse"):
        assert secret not in everything


def test_the_licence_comes_from_the_setting(app, client, db, frozen_clock):
    make_project(1)
    app.config["OPEN_DATA_LICENCE"] = "ODbL-1.0"
    try:
        archive = zipfile.ZipFile(io.BytesIO(client.get("/portfolio/export.zip").get_data()))
        document = json.loads(client.get("/portfolio/export.json").get_data())
        page = client.get("/portfolio/data").get_data(as_text=True)
    finally:
        app.config["OPEN_DATA_LICENCE"] = "CC-BY-4.0"
    licence = json.loads(archive.read("datapackage.json"))["licenses"][0]
    assert licence["name"] == "ODbL-1.0" and licence["path"] == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert document["licence"] == "ODbL-1.0"
    assert "https://opendatacommons.org/licenses/odbl/1-0/" in page

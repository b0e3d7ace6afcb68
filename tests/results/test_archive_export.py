"""The challenge archive as written: a data package that describes itself, holds the challenge's
public history, and nothing personal."""
from __future__ import annotations

import csv
import io
import json

from app.results.archive import CSV_RESOURCES, archive_cell, build_archive, read_cell
from app.results.models import Publication
from tests.results.archive_support import FORMULA_TEAM, FORMULAS, members, published
from tests.results.scenario import judged


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def test_datapackage_lists_every_file_with_its_fields(db):
    world = published(db)
    files = members(build_archive(world.challenge))
    package = json.loads(files["datapackage.json"])
    assert package["salus_archive_version"] == 1
    assert package["licence"] == "CC-BY-4.0" and package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["title"] == world.challenge.title and package["created"]
    assert package["name"].startswith(f"salus-challenge-{world.challenge.id}-")
    resources = {r["path"]: r for r in package["resources"]}
    assert set(resources) | {"datapackage.json"} == set(files)
    assert resources["challenge.json"]["format"] == "json"
    assert resources["challenge.json"]["mediatype"] == "application/json"
    for name, (path, _title, fields) in CSV_RESOURCES.items():
        resource = resources[path]
        assert resource["name"] == name and resource["format"] == "csv" and resource["mediatype"] == "text/csv"
        schema = [(f["name"], f["type"]) for f in resource["schema"]["fields"]]
        assert schema == [(field, kind) for field, kind, _description in fields]
        assert all(f["description"] for f in resource["schema"]["fields"])
        assert csv_rows(files[path])[0] == [field for field, _kind, _description in fields]


def test_the_licence_is_the_instance_setting(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_LICENCE", "CC0-1.0")
    world = judged(db)
    package = json.loads(members(build_archive(world.challenge))["datapackage.json"])
    assert package["licence"] == "CC0-1.0"
    assert package["licenses"] == [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}]


def test_challenge_json_holds_the_set_up_and_the_publication_as_published(db):
    world = published(db)
    challenge = world.challenge
    document = json.loads(members(build_archive(challenge))["challenge.json"])
    assert document["title"] == challenge.title and document["kind"] == "call"
    assert document["status"] == "published" and document["budget_total"] == "100000.00"
    assert [t["name"] for t in document["tracks"]] == ["Telemedicine", "Prevention"]
    assert [(c["name"], c["weight"], c["scale_min"], c["scale_max"]) for c in document["criteria"]] == [
        ("Relevance", 2.0, 1, 5), ("Feasibility", 1.0, 1, 5)]
    publication = db.session.get(Publication, challenge.id)
    assert document["publication"] == {
        "published_at": publication.published_at.isoformat(), "method": publication.method,
        "visibility": "full", "awards": publication.awards, "ranking": publication.ranking,
        "digest": publication.digest}


def test_csv_files_hold_entries_awards_ranking_and_aggregated_reviews(db):
    world = published(db)
    files = members(build_archive(world.challenge))
    ideas = csv_rows(files["ideas.csv"])
    # Entries only: the draft and the withdrawn idea are the teams' own.
    assert sorted(row[3] for row in ideas[1:]) == ["Idea Alpha", "Idea Beta", "Idea Delta", "Idea Gamma"]
    alpha = next(row for row in ideas[1:] if row[3] == "Idea Alpha")
    assert alpha[0] == str(world.ideas["Alpha"].id) and alpha[1] == str(world.teams["Alpha"].id)
    assert alpha[8] == "60000.00" and alpha[9] == "submitted"
    teams = {row[1]: row[2] for row in csv_rows(files["teams.csv"])[1:]}
    assert teams["Team Alpha"] == "2" and teams["Team Beta"] == "1" and len(teams) == 6
    awards = csv_rows(files["awards.csv"])[1:]
    assert awards == [["0", str(world.ideas["Alpha"].id), "Grand prize", "60000.00", "funding"],
                      ["1", str(world.ideas["Gamma"].id), "Jury's mention", "", "organiser"]]
    ranking = csv_rows(files["ranking.csv"])[1:]
    assert [row[2] for row in ranking] == ["Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"]
    relevance = world.challenge.criteria[0].id
    reviews = {(row[0], row[1]): (float(row[3]), int(row[4])) for row in csv_rows(files["reviews.csv"])[1:]}
    # Juror 3 is conflicted with Delta and did not review it; Alpha's three reviews all count.
    assert reviews[(str(world.ideas["Alpha"].id), str(relevance))] == (14 / 3, 3)
    assert reviews[(str(world.ideas["Delta"].id), str(relevance))] == (1.5, 2)


def test_an_unpublished_challenge_has_a_header_only_ranking(db):
    world = judged(db)
    files = members(build_archive(world.challenge))
    assert csv_rows(files["ranking.csv"]) == [["rank", "idea_key", "title", "team", "score"]]
    assert json.loads(files["challenge.json"])["publication"] is None


def test_no_personal_data_in_any_file(db):
    world = published(db)
    text = "\n".join(content.decode("utf-8") for content in members(build_archive(world.challenge)).values())
    people = [world.organiser, world.outsider, *world.jurors, *(p for group in world.members.values() for p in group)]
    for person in people:
        assert person.name not in text and person.email not in text, person.email
    for secret in ("Comment from", "PRIVATE", "Spitalul", "spitalul", "@example.org", "Org 1"):
        assert secret not in text, secret


def test_formula_cells_are_neutralised(db):
    world = judged(db)
    for name, value in FORMULAS.items():
        setattr(world.ideas["Alpha"], name, value)
    world.teams["Beta"].name = FORMULA_TEAM
    db.session.commit()
    files = members(build_archive(world.challenge))
    ideas = csv_rows(files["ideas.csv"])
    alpha = dict(zip(ideas[0], next(row for row in ideas[1:] if row[0] == str(world.ideas["Alpha"].id))))
    for name, value in FORMULAS.items():
        assert alpha[name] == "'" + value
    teams = [row[1] for row in csv_rows(files["teams.csv"])[1:]]
    assert "'" + FORMULA_TEAM in teams


def test_cells_round_trip_through_the_neutralisation():
    for value in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "'x", "''x", "plain", "", "Iași"):
        assert read_cell(archive_cell(value)) == value
        assert not archive_cell(value).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert archive_cell(-0.5) == "-0.5" and archive_cell(None) == ""

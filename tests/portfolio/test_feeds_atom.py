"""Atom feeds of project updates: the whole portfolio's and each project's, valid per RFC 4287."""
from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

import pytest

from app.extensions import db as database
from app.portfolio.models import ProjectUpdate
from tests.portfolio.opendata_rows import make_project

A = "{http://www.w3.org/2005/Atom}"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{A}feed"
    return root


def assert_valid_atom(feed: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and of each entry."""
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    assert feed.find(f"{A}author/{A}name").text
    assert [link.get("href") for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
    for value in [feed.findtext(f"{A}updated")] + [e.findtext(f"{A}updated") for e in feed.findall(f"{A}entry")]:
        assert dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert entry.findtext(f"{A}id").startswith("tag:salus.test,")
        assert entry.find(f"{A}link[@rel='alternate']").get("href")
        assert entry.find(f"{A}content").get("type") == "html"


def add_update(project, title, minutes, body="", stage_from=None, stage_to=None):
    created = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc) - dt.timedelta(minutes=minutes)
    update = ProjectUpdate(project_id=project.id, title=title, body=body, stage_from=stage_from, stage_to=stage_to,
                           created_at=created)
    database.session.add(update)
    database.session.commit()
    return update


@pytest.fixture
def updates(db, frozen_clock):
    first = make_project(1, title="Telemedicine for rural Iași")
    second = make_project(2, title="Diabetes screening")
    newest = add_update(first, "Pilot started", 1, body="We **started**.\n\n<script>alert(1)</script>"
                        "[x](javascript:alert(1))", stage_from="incubation", stage_to="pilot")
    older = add_update(second, "Kick-off", 60, body="Hello")
    return {"first": first, "second": second, "newest": newest, "older": older}


def test_the_portfolio_feed_lists_updates_newest_first(client, updates):
    feed = parse(client.get("/portfolio/feed.atom"))
    assert_valid_atom(feed)
    assert feed.findtext(f"{A}id") == "tag:salus.test,2026:portfolio/updates"
    assert feed.find(f"{A}link[@rel='self']").get("href") == "http://salus.test/portfolio/feed.atom"
    assert feed.findtext(f"{A}updated") == "2026-11-20T09:59:00Z", "the newest entry's time"
    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries] == ["Telemedicine for rural Iași: Pilot started",
                                                          "Diabetes screening: Kick-off"]
    first = entries[0]
    assert first.findtext(f"{A}id") == f"tag:salus.test,2026-11-20:portfolio/update/{updates['newest'].id}"
    assert first.find(f"{A}link").get("href") == f"http://salus.test/portfolio/{updates['first'].id}"
    assert first.find(f"{A}category").get("term") == "pilot"


def test_entry_content_is_sanitised_html_with_the_stage_change(client, updates):
    feed = parse(client.get("/portfolio/feed.atom"))
    html = feed.find(f"{A}entry/{A}content").text
    assert "<strong>started</strong>" in html
    assert "Stage changed from Incubation to Pilot." in html
    assert "<script" not in html and "href=\"javascript" not in html
    raw = client.get("/portfolio/feed.atom").get_data(as_text=True)
    assert "<script" not in raw, "the HTML is escaped inside the XML too"


def test_the_feed_is_in_the_readers_language(client, updates):
    feed = parse(client.get("/portfolio/feed.atom", headers={"Accept-Language": "ro"}))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ro"
    html = feed.find(f"{A}entry/{A}content").text
    assert "Etapa s-a schimbat din" in html and "Stage changed" not in html


def test_the_feed_keeps_the_latest_fifty(client, db, frozen_clock):
    project = make_project(1)
    for n in range(55):
        add_update(project, f"Update {n}", n)
    entries = parse(client.get("/portfolio/feed.atom")).findall(f"{A}entry")
    assert len(entries) == 50
    assert entries[0].findtext(f"{A}title").endswith("Update 0")
    assert entries[-1].findtext(f"{A}title").endswith("Update 49")


def test_an_empty_feed_is_still_valid(client, db, frozen_clock):
    feed = parse(client.get("/portfolio/feed.atom"))
    assert_valid_atom(feed)
    assert feed.findall(f"{A}entry") == []
    assert feed.findtext(f"{A}updated") == "2026-11-20T10:00:00Z"


def test_control_characters_do_not_break_the_xml(client, db, frozen_clock):
    project = make_project(1, title="Bell\x07 & <tag>")
    add_update(project, "Form\x0cfeed", 1, body="text\x1bwith escape")
    feed = parse(client.get("/portfolio/feed.atom"))
    assert feed.find(f"{A}entry/{A}title").text == "Bell & <tag>: Formfeed"


def test_a_project_feed_has_only_that_projects_updates(client, updates):
    project = updates["second"]
    feed = parse(client.get(f"/portfolio/{project.id}/feed.atom"))
    assert_valid_atom(feed)
    assert feed.findtext(f"{A}id") == f"tag:salus.test,2026:portfolio/{project.id}/updates"
    assert feed.findtext(f"{A}title") == "Diabetes screening: updates"
    assert feed.find(f"{A}link[@rel='self']").get("href") == f"http://salus.test/portfolio/{project.id}/feed.atom"
    assert [e.findtext(f"{A}title") for e in feed.findall(f"{A}entry")] == ["Diabetes screening: Kick-off"]


def test_a_project_without_updates_has_an_empty_feed_and_an_unknown_one_is_not_found(client, db, frozen_clock):
    project = make_project(1)
    feed = parse(client.get(f"/portfolio/{project.id}/feed.atom"))
    assert feed.findall(f"{A}entry") == []
    assert client.get(f"/portfolio/{project.id + 1}/feed.atom").status_code == 404
    assert client.get("/portfolio/99999999999/feed.atom").status_code == 404


def test_an_unchanged_feed_answers_not_modified(client, updates):
    response = client.get("/portfolio/feed.atom")
    etag = response.headers["ETag"]
    again = client.get("/portfolio/feed.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304

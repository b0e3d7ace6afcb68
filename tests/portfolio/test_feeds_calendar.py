"""A challenge's dates as an iCalendar file (RFC 5545): UTC times, stable UIDs, escaped and folded
text in the reader's language; drafts stay hidden from everyone but their organisers."""
from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from tests.conftest import login, make_user
from tests.factories import make_challenge

TITLE = "Sănătate, Iași; \\ ediția\n2026 — o provocare cu un titlu lung pentru plierea liniilor"


def events(response) -> dict[str, dict]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.get_data())
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    found = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        found[uid.split("-")[-1].split("@")[0]] = {
            "uid": uid, "summary": str(event["SUMMARY"]), "start": event.decoded("DTSTART"),
            "stamp": event.decoded("DTSTAMP"), "description": str(event["DESCRIPTION"])}
    return found


@pytest.fixture
def challenge(db, frozen_clock):
    return make_challenge(title=TITLE, opens_in=dt.timedelta(days=-1), deadline_in=dt.timedelta(days=2, hours=3))


def test_an_open_challenge_has_its_opening_and_deadline_in_utc(client, challenge):
    response = client.get(f"/challenges/{challenge.id}/calendar.ics")
    assert response.headers["Content-Disposition"] == f"attachment; filename=salus-challenge-{challenge.id}.ics"
    found = events(response)
    assert set(found) == {"opening", "deadline"}
    assert found["opening"]["start"] == dt.datetime(2026, 11, 19, 10, tzinfo=dt.timezone.utc)
    assert found["deadline"]["start"] == dt.datetime(2026, 11, 22, 13, tzinfo=dt.timezone.utc)
    assert found["deadline"]["uid"] == f"salus-challenge-{challenge.id}-deadline@salus.test"
    assert found["deadline"]["stamp"] == dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc)
    assert found["deadline"]["summary"] == f"Submission deadline: {TITLE}"
    assert f"http://salus.test/challenges/{challenge.id}" in found["deadline"]["description"]
    raw = response.get_data()
    assert b"DTSTART:20261122T130000Z\r\n" in raw


def test_text_is_escaped_and_lines_folded_at_75_octets(client, challenge):
    raw = client.get(f"/challenges/{challenge.id}/calendar.ics").get_data()
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    assert "Sănătate\\, Iași\\; \\\\ ediția\\n2026" in unfolded
    for line in lines:
        line.decode("utf-8")  # raises if a fold split a multi-byte letter


def test_uids_are_stable_between_downloads(client, challenge, frozen_clock):
    first = events(client.get(f"/challenges/{challenge.id}/calendar.ics"))
    frozen_clock.advance(hours=5)
    second = events(client.get(f"/challenges/{challenge.id}/calendar.ics"))
    assert {k: v["uid"] for k, v in first.items()} == {k: v["uid"] for k, v in second.items()}
    assert second["opening"]["stamp"] > first["opening"]["stamp"]


def test_judging_and_results_appear_once_known(client, db, challenge):
    challenge.status = "judging"
    challenge.judging_started_at = dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc)
    db.session.commit()
    assert set(events(client.get(f"/challenges/{challenge.id}/calendar.ics"))) == {"opening", "deadline", "judging"}
    challenge.status = "published"
    challenge.published_at = dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc)
    db.session.commit()
    found = events(client.get(f"/challenges/{challenge.id}/calendar.ics"))
    assert found["judging"]["start"] == dt.datetime(2026, 11, 23, 9, tzinfo=dt.timezone.utc)
    assert found["results"]["start"] == dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc)
    assert found["results"]["summary"] == f"Results published: {TITLE}"


def test_a_second_round_leaves_out_the_first_rounds_judging_start(client, db, challenge):
    challenge.judging_started_at = dt.datetime(2026, 11, 10, tzinfo=dt.timezone.utc)
    challenge.round = 2
    db.session.commit()
    assert set(events(client.get(f"/challenges/{challenge.id}/calendar.ics"))) == {"opening", "deadline"}


def test_summaries_are_in_the_requesters_language(client, challenge):
    found = events(client.get(f"/challenges/{challenge.id}/calendar.ics", headers={"Accept-Language": "ro"}))
    assert TITLE in found["deadline"]["summary"]
    assert not found["deadline"]["summary"].startswith("Submission deadline")
    raw = client.get(f"/challenges/{challenge.id}/calendar.ics", headers={"Accept-Language": "ro"}).get_data()
    assert b"SUMMARY;LANGUAGE=ro:" in raw


def test_a_draft_calendar_is_hidden_from_all_but_its_organisers(app, client, db, frozen_clock):
    olga = make_user("olga@example.org", name="Olga Organiser")
    make_user("someone@example.org")
    draft = make_challenge(status="draft", organisers=[olga])
    path = f"/challenges/{draft.id}/calendar.ics"
    assert client.get(path).status_code == 404
    login(client, "someone@example.org")
    assert client.get(path).status_code == 404
    other = app.test_client()
    login(other, "olga@example.org")
    assert set(events(other.get(path))) == {"opening", "deadline"}


def test_an_unknown_challenge_calendar_is_not_found(client, db):
    assert client.get("/challenges/424242/calendar.ics").status_code == 404
    assert client.get("/challenges/99999999999/calendar.ics").status_code == 404

"""Blind review on the idea itself (GET /ideas/{id}, its page and its downloads): an assigned juror
reads no team, member or author name, and a file keeps its name only when that carries none. The
team's members and the organisers still see everything."""
from __future__ import annotations

import pytest

from app.submissions.models import IdeaRevision
from tests.conftest import api_token, bearer, login, make_user
from tests.judging.test_review_queries import counting
from tests.judging.test_review_world import MEMBER_NAMES, TEAM_NAMES, attach, build_world

API = "/api/v1"
NAMED = "Heart at Home - budget (Ana Popescu).pdf"
PLAIN = "Patient pathway.pdf"
# Every way a name of the team could show: whole names and their parts, and a former member's.
LEAKS = TEAM_NAMES[:1] + MEMBER_NAMES[:2] + ("Popescu", "Ionescu", "Fiona Former", "Former")


@pytest.fixture
def world(db, frozen_clock):
    built = build_world()
    # Someone who saved a version and then left the team, and whose name is on a file.
    former = make_user("fiona@example.org", name="Fiona Former")
    db.session.add(IdeaRevision(idea_id=built.idea.id, version=1, status="submitted", content={},
                                author_id=former.id))
    db.session.commit()
    built.named = attach(built.idea, NAMED)
    built.plain = attach(built.idea, PLAIN)
    built.former_file = attach(built.idea, "notes_fiona_FORMER.pdf")
    return built


def disposition(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.headers["Content-Disposition"].replace('"', "")


# --- the API ----------------------------------------------------------------------------------

def test_a_blind_juror_gets_no_team_name_and_neutral_file_names(client, world):
    headers = bearer(api_token(client, world.juror.email))
    response = client.get(f"{API}/ideas/{world.idea.id}", headers=headers)
    body = response.get_json()
    assert body["team_name"] is None and body["title"] == "Heart failure care at home"
    assert [a["filename"] for a in body["attachments"]] == ["attachment-1.pdf", PLAIN, "attachment-3.pdf"]
    for name in LEAKS:
        assert name not in response.get_data(as_text=True), name


def test_a_blind_jurors_downloads_carry_the_same_names(client, world):
    headers = bearer(api_token(client, world.juror.email))
    base = f"{API}/ideas/{world.idea.id}/attachments"
    assert disposition(client.get(f"{base}/{world.named.id}", headers=headers)) == \
        "attachment; filename=attachment-1.pdf"
    assert disposition(client.get(f"{base}/{world.plain.id}", headers=headers)) == f"attachment; filename={PLAIN}"
    assert disposition(client.get(f"{base}/{world.former_file.id}", headers=headers)) == \
        "attachment; filename=attachment-3.pdf"
    login(client, world.juror.email)
    page_download = client.get(f"/ideas/{world.idea.id}/attachments/{world.named.id}")
    assert disposition(page_download) == "attachment; filename=attachment-1.pdf"
    assert page_download.data.startswith(b"%PDF")
    scoring_download = client.get(f"/reviews/{world.idea.id}/attachments/{world.plain.id}")
    assert disposition(scoring_download) == f"attachment; filename={PLAIN}"


@pytest.mark.parametrize("who", ["ana", "organiser"])
def test_the_team_and_the_organisers_still_see_every_name(client, world, who):
    headers = bearer(api_token(client, getattr(world, who).email))
    body = client.get(f"{API}/ideas/{world.idea.id}", headers=headers).get_json()
    assert body["team_name"] == TEAM_NAMES[0]
    assert [a["filename"] for a in body["attachments"]] == [NAMED, PLAIN, "notes_fiona_FORMER.pdf"]
    download = client.get(f"{API}/ideas/{world.idea.id}/attachments/{world.named.id}", headers=headers)
    assert "budget" in download.headers["Content-Disposition"]
    login(client, getattr(world, who).email)
    html = client.get(f"/ideas/{world.idea.id}").get_data(as_text=True)
    assert TEAM_NAMES[0] in html and MEMBER_NAMES[0] in html and "Fiona Former" in html
    assert "Blind review" not in html


def test_an_organiser_who_is_also_a_juror_sees_the_names(client, world, db):
    from tests.factories import make_assignment, make_juror

    make_juror(world.challenge, world.organiser)
    make_assignment(world.rival_idea, world.organiser)
    body = client.get(f"{API}/ideas/{world.rival_idea.id}",
                      headers=bearer(api_token(client, world.organiser.email))).get_json()
    assert body["team_name"] == TEAM_NAMES[1]


def test_without_blind_review_a_juror_sees_the_names(client, world, db):
    world.challenge.blind_review = False
    db.session.commit()
    headers = bearer(api_token(client, world.juror.email))
    body = client.get(f"{API}/ideas/{world.idea.id}", headers=headers).get_json()
    assert body["team_name"] == TEAM_NAMES[0] and body["attachments"][0]["filename"] == NAMED
    login(client, world.juror.email)
    html = client.get(f"/ideas/{world.idea.id}").get_data(as_text=True)
    assert TEAM_NAMES[0] in html and MEMBER_NAMES[0] in html


# --- the pages --------------------------------------------------------------------------------

def test_the_idea_page_shows_a_blind_juror_no_name_of_the_team(client, world):
    login(client, world.juror.email)
    html = client.get(f"/ideas/{world.idea.id}").get_data(as_text=True)
    for name in LEAKS:
        assert name not in html, name
    assert "Blind review: the team and its members are not shown." in html
    assert "attachment-1.pdf" in html and PLAIN in html and "attachment-3.pdf" in html
    assert ">1</td>" in html  # the history keeps its versions, without their authors


def test_the_scoring_page_names_files_that_carry_no_name(client, world):
    login(client, world.juror.email)
    html = client.get(f"/reviews/{world.idea.id}").get_data(as_text=True)
    assert f"{PLAIN} (PDF," in html and "Attachment 1 (PDF," in html and "Attachment 3 (PDF," in html
    for name in LEAKS:
        assert name not in html, name


def test_the_blind_idea_page_takes_as_many_queries_for_10_files_and_members_as_for_2(app, client, world, db):
    from app.extensions import db as database
    from app.teams.models import TeamMember

    login(client, world.juror.email)
    path = f"/ideas/{world.rival_idea.id}"

    def count() -> int:
        client.get(path)
        with app.app_context():
            engine = database.engine
        with counting(engine) as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    def grow(n: int, offset: int) -> None:
        db.session.rollback()  # end the test's read transaction: the requests wrote after it began
        for i in range(offset, offset + n):
            attach(world.rival_idea, f"file {i}.pdf")
            member = make_user(f"extra{i}@example.org", name=f"Extra Member{i}")
            db.session.add(TeamMember(team_id=world.rival.id, user_id=member.id, challenge_id=world.challenge.id))
            db.session.add(IdeaRevision(idea_id=world.rival_idea.id, version=i + 1, status="submitted", content={},
                                        author_id=member.id))
        db.session.commit()

    grow(2, 0)
    two = count()
    grow(8, 2)
    assert count() == two

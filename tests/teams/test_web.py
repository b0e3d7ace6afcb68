"""Team pages through the test client, CSRF included, and who may see them."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.teams.models import Team, TeamMember, TeamSeeker
from tests.conftest import csrf_from, flush_outbox, form_post, login
from tests.teams.conftest import count, new_challenge, new_person, new_team, within


def text(response) -> str:
    return response.get_data(as_text=True)


def logout(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_from(text(client.get("/account")))})


def test_create_a_team_and_see_its_invitation_link(app, client, open_challenge, cast):
    login(client, cast[0].email)
    page = client.get(f"/challenges/{open_challenge}/teams/new")
    assert page.status_code == 200 and "<h1>Create a team</h1>" in text(page)
    response = form_post(client, f"/challenges/{open_challenge}/teams/new", {"name": "Heart Beats"})
    assert response.status_code == 303
    team_id, code = within(app, lambda: db.session.execute(select(Team.id, Team.invite_code)).one())
    assert response.headers["Location"].endswith(f"/teams/{team_id}")
    page = text(client.get(response.headers["Location"]))
    assert "Team Heart Beats created" in page
    assert f'value="http://salus.test/join/{code}"' in page
    assert 'data-copy="#invite-link"' in page and "Captain" in page
    again = client.get(f"/challenges/{open_challenge}/teams/new")  # one team per challenge: sent to it
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/teams/{team_id}")


def test_create_form_errors(app, client, open_challenge, cast):
    new_team(app, open_challenge, cast[1], name="Heart Beats")
    login(client, cast[0].email)
    url = f"/challenges/{open_challenge}/teams/new"
    response = form_post(client, url, {"name": "heart  beats"})
    assert response.status_code == 409 and "Another team in this challenge already has this name" in text(response)
    assert "error-summary" in text(response)
    response = form_post(client, url, {"name": ""})
    assert response.status_code == 422 and "Enter a name for the team" in text(response)
    assert client.post(url, data={"name": "No token"}).status_code == 400
    assert count(app, Team) == 1


def test_a_friend_joins_by_the_link(app, client, open_challenge, cast):
    team = new_team(app, open_challenge, cast[0], name="Heart Beats")
    link = f"/join/{team.code}"
    anonymous = text(client.get(link))
    assert "Heart Beats" in anonymous and "Smart Health City" in anonymous and "Sign in to join" in anonymous
    login(client, cast[1].email)
    page = client.get(link)
    assert page.status_code == 200 and "Join this team" in text(page)
    assert count(app, TeamMember, team_id=team.id) == 1  # a GET never joins
    assert client.post(link, data={}).status_code == 400  # no CSRF token
    assert count(app, TeamMember, team_id=team.id) == 1
    response = form_post(client, link)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/teams/{team.id}")
    assert count(app, TeamMember, team_id=team.id) == 2
    page = text(client.get(f"/teams/{team.id}"))
    assert "You joined Heart Beats" in page and "Bogdan Pop" in page
    assert "You are already in this team" in text(client.get(link))


def test_join_page_with_a_code(app, client, open_challenge, cast):
    team = new_team(app, open_challenge, cast[0])
    login(client, cast[1].email)
    assert client.get("/join").status_code == 200
    response = client.get("/join", query_string={"code": f" {team.code} "})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/join/{team.code}")
    response = client.get("/join", query_string={"code": "wrong"})
    assert response.status_code == 404 and "This invitation code is not valid" in text(response)
    assert client.get("/join", query_string={"code": ""}).status_code == 422
    assert client.get("/join/wrong").status_code == 404


def test_join_refused_when_full_or_closed(app, client, frozen_clock, cast):
    challenge_id = new_challenge(app, team_max_size=2, deadline_in=dt.timedelta(hours=1))
    full = new_team(app, challenge_id, cast[0], cast[1])
    other = new_team(app, challenge_id, cast[2])
    login(client, cast[3].email)
    assert "This team is full" in text(client.get(f"/join/{full.code}"))
    page = f"/join/{other.code}"
    token = csrf_from(text(client.get(page)))
    frozen_clock.advance(hours=1)
    response = client.post(page, data={"csrf_token": token})
    assert response.status_code == 303
    assert "Submissions are closed for this challenge" in text(client.get(response.headers["Location"]))
    assert count(app, TeamMember, team_id=other.id) == 1


def test_leave_with_confirmation_hands_over_the_captaincy(app, client, open_challenge, cast):
    team = new_team(app, open_challenge, cast[0], cast[1])
    login(client, cast[0].email)
    page = client.get(f"/teams/{team.id}/leave")
    assert page.status_code == 200 and "The captain role passes to Bogdan Pop" in text(page)
    assert count(app, TeamMember, team_id=team.id) == 2  # showing the page changes nothing
    response = form_post(client, f"/teams/{team.id}/leave")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/challenges/{open_challenge}/team-finder")
    assert "You left" in text(client.get(response.headers["Location"]))
    role = within(app, lambda: db.session.scalar(select(TeamMember.role).where(TeamMember.user_id == cast[1].id)))
    assert role == "captain"


def test_the_last_member_is_told_the_team_will_be_deleted(app, client, open_challenge, cast):
    team = new_team(app, open_challenge, cast[0])
    login(client, cast[0].email)
    assert "You are the last member: the team and its draft idea will be deleted" in \
        text(client.get(f"/teams/{team.id}/leave"))
    form_post(client, f"/teams/{team.id}/leave")
    assert count(app, Team) == 0


def test_captain_removes_a_member_and_makes_another_captain(app, client, open_challenge, cast):
    team = new_team(app, open_challenge, cast[0], cast[1], cast[2])
    login(client, cast[0].email)
    remove = f"/teams/{team.id}/members/{cast[1].id}/remove"
    assert remove in text(client.get(f"/teams/{team.id}"))
    assert "Remove Bogdan Pop from the team?" in text(client.get(remove))
    assert form_post(client, remove).status_code == 303
    assert count(app, TeamMember, team_id=team.id) == 2
    assert form_post(client, f"/teams/{team.id}/members/{cast[2].id}/captain").status_code == 303
    assert "Carla Pop is now the captain" in text(client.get(f"/teams/{team.id}"))
    # No longer captain: the captain's pages are refused, seen but not allowed.
    assert client.get(f"/teams/{team.id}/members/{cast[2].id}/remove").status_code == 403
    assert client.get(f"/teams/{team.id}/invite-code").status_code == 403


def test_regenerate_the_link_after_confirmation(app, client, open_challenge, cast):
    team = new_team(app, open_challenge, cast[0])
    login(client, cast[0].email)
    assert "stop working at once" in text(client.get(f"/teams/{team.id}/invite-code"))
    assert form_post(client, f"/teams/{team.id}/invite-code").status_code == 303
    assert within(app, lambda: db.session.get(Team, team.id).invite_code) != team.code
    assert client.get(f"/join/{team.code}").status_code == 404


def test_invite_by_email_from_the_team_page(app, client, open_challenge, cast, mailbox):
    team = new_team(app, open_challenge, cast[0], name="Heart Beats")
    login(client, cast[0].email)
    page = f"/teams/{team.id}"
    response = form_post(client, f"/teams/{team.id}/invitations", {"email": "friend@example.org"}, page=page)
    assert response.status_code == 303
    assert "Invitation sent to friend@example.org" in text(client.get(page))
    response = form_post(client, f"/teams/{team.id}/invitations", {"email": "nope"}, page=page)
    assert response.status_code == 422 and "Enter a valid e-mail address" in text(response)
    flush_outbox(app)
    [message] = mailbox.to("friend@example.org")
    assert f"http://salus.test/join/{team.code}" in mailbox.links(message)


def test_a_closed_team_page_offers_no_changes(app, client, frozen_clock, cast):
    team = new_team(app, new_challenge(app, deadline_in=dt.timedelta(hours=1)), cast[0], cast[1])
    login(client, cast[0].email)
    frozen_clock.advance(hours=1)
    page = text(client.get(f"/teams/{team.id}"))
    assert "Closed" in page
    assert "invite-link" not in page and "/leave" not in page and "/remove" not in page


@pytest.mark.parametrize("who", ["anonymous", "other team", "other challenge", "no team"])
def test_a_team_page_is_not_found_for_outsiders(app, client, cast, who):
    challenge_id = new_challenge(app)
    team = new_team(app, challenge_id, cast[0], cast[1])
    new_team(app, challenge_id, cast[2])
    new_team(app, new_challenge(app, title="Elsewhere"), cast[3])
    visitor = {"other team": cast[2], "other challenge": cast[3], "no team": cast[4]}.get(who)
    if visitor:
        login(client, visitor.email)
    response = client.get(f"/teams/{team.id}")
    assert response.status_code == 404 and team.code not in text(response)
    for path in (f"/teams/{team.id}/leave", f"/teams/{team.id}/invite-code",
                 f"/teams/{team.id}/members/{cast[1].id}/remove"):
        response = client.get(path)
        assert response.status_code == (302 if who == "anonymous" else 404), path  # anonymous: sign in first
        assert team.code not in text(response)
    if visitor:
        response = form_post(client, f"/teams/{team.id}/invitations", {"email": "x@example.org"}, page="/join")
        assert response.status_code == 404


def test_organisers_see_the_team_without_member_actions(app, client, cast):
    organiser = new_person(app, "Olga")
    team = new_team(app, new_challenge(app, organisers=(organiser,)), cast[0])
    login(client, organiser.email)
    page = text(client.get(f"/teams/{team.id}"))
    assert team.code in page and "Ana Pop" in page and "Leave" not in page
    assert client.get(f"/teams/{team.id}/leave").status_code == 404


# --- the team finder ----------------------------------------------------------------------------

def test_team_finder_flow(app, client, open_challenge, cast, mailbox):
    team = new_team(app, open_challenge, cast[0], name="Heart Beats")
    url = f"/challenges/{open_challenge}/team-finder"
    assert client.get(url).status_code == 302  # sign in first

    login(client, cast[1].email)
    page = text(client.get(url))
    assert "No team yet — create one or find one." in page and "Nobody is looking for a team yet." in page
    response = form_post(client, f"{url}/profile", {"skills": "Nurse in home care", "interests": "Older patients"},
                         page=url)
    assert response.status_code == 303
    assert "Your profile is in the team finder" in text(client.get(url))
    response = form_post(client, f"{url}/profile", {"skills": ""}, page=url)
    assert response.status_code == 422 and "Tell others what you bring" in text(response)
    logout(client)

    login(client, cast[0].email)
    form_post(client, f"/teams/{team.id}/looking", {"looking_for_members": "y", "looking_for": "A nurse"},
              page=f"/teams/{team.id}")
    page = text(client.get(url))
    assert "Nurse in home care" in page and "Invite to Heart Beats" in page
    seeker_id = within(app, lambda: db.session.scalar(select(TeamSeeker.id)))
    response = form_post(client, f"/teams/{team.id}/invite-seeker/{seeker_id}", page=url)
    assert response.status_code == 303 and "Invitation sent to Bogdan Pop" in text(client.get(url))
    flush_outbox(app)
    [message] = mailbox.to(cast[1].email)
    link = next(u for u in mailbox.links(message) if "/join/" in u)
    logout(client)

    login(client, cast[1].email)
    page = text(client.get(url))
    assert "Heart Beats" in page and "A nurse" in page  # the team looking for members
    assert form_post(client, link.replace("http://salus.test", "")).status_code == 303
    assert count(app, TeamSeeker) == 0 and count(app, TeamMember, team_id=team.id) == 2


def test_withdraw_a_profile(app, client, open_challenge, cast):
    url = f"/challenges/{open_challenge}/team-finder"
    login(client, cast[1].email)
    form_post(client, f"{url}/profile", {"skills": "Design"}, page=url)
    response = form_post(client, f"{url}/profile/withdraw", page=url)
    assert response.status_code == 303 and count(app, TeamSeeker) == 0
    assert "no longer in the team finder" in text(client.get(url))


def test_draft_challenges_have_no_team_pages(app, client, cast):
    draft = new_challenge(app, status="draft")
    login(client, cast[0].email)
    assert client.get(f"/challenges/{draft}/team-finder").status_code == 404
    assert client.get(f"/challenges/{draft}/teams/new").status_code == 404


def test_pages_have_one_h1_and_no_inline_script_or_style(app, client, open_challenge, cast):
    team = new_team(app, open_challenge, cast[0])
    login(client, cast[0].email)
    for path in (f"/teams/{team.id}", f"/teams/{team.id}/leave", f"/join/{team.code}", "/join",
                 f"/challenges/{open_challenge}/team-finder", f"/teams/{team.id}/invite-code"):
        response = client.get(path)
        page = text(response)
        assert page.count("<h1") == 1, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", page) and " style=" not in page, path

"""Invitations by e-mail and the team finder: who may invite whom, and the mail that arrives."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts import personal_data
from app.core.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed
from app.core.outbox import OutboxMail
from app.teams import finder, invitations, services
from app.teams.models import TeamSeeker
from tests.conftest import flush_outbox, make_user
from tests.factories import make_challenge, make_team
from tests.teams.conftest import count


def outbox(db) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_an_invitation_reaches_an_address_with_a_join_link_from_base_url(app, db, challenge, people, mailbox):
    team = make_team(challenge, people[0], name="Heart Beats")
    invitations.invite_by_email(team, people[0], "Friend@Example.org")
    [queued] = outbox(db)
    assert queued.user_id is None and queued.locale == "en"
    flush_outbox(app)
    [message] = mailbox.to("friend@example.org")
    assert "Heart Beats" in message["Subject"]
    link = f"http://salus.test/join/{team.invite_code}"
    assert link in mailbox.links(message)
    assert team.invite_code in mailbox.text(message)


def test_an_invitation_to_an_account_is_written_in_its_language(app, db, challenge, people):
    team = make_team(challenge, people[0])
    romanian = make_user("ioana@example.org", name="Ioana", locale="ro")
    invitations.invite_by_email(team, people[0], "IOANA@example.org")
    [queued] = outbox(db)
    assert queued.user_id == romanian.id and queued.locale == "ro" and queued.to_address == "ioana@example.org"


def test_any_member_may_invite_outsiders_may_not(db, challenge, people):
    team = make_team(challenge, people[0], people[1])
    invitations.invite_by_email(team, people[1], "x@example.org")
    with pytest.raises(NotFound):
        invitations.invite_by_email(team, people[2], "y@example.org")
    assert count(db, OutboxMail) == 1


@pytest.mark.parametrize("address", ["", "not an address", "a@b", "a\x00@example.org"])
def test_invitations_need_a_valid_address(db, challenge, people, address):
    team = make_team(challenge, people[0])
    with pytest.raises(ValidationFailed) as error:
        invitations.invite_by_email(team, people[0], address)
    assert set(error.value.fields) == {"email"}


def test_no_invitation_from_a_full_team_or_to_a_member(db, people):
    challenge = make_challenge(team_max_size=2)
    team = make_team(challenge, people[0])
    with pytest.raises(Conflict) as error:
        invitations.invite_by_email(team, people[0], people[0].email)
    assert error.value.code == "already_in_team"
    services.join_team(team.invite_code, people[1])
    with pytest.raises(Conflict) as error:
        invitations.invite_by_email(team, people[0], "z@example.org")
    assert error.value.code == "team_full"
    db.session.rollback()
    assert count(db, OutboxMail) == 0


def test_invitations_are_limited_per_member(db, challenge, people):
    team = make_team(challenge, people[0])
    for i in range(30):
        invitations.invite_by_email(team, people[0], f"guest{i}@example.org")
    with pytest.raises(TooManyRequests):
        invitations.invite_by_email(team, people[0], "one-more@example.org")


# --- the team finder ----------------------------------------------------------------------------

def test_a_seeker_posts_updates_and_withdraws_a_profile(db, challenge, people):
    ana = people[0]
    finder.post_seeker_profile(challenge, ana, " Nurse in home care ", "Telemonitoring")
    finder.post_seeker_profile(challenge, ana, "Nurse and Python", "")
    [profile] = finder.seekers_of(challenge.id)
    assert (profile.skills, profile.interests) == ("Nurse and Python", "")
    assert finder.withdraw_seeker_profile(challenge, ana) is True
    assert finder.seekers_of(challenge.id) == []
    assert finder.withdraw_seeker_profile(challenge, ana) is False


def test_people_with_a_team_cannot_post_a_profile(db, challenge, people):
    make_team(challenge, people[0])
    with pytest.raises(Conflict) as error:
        finder.post_seeker_profile(challenge, people[0], "Design", "")
    assert error.value.code == "already_in_team"


@pytest.mark.parametrize("skills, interests, field", [("", "x", "skills"), ("x" * 2001, "", "skills"),
                                                      ("ok", "y" * 2001, "interests")])
def test_profiles_need_skills_and_stay_short(db, challenge, people, skills, interests, field):
    with pytest.raises(ValidationFailed) as error:
        finder.post_seeker_profile(challenge, people[0], skills, interests)
    assert field in error.value.fields


def test_creating_a_team_removes_the_profile(db, challenge, people):
    finder.post_seeker_profile(challenge, people[0], "Design", "")
    services.create_team(challenge, people[0], "Designers")
    assert count(db, TeamSeeker) == 0


def test_only_the_captain_lists_the_team_and_full_teams_are_not_shown(db, people):
    challenge = make_challenge(team_max_size=3)
    team = make_team(challenge, people[0], people[1], name="Heart Beats")
    with pytest.raises(Forbidden):
        finder.set_team_looking(team, people[1], True, "")
    finder.set_team_looking(team, people[0], True, "A nurse")
    [(listed, members)] = finder.teams_looking(challenge)
    assert (listed.name, members, listed.looking_for) == ("Heart Beats", 2, "A nurse")
    services.join_team(team.invite_code, people[2])
    assert finder.teams_looking(challenge) == []


def test_a_team_with_room_invites_a_seeker(app, db, challenge, people, mailbox):
    team = make_team(challenge, people[0], name="Heart Beats")
    finder.set_team_looking(team, people[0], True, "A nurse")
    profile = finder.post_seeker_profile(challenge, people[1], "Nurse", "")
    invitations.invite_seeker(team, people[0], profile.id)
    flush_outbox(app)
    [message] = mailbox.to(people[1].email)
    assert f"http://salus.test/join/{team.invite_code}" in mailbox.links(message)
    assert "A nurse" in mailbox.text(message)


def test_invite_seeker_refusals(db, people):
    challenge = make_challenge(team_max_size=2)
    team = make_team(challenge, people[0])
    elsewhere = finder.post_seeker_profile(make_challenge(title="Other"), people[1], "Design", "")
    with pytest.raises(NotFound):
        invitations.invite_seeker(team, people[0], elsewhere.id)
    profile = finder.post_seeker_profile(challenge, people[2], "Design", "")
    with pytest.raises(NotFound):
        invitations.invite_seeker(team, people[3], profile.id)  # not a member
    services.join_team(team.invite_code, people[4])
    with pytest.raises(Conflict) as error:
        invitations.invite_seeker(team, people[0], profile.id)
    assert error.value.code == "team_full"


def test_a_seeker_who_found_a_team_meanwhile_is_not_invited(db, challenge, people):
    team = make_team(challenge, people[0])
    profile = finder.post_seeker_profile(challenge, people[1], "Design", "")
    profile_id = profile.id
    make_team(challenge, people[1])  # written directly: the profile is still there
    with pytest.raises(Conflict) as error:
        invitations.invite_seeker(team, people[0], profile_id)
    assert error.value.code == "already_in_team"


# --- privacy ----------------------------------------------------------------------------------

def test_teams_and_profiles_are_in_the_export_and_profiles_go_with_the_account(db, challenge, people):
    team = make_team(challenge, people[0], name="Heart Beats")
    finder.post_seeker_profile(make_challenge(title="Other"), people[0], "Design", "Apps")
    data = personal_data.export_personal_data(people[0])["teams"]
    assert data["memberships"][0]["team"] == "Heart Beats" and data["memberships"][0]["role"] == "captain"
    assert data["team_finder_profiles"][0]["skills"] == "Design"
    personal_data.erase_account(people[0])
    assert count(db, TeamSeeker) == 0
    assert services.visible_team(team.id, people[0]).members[0].user.display_name == "deleted user"

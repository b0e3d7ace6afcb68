"""Team services against the database: limits, the deadline, captains, dissolution, invitation codes."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.submissions.models import Idea
from app.teams import finder, services
from app.teams.models import Team, TeamMember, TeamSeeker
from tests.factories import make_challenge, make_idea, make_team
from tests.teams.conftest import audit_actions, count


def roles(team) -> dict[str, str]:
    return {m.user.name.split()[0]: m.role for m in team.members}


# --- creating ---------------------------------------------------------------------------------

def test_create_team_makes_the_creator_captain_with_a_random_code(db, challenge, people):
    ana = people[0]
    team = services.create_team(challenge, ana, "  Heart   Beats ")
    assert team.name == "Heart   Beats"
    assert roles(team) == {"Ana": "captain"}
    assert len(team.invite_code) >= 12
    other = services.create_team(challenge, people[1], "Lung Power")
    assert other.invite_code != team.invite_code
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "team.created",
                                                          AuditEvent.subject_id == team.id))
    assert event.challenge_id == challenge.id and event.actor_id == ana.id


def test_one_team_per_person_per_challenge(db, challenge, people):
    services.create_team(challenge, people[0], "First")
    with pytest.raises(Conflict) as error:
        services.create_team(challenge, people[0], "Second")
    assert error.value.code == "already_in_team"
    assert count(db, Team) == 1
    services.create_team(make_challenge(title="Another challenge"), people[0], "Second")
    assert count(db, Team) == 2


@pytest.mark.parametrize("second", ["heart beats", "HEART  BEATS", " Heart Beats "])
def test_team_names_are_unique_whatever_their_case_and_spacing(db, challenge, people, second):
    services.create_team(challenge, people[0], "Heart Beats")
    with pytest.raises(Conflict) as error:
        services.create_team(challenge, people[1], second)
    assert error.value.code == "team_name_taken"
    services.create_team(make_challenge(title="Elsewhere"), people[1], second)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "a\x00b"])
def test_a_team_needs_a_sensible_name(db, challenge, people, name):
    with pytest.raises(ValidationFailed) as error:
        services.create_team(challenge, people[0], name)
    assert "name" in error.value.fields
    assert count(db, Team) == 0


def test_the_database_settles_races_the_checks_cannot_see(db, challenge, people, monkeypatch):
    services.create_team(challenge, people[0], "Heart Beats")
    monkeypatch.setattr(services, "assert_name_free", lambda *args: None)
    monkeypatch.setattr(services, "assert_not_in_team", lambda *args: None)
    with pytest.raises(Conflict) as error:
        services.create_team(challenge, people[1], "heart beats")
    assert error.value.code == "team_name_taken"
    with pytest.raises(Conflict) as error:
        services.create_team(challenge, people[0], "Other name")
    assert error.value.code == "already_in_team"
    db.session.rollback()
    assert count(db, Team) == 1 and count(db, TeamMember) == 1


def test_teams_cannot_be_created_in_a_draft_or_closed_challenge(db, people):
    for challenge in (make_challenge(status="draft"), make_challenge(status="judging"),
                      make_challenge(deadline_in=dt.timedelta(seconds=-1))):
        with pytest.raises(Conflict) as error:
            services.create_team(challenge, people[0], "Too late")
        assert error.value.code == "submissions_closed"
    assert count(db, Team) == 0


# --- joining ----------------------------------------------------------------------------------

def test_join_adds_a_member_and_takes_them_out_of_the_finder(db, challenge, people):
    ana, bogdan = people[:2]
    team = make_team(challenge, ana)
    finder.post_seeker_profile(challenge, bogdan, "Nurse", "Home care")
    joined = services.join_team(f"  {team.invite_code} ", bogdan)
    assert roles(joined) == {"Ana": "captain", "Bogdan": "member"}
    assert count(db, TeamSeeker) == 0
    assert audit_actions(db, team.id) == ["team.member_joined"]


def test_join_refuses_beyond_the_maximum_size(db, people):
    challenge = make_challenge(team_max_size=2)
    team = make_team(challenge, people[0], people[1])
    with pytest.raises(Conflict) as error:
        services.join_team(team.invite_code, people[2])
    assert error.value.code == "team_full"
    assert count(db, TeamMember, team_id=team.id) == 2


@pytest.mark.parametrize("own_team", [True, False])
def test_join_refuses_people_who_already_have_a_team(db, challenge, people, own_team):
    team = make_team(challenge, people[0], people[1])
    other = make_team(challenge, people[2])
    with pytest.raises(Conflict) as error:
        services.join_team((team if own_team else other).invite_code, people[1])
    assert error.value.code == "already_in_team"


@pytest.mark.parametrize("code", ["", "nope", "x" * 500, "a\x00b"])
def test_unknown_codes_are_not_found(db, challenge, people, code):
    make_team(challenge, people[0])
    with pytest.raises(NotFound):
        services.join_team(code, people[1])


def test_codes_of_draft_challenges_are_not_found(db, people):
    team = make_team(make_challenge(status="draft"), people[0])
    with pytest.raises(NotFound):
        services.join_team(team.invite_code, people[1])
    with pytest.raises(NotFound):
        services.team_for_code(team.invite_code)


# --- the deadline -------------------------------------------------------------------------------

@pytest.fixture
def at_deadline(db, frozen_clock, people):
    """A challenge whose deadline is one hour away, with a team of Ana and Bogdan."""
    challenge = make_challenge(deadline_in=dt.timedelta(hours=1))
    team = make_team(challenge, people[0], people[1])
    return challenge, team, challenge.submission_deadline


def test_joining_one_second_before_the_deadline_is_allowed(db, frozen_clock, at_deadline, people):
    challenge, team, deadline = at_deadline
    frozen_clock.set(deadline - dt.timedelta(seconds=1))
    services.join_team(team.invite_code, people[2])
    assert count(db, TeamMember, team_id=team.id) == 3


WRITES = {
    "create": lambda c, t, p: services.create_team(c, p[2], "Late team"),
    "join": lambda c, t, p: services.join_team(t.invite_code, p[2]),
    "leave": lambda c, t, p: services.leave_team(t, p[1]),
    "remove": lambda c, t, p: services.remove_member(t, p[0], p[1].id),
    "captain": lambda c, t, p: services.transfer_captain(t, p[0], p[1].id),
    "code": lambda c, t, p: services.regenerate_invite_code(t, p[0]),
    "seeker": lambda c, t, p: finder.post_seeker_profile(c, p[2], "Design", ""),
    "looking": lambda c, t, p: finder.set_team_looking(t, p[0], True, "A nurse"),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_team_write_at_the_deadline_is_refused_and_changes_nothing(db, frozen_clock, at_deadline,
                                                                         people, write):
    challenge, team, deadline = at_deadline
    code = team.invite_code
    frozen_clock.set(deadline)
    with pytest.raises(Conflict) as error:
        WRITES[write](challenge, team, people)
    assert error.value.code == "submissions_closed"
    db.session.rollback()
    team = db.session.get(Team, team.id)
    assert team.invite_code == code and not team.looking_for_members
    assert roles(team) == {"Ana": "captain", "Bogdan": "member"}
    assert count(db, Team) == 1 and count(db, TeamSeeker) == 0
    assert audit_actions(db, team.id) == []


def test_a_deadline_exception_lets_that_team_alone_change_after_the_deadline(db, frozen_clock, at_deadline, people):
    challenge, team, deadline = at_deadline
    other = make_team(challenge, people[3])
    team.deadline_exception = deadline + dt.timedelta(hours=2)
    db.session.commit()
    frozen_clock.set(deadline + dt.timedelta(hours=1))
    services.join_team(team.invite_code, people[2])
    with pytest.raises(Conflict):
        services.join_team(other.invite_code, people[4])
    frozen_clock.set(deadline + dt.timedelta(hours=2))
    with pytest.raises(Conflict):
        services.leave_team(db.session.get(Team, team.id), people[2])


# --- leaving, removing, captains -------------------------------------------------------------------

def test_a_leaving_captain_hands_over_to_the_longest_standing_member(db, challenge, people):
    ana, bogdan, carla, dan = people[:4]
    team = make_team(challenge, ana, bogdan, carla)
    services.join_team(team.invite_code, dan)
    # Carla joined before Bogdan in real life: the earliest joined_at wins, not the order of ids.
    member = db.session.scalar(select(TeamMember).where(TeamMember.user_id == carla.id))
    member.joined_at = member.joined_at - dt.timedelta(hours=1)
    db.session.commit()
    remaining = services.leave_team(db.session.get(Team, team.id), ana)
    assert roles(remaining) == {"Bogdan": "member", "Carla": "captain", "Dan": "member"}
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "team.member_left"))
    assert event.details["new_captain_id"] == carla.id and event.challenge_id == challenge.id


def test_a_member_leaving_keeps_the_captain(db, challenge, people):
    team = make_team(challenge, *people[:3])
    remaining = services.leave_team(team, people[2])
    assert roles(remaining) == {"Ana": "captain", "Bogdan": "member"}


def test_the_last_member_leaving_dissolves_the_team_and_its_draft(db, challenge, people):
    team = make_team(challenge, people[0])
    make_idea(team)
    team_id = team.id
    assert services.leave_team(team, people[0]) is None
    assert db.session.get(Team, team_id) is None
    assert count(db, Idea) == 0 and count(db, TeamMember) == 0
    assert audit_actions(db, team_id) == ["team.dissolved"]
    services.create_team(challenge, people[0], "A fresh start")


def test_outsiders_cannot_leave_a_team(db, challenge, people):
    team = make_team(challenge, people[0])
    with pytest.raises(NotFound):
        services.leave_team(team, people[1])


def test_the_captain_removes_a_member(db, challenge, people):
    ana, bogdan, carla = people[:3]
    team = make_team(challenge, ana, bogdan, carla)
    services.remove_member(team, ana, bogdan.id)
    assert roles(db.session.get(Team, team.id)) == {"Ana": "captain", "Carla": "member"}
    assert audit_actions(db, team.id) == ["team.member_removed"]
    services.join_team(team.invite_code, bogdan)  # the old code still works until regenerated


def test_only_the_captain_removes_and_only_members(db, challenge, people):
    ana, bogdan, carla, dan = people[:4]
    team = make_team(challenge, ana, bogdan, carla)
    with pytest.raises(Forbidden):
        services.remove_member(team, bogdan, carla.id)
    with pytest.raises(NotFound):
        services.remove_member(team, dan, carla.id)
    with pytest.raises(NotFound):
        services.remove_member(team, ana, dan.id)
    with pytest.raises(Conflict) as error:
        services.remove_member(team, ana, ana.id)
    assert error.value.code == "captain_cannot_remove_self"
    db.session.rollback()
    assert count(db, TeamMember, team_id=team.id) == 3


def test_the_captain_hands_over_the_role(db, challenge, people):
    ana, bogdan, carla = people[:3]
    team = make_team(challenge, ana, bogdan)
    team = services.transfer_captain(team, ana, bogdan.id)
    assert roles(team) == {"Ana": "member", "Bogdan": "captain"}
    assert audit_actions(db, team.id) == ["team.captain_transferred"]
    with pytest.raises(Forbidden):
        services.transfer_captain(team, ana, ana.id)
    with pytest.raises(NotFound):
        services.transfer_captain(team, bogdan, carla.id)


def test_a_new_invitation_code_kills_the_old_one(db, challenge, people):
    ana, bogdan, carla = people[:3]
    team = make_team(challenge, ana, bogdan)
    old = team.invite_code
    with pytest.raises(Forbidden):
        services.regenerate_invite_code(team, bogdan)
    team = services.regenerate_invite_code(team, ana)
    assert team.invite_code != old
    with pytest.raises(NotFound):
        services.join_team(old, carla)
    services.join_team(team.invite_code, carla)
    assert audit_actions(db, team.id) == ["team.invite_code_regenerated", "team.member_joined"]


# --- who sees a team ------------------------------------------------------------------------------

def test_a_team_is_visible_to_its_members_and_the_challenges_organisers_only(db, people):
    organiser, ana, bogdan, carla = people[:4]
    challenge = make_challenge(organisers=[organiser])
    team = make_team(challenge, ana)
    make_team(challenge, bogdan)
    other_challenge_team = make_team(make_challenge(title="Other"), carla)
    assert services.visible_team(team.id, ana) is team
    assert services.visible_team(team.id, organiser).id == team.id
    for outsider in (bogdan, carla):
        with pytest.raises(NotFound):
            services.visible_team(team.id, outsider)
    with pytest.raises(NotFound):
        services.visible_team(other_challenge_team.id, organiser)
    with pytest.raises(NotFound):
        services.visible_team(9999, ana)


def test_team_of_finds_the_one_team_in_a_challenge(db, challenge, people):
    team = make_team(challenge, people[0], people[1])
    assert services.team_of(challenge.id, people[1]).id == team.id
    assert services.team_of(challenge.id, people[2]) is None
    assert [t.id for t in services.teams_of(people[1])] == [team.id]


def test_dissolving_a_team_removes_its_attachment_files(db, challenge, people):
    import io

    from werkzeug.datastructures import FileStorage

    from app.submissions import services as submissions
    from app.submissions.uploads import stored_path
    from tests.submissions.helpers import pdf_bytes

    team = make_team(challenge, people[0])
    idea = make_idea(team)
    attachment = submissions.add_attachment(
        idea, people[0], FileStorage(io.BytesIO(pdf_bytes()), filename="plan.pdf", content_type="application/pdf"))
    path = stored_path(attachment.stored_name)
    assert path.exists()
    assert services.leave_team(db.session.get(Team, team.id), people[0]) is None
    assert not path.exists()

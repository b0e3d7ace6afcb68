"""The jury set-up services: jurors and invitations, conflicts, automatic and manual assignment, reminders.

The helpers at the top build a challenge in judging; the API and page tests use them too.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.core.audit import AuditEvent
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.outbox import OutboxMail
from app.judging import jury, jury_queries
from app.judging.models import Assignment, CriterionScore, Juror, JurorInvitation, Review
from tests.conftest import DEFAULT_PASSWORD, flush_outbox, make_user
from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team

DAY = dt.timedelta(days=1)


@dataclass
class Jury:
    """A challenge in judging with its organiser, jurors, teams and submitted ideas (ids only are safe
    to keep across requests; the objects belong to the test's app context)."""

    challenge: Any
    organiser: Any
    jurors: list[Any] = field(default_factory=list)
    teams: list[Any] = field(default_factory=list)
    ideas: list[Any] = field(default_factory=list)


def judging_challenge(*, jurors: int = 3, ideas: int = 4, status: str = "judging", reviews_per_entry: int = 2,
                      organiser_locale: str = "en", **fields: Any) -> Jury:
    """Jurors from distinct clinics; each idea's team from its own start-up; ideas alternate tracks."""
    organiser = make_user("olga@example.org", name="Olga Organiser", organisation="Iași City Hall",
                          locale=organiser_locale)
    challenge = make_challenge(status=status, organisers=[organiser], opens_in=-5 * DAY, deadline_in=-DAY,
                               reviews_per_entry=reviews_per_entry, **fields)
    made = Jury(challenge, organiser)
    for n in range(jurors):
        user = make_user(f"juror{n}@example.org", name=f"Juror {n:02d}", organisation=f"Clinic {n}")
        make_juror(challenge, user)
        made.jurors.append(user)
    for n in range(ideas):
        member = make_user(f"member{n}@example.org", name=f"Member {n}", organisation=f"Start-up {n}")
        team = make_team(challenge, member, name=f"Team {n:02d}")
        made.teams.append(team)
        made.ideas.append(make_idea(team, status="submitted", title=f"Idea {n:02d}",
                                    track_id=challenge.tracks[n % 2].id))
    return made


def scores_for(challenge: Any) -> dict[int, int]:
    return {criterion.id: 4 for criterion in challenge.criteria}


def pairs(db, challenge_id: int) -> set[tuple[int, int]]:
    return set(map(tuple, db.session.execute(select(Assignment.juror_user_id, Assignment.idea_id)
                                             .where(Assignment.challenge_id == challenge_id))))


def outbox(db, kind: str) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)))


def audit_actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- jurors and invitations -----------------------------------------------------------------

def test_a_registered_address_joins_the_jury_and_is_told(db, frozen_clock):
    made = judging_challenge(jurors=0, ideas=0, status="open")
    ana = make_user("ana@example.org", name="Ana Popescu", locale="ro")
    added = jury.add_juror(made.challenge, made.organiser, "  ANA@example.org ")
    assert added.user_id == ana.id and not added.invited
    juror = db.session.scalar(select(Juror).where(Juror.user_id == ana.id))
    assert (juror.challenge_id, juror.track_ids, juror.added_by_id) == (made.challenge.id, None, made.organiser.id)
    [mail] = outbox(db, "juror_added")
    assert mail.to_address == "ana@example.org" and mail.locale == "ro" and mail.user_id == ana.id
    assert "http://salus.test/reviews" in mail.text_body
    # Again with a track: only the tracks change, nobody is mailed twice.
    telemedicine = made.challenge.tracks[0]
    jury.add_juror(made.challenge, made.organiser, "ana@example.org", [telemedicine.id, telemedicine.id])
    assert db.session.scalar(select(Juror.track_ids).where(Juror.user_id == ana.id)) == [telemedicine.id]
    assert len(outbox(db, "juror_added")) == 1
    assert audit_actions(db) == ["juror.added", "juror.tracks_changed"]
    assert jury.juror_roles(ana) == {"juror"} and jury.juror_roles(made.organiser) == set()


def test_an_unknown_address_is_invited_and_becomes_a_juror_on_registering(app, db, frozen_clock, mailbox):
    made = judging_challenge(jurors=0, ideas=0, status="open", organiser_locale="fr")
    prevention = made.challenge.tracks[1]
    added = jury.add_juror(made.challenge, made.organiser, "Dr.Radu@Spital.example", [prevention.id])
    assert added.invited and added.user_id is None
    invitation = db.session.scalar(select(JurorInvitation))
    assert invitation.email_key == "dr.radu@spital.example" and invitation.track_ids == [prevention.id]
    [mail] = outbox(db, "juror_invitation")
    assert mail.locale == "fr" and mail.user_id is None and mail.to_address == "Dr.Radu@Spital.example"
    flush_outbox(app)
    [message] = mailbox.to("dr.radu@spital.example")
    assert "http://salus.test/register" in mailbox.links(message)
    assert "Prevention" in mailbox.text(message) and "dr.radu@spital.example" in mailbox.text(message).lower()

    accounts.register_user(email="dr.radu@spital.example", password=DEFAULT_PASSWORD, name="Radu Ionescu",
                           organisation="Spitalul Județean", accept_privacy=True)
    user_id = db.session.scalar(select(Juror.user_id).where(Juror.challenge_id == made.challenge.id))
    juror = db.session.scalar(select(Juror).where(Juror.user_id == user_id))
    assert juror.track_ids == [prevention.id] and juror.added_by_id == made.organiser.id
    assert db.session.scalar(select(func.count()).select_from(JurorInvitation)) == 0
    assert "juror.invitation_accepted" in audit_actions(db)


def test_inviting_twice_keeps_one_invitation_and_it_can_be_withdrawn(db, frozen_clock):
    made = judging_challenge(jurors=0, ideas=0, status="draft")
    jury.add_juror(made.challenge, made.organiser, "new@example.org")
    jury.add_juror(made.challenge, made.organiser, "NEW@example.org", [made.challenge.tracks[0].id])
    [invitation] = db.session.scalars(select(JurorInvitation)).all()
    assert invitation.track_ids == [made.challenge.tracks[0].id] and len(outbox(db, "juror_invitation")) == 2
    other = make_challenge(title="Other", organisers=[made.organiser])
    with pytest.raises(NotFound):
        jury.cancel_invitation(other, made.organiser, invitation.id)
    jury.cancel_invitation(made.challenge, made.organiser, invitation.id)
    accounts.register_user(email="new@example.org", password=DEFAULT_PASSWORD, name="New", accept_privacy=True)
    assert db.session.scalar(select(func.count()).select_from(Juror)) == 0


@pytest.mark.parametrize("address", ["", "   ", "not an address", "a@b", None, 42, "x" * 330 + "@example.org"])
def test_a_juror_needs_a_valid_address(db, frozen_clock, address):
    made = judging_challenge(jurors=0, ideas=0)
    with pytest.raises(ValidationFailed) as error:
        jury.add_juror(made.challenge, made.organiser, address)
    assert set(error.value.fields) == {"email"}


@pytest.mark.parametrize("tracks", [[999_999], [True], ["1"], [2**40]])
def test_juror_tracks_must_be_the_challenges(db, frozen_clock, tracks):
    made = judging_challenge(jurors=0, ideas=0)
    make_user("ana@example.org")
    with pytest.raises(ValidationFailed) as error:
        jury.add_juror(made.challenge, made.organiser, "ana@example.org", tracks)
    assert set(error.value.fields) == {"track_ids"}
    assert db.session.scalar(select(func.count()).select_from(Juror)) == 0


def test_only_organisers_set_up_the_jury(db, frozen_clock):
    made = judging_challenge(jurors=1, ideas=1)
    juror = made.jurors[0]
    for action in (lambda: jury.add_juror(made.challenge, juror, "x@example.org"),
                   lambda: jury.record_conflict(made.challenge, juror, juror.id, made.teams[0].id, "x"),
                   lambda: jury.auto_assign(made.challenge, juror),
                   lambda: jury.add_assignment(made.challenge, juror, made.ideas[0].id, juror.id),
                   lambda: jury.remove_assignment(made.challenge, juror, made.ideas[0].id, juror.id),
                   lambda: jury.remove_juror(made.challenge, juror, juror.id),
                   lambda: jury.send_reminders(made.challenge, juror)):
        with pytest.raises(Forbidden):
            action()
    admin = make_user("admin@example.org", admin=True)
    assert jury.add_juror(made.challenge, admin, "admin@example.org").user_id == admin.id


def test_removing_a_juror_takes_their_unscored_work_but_not_their_scores(db, frozen_clock):
    made = judging_challenge(jurors=2, ideas=2)
    first, second = made.jurors
    jury.auto_assign(made.challenge, made.organiser)
    make_review(made.ideas[0], second, scores_for(made.challenge))
    with pytest.raises(Conflict) as error:
        jury.remove_juror(made.challenge, made.organiser, second.id)
    assert error.value.code == "juror_has_reviews"
    jury.remove_juror(made.challenge, made.organiser, first.id)
    assert {j for j, _i in pairs(db, made.challenge.id)} == {second.id}
    assert db.session.scalar(select(func.count()).select_from(Juror)) == 1
    with pytest.raises(NotFound):
        jury.remove_juror(made.challenge, made.organiser, first.id)


# --- conflicts ------------------------------------------------------------------------------

def test_automatic_conflicts_same_organisation_and_membership(db, frozen_clock):
    made = judging_challenge(jurors=3, ideas=3, reviews_per_entry=3)
    hospital, member, free = made.jurors
    hospital.organisation = "  Spitalul  Județean "
    made.teams[0].members[0].user.organisation = "spitalul județean"  # type: ignore[attr-defined]
    make_team_member(made.teams[1], member)
    db.session.commit()
    run = jury.auto_assign(made.challenge, made.organiser)
    assigned = pairs(db, made.challenge.id)
    assert (hospital.id, made.ideas[0].id) not in assigned and (member.id, made.ideas[1].id) not in assigned
    assert run.understaffed == [made.ideas[0].id, made.ideas[1].id]
    rows = jury_queries.conflicts(made.challenge, jury_queries.jurors(made.challenge),
                                  dict(jury_queries.teams(made.challenge)))
    assert {(r.juror_id, r.team_id, r.source) for r in rows} == {
        (hospital.id, made.teams[0].id, "organisation"), (member.id, made.teams[1].id, "member")}
    with pytest.raises(Conflict) as error:
        jury.add_assignment(made.challenge, made.organiser, made.ideas[0].id, hospital.id)
    assert error.value.code == "conflicted"


def make_team_member(team: Any, user: Any) -> None:
    from app.teams.models import TeamMember

    team.members.append(TeamMember(user_id=user.id, challenge_id=team.challenge_id, role="member",
                                   joined_at=team.created_at))


def test_empty_organisations_never_conflict(db, frozen_clock):
    made = judging_challenge(jurors=1, ideas=1, reviews_per_entry=1)
    made.jurors[0].organisation = "   "
    made.teams[0].members[0].user.organisation = ""  # type: ignore[attr-defined]
    db.session.commit()
    assert jury.auto_assign(made.challenge, made.organiser).created == 1


def test_a_recorded_conflict_removes_the_assignment_and_its_scores_at_once(db, frozen_clock):
    made = judging_challenge(jurors=2, ideas=2, reviews_per_entry=2)
    juror = made.jurors[0]
    jury.auto_assign(made.challenge, made.organiser)
    review_id = make_review(made.ideas[0], juror, scores_for(made.challenge)).id
    conflict = jury.record_conflict(made.challenge, made.organiser, juror.id, made.teams[0].id,
                                    "  Co-author of the team's grant application. ")
    assert (conflict.source, conflict.reason, conflict.juror_user_id) == (
        "organiser", "Co-author of the team's grant application.", juror.id)
    assert (juror.id, made.ideas[0].id) not in pairs(db, made.challenge.id)
    assert (juror.id, made.ideas[1].id) in pairs(db, made.challenge.id)
    assert db.session.get(Review, review_id) is None
    assert db.session.scalar(select(func.count()).select_from(CriterionScore)) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict.recorded"))
    assert event.details["assignments_removed"] == 1 and event.details["reviews_removed"] == 1
    # The same pair again answers the recorded conflict; automatic assignment never brings it back.
    again = jury.record_conflict(made.challenge, made.organiser, juror.id, made.teams[0].id, "Again")
    assert again.id == conflict.id
    assert jury.auto_assign(made.challenge, made.organiser).understaffed == [made.ideas[0].id]
    assert (juror.id, made.ideas[0].id) not in pairs(db, made.challenge.id)


def test_a_conflict_names_a_juror_and_a_team_of_this_challenge_with_a_reason(db, frozen_clock):
    made = judging_challenge(jurors=1, ideas=1)
    foreign = make_challenge(title="Elsewhere", organisers=[made.organiser])
    foreign_team = make_team(foreign, make_user("f@example.org"), name="Foreign")
    outsider = make_user("outsider@example.org")
    cases = [((outsider.id, made.teams[0].id, "r"), {"juror_id"}),
             ((made.jurors[0].id, foreign_team.id, "r"), {"team_id"}),
             ((2**40, -1, "r"), {"juror_id", "team_id"}),
             ((made.jurors[0].id, made.teams[0].id, "  "), {"reason"}),
             ((made.jurors[0].id, made.teams[0].id, "x" * 2001), {"reason"})]
    for args, fields in cases:
        with pytest.raises(ValidationFailed) as error:
            jury.record_conflict(made.challenge, made.organiser, *args)
        assert set(error.value.fields) == fields, args
        db.session.rollback()


def test_no_conflict_is_recorded_after_publication(db, frozen_clock):
    made = judging_challenge(jurors=1, ideas=1, status="published")
    with pytest.raises(Conflict) as error:
        jury.record_conflict(made.challenge, made.organiser, made.jurors[0].id, made.teams[0].id, "Late")
    assert error.value.code == "already_published"


# --- automatic assignment -------------------------------------------------------------------

def test_automatic_assignment_on_a_realistic_jury(db, frozen_clock):
    """12 ideas in two tracks, 7 jurors (two only for telemedicine, one only for prevention),
    two organisation conflicts, three reviews each."""
    made = judging_challenge(jurors=7, ideas=12, reviews_per_entry=3)
    telemedicine, prevention = (t.id for t in made.challenge.tracks)
    by_id = {u.id: u for u in made.jurors}
    limits = {made.jurors[0].id: [telemedicine], made.jurors[1].id: [telemedicine], made.jurors[2].id: [prevention]}
    for juror in db.session.scalars(select(Juror)):
        juror.track_ids = limits.get(juror.user_id)
    made.jurors[3].organisation = made.teams[0].members[0].user.organisation.upper()  # type: ignore[attr-defined]
    made.jurors[4].organisation = made.teams[5].members[0].user.organisation  # type: ignore[attr-defined]
    db.session.commit()

    run = jury.auto_assign(made.challenge, made.organiser)
    assigned = pairs(db, made.challenge.id)
    assert run.created == len(assigned) == 36 and run.understaffed == []
    loads = Counter(j for j, _i in assigned)
    assert run.per_juror == dict(loads) and max(loads.values()) - min(loads.values()) <= 1
    track_of = {idea.id: idea.track_id for idea in made.ideas}
    for juror_id, idea_id in assigned:
        assert limits.get(juror_id) is None or track_of[idea_id] in limits[juror_id], by_id[juror_id].name
    assert (made.jurors[3].id, made.ideas[0].id) not in assigned
    assert (made.jurors[4].id, made.ideas[5].id) not in assigned
    assert all(n == 3 for n in Counter(i for _j, i in assigned).values())
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignments.generated"))
    assert event.details["created"] == 36 and event.actor_id == made.organiser.id

    # A second click adds nothing and reports the same loads.
    again = jury.auto_assign(made.challenge, made.organiser)
    assert again.created == 0 and again.per_juror == run.per_juror and pairs(db, made.challenge.id) == assigned


def test_automatic_assignment_keeps_existing_assignments_and_scores(db, frozen_clock):
    made = judging_challenge(jurors=4, ideas=4, reviews_per_entry=2)
    review = make_review(made.ideas[0], made.jurors[3], scores_for(made.challenge))
    jury.add_assignment(made.challenge, made.organiser, made.ideas[1].id, made.jurors[3].id)
    run = jury.auto_assign(made.challenge, made.organiser)
    assigned = pairs(db, made.challenge.id)
    assert {(made.jurors[3].id, made.ideas[0].id), (made.jurors[3].id, made.ideas[1].id)} <= assigned
    assert run.created == 6 and len(assigned) == 8 and db.session.get(Review, review.id) is not None
    assert sorted(run.per_juror.values()) == [2, 2, 2, 2]


def test_understaffed_entries_are_reported(db, frozen_clock):
    made = judging_challenge(jurors=2, ideas=3, reviews_per_entry=3)
    run = jury.auto_assign(made.challenge, made.organiser)
    assert run.created == 6 and run.understaffed == sorted(i.id for i in made.ideas)


def test_only_submitted_ideas_are_assigned(db, frozen_clock):
    made = judging_challenge(jurors=2, ideas=1, reviews_per_entry=1)
    team = make_team(made.challenge, make_user("late@example.org"), name="Late")
    draft = make_idea(team, status="draft", title="Never submitted")
    jury.auto_assign(made.challenge, made.organiser)
    assert {i for _j, i in pairs(db, made.challenge.id)} == {made.ideas[0].id}
    with pytest.raises(ValidationFailed) as error:
        jury.add_assignment(made.challenge, made.organiser, draft.id, made.jurors[0].id)
    assert set(error.value.fields) == {"idea_id"}


@pytest.mark.parametrize("status", ["draft", "open", "published", "archived"])
def test_assignment_only_in_judging(db, frozen_clock, status):
    made = judging_challenge(jurors=1, ideas=1, status=status)
    for action in (lambda: jury.auto_assign(made.challenge, made.organiser),
                   lambda: jury.add_assignment(made.challenge, made.organiser, made.ideas[0].id, made.jurors[0].id),
                   lambda: jury.remove_assignment(made.challenge, made.organiser, made.ideas[0].id, made.jurors[0].id),
                   lambda: jury.send_reminders(made.challenge, made.organiser)):
        with pytest.raises(Conflict) as error:
            action()
        assert error.value.code == "not_judging"
    assert pairs(db, made.challenge.id) == set()


# --- manual assignment ----------------------------------------------------------------------

def test_manual_assignment_rules(db, frozen_clock):
    made = judging_challenge(jurors=2, ideas=2, reviews_per_entry=1)
    first, second = made.jurors
    idea = made.ideas[0]
    assert jury.add_assignment(made.challenge, made.organiser, idea.id, first.id) is True
    assert jury.add_assignment(made.challenge, made.organiser, idea.id, first.id) is False
    outsider = make_user("outsider@example.org")
    with pytest.raises(ValidationFailed) as error:
        jury.add_assignment(made.challenge, made.organiser, 2**40, outsider.id)
    assert set(error.value.fields) == {"idea_id", "juror_id"}
    jury.record_conflict(made.challenge, made.organiser, second.id, made.teams[0].id, "Sister works there")
    with pytest.raises(Conflict) as error:
        jury.add_assignment(made.challenge, made.organiser, idea.id, second.id)
    assert error.value.code == "conflicted"
    # A juror limited to another track may still be asked by hand.
    db.session.scalar(select(Juror).where(Juror.user_id == second.id)).track_ids = [made.challenge.tracks[0].id]
    db.session.commit()
    assert jury.add_assignment(made.challenge, made.organiser, made.ideas[1].id, second.id) is True

    make_review(idea, first, scores_for(made.challenge))
    with pytest.raises(Conflict) as error:
        jury.remove_assignment(made.challenge, made.organiser, idea.id, first.id)
    assert error.value.code == "already_scored"
    jury.remove_assignment(made.challenge, made.organiser, made.ideas[1].id, second.id)
    with pytest.raises(NotFound):
        jury.remove_assignment(made.challenge, made.organiser, made.ideas[1].id, second.id)
    assert pairs(db, made.challenge.id) == {(first.id, idea.id)}
    assert jury_queries.list_assignments(made.challenge) == [{"idea_id": idea.id, "juror_id": first.id,
                                                              "scored": True}]
    assert audit_actions(db).count("assignment.added") == 2 and "assignment.removed" in audit_actions(db)


# --- reminders ------------------------------------------------------------------------------

def test_reminders_reach_each_juror_with_pending_reviews_once(app, db, frozen_clock, mailbox):
    made = judging_challenge(jurors=3, ideas=3, reviews_per_entry=2)
    jury.auto_assign(made.challenge, made.organiser)
    done, *waiting = made.jurors
    for _j, idea_id in sorted(p for p in pairs(db, made.challenge.id) if p[0] == done.id):
        make_review(db.session.get(type(made.ideas[0]), idea_id), done, scores_for(made.challenge))
    made.jurors[2].locale = "da"
    db.session.commit()
    pending = {user.id: n for user, n in jury_queries.pending_by_juror(made.challenge)}
    assert set(pending) == {u.id for u in waiting} and all(n == 2 for n in pending.values())

    assert jury.send_reminders(made.challenge, made.organiser) == 2
    flush_outbox(app)
    flush_outbox(app)
    assert mailbox.to(done.email) == []
    for user in waiting:
        [message] = mailbox.to(user.email)
        assert "http://salus.test/reviews" in mailbox.links(message)
        assert "2" in message["Subject"]
    assert [m.locale for m in outbox(db, "juror_reminder")] == ["en", "da"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "jurors.reminded"))
    assert sorted(event.details["jurors"]) == sorted(u.id for u in waiting)


def test_simultaneous_clicks_assign_once(app, db, frozen_clock):
    """Four organisers' clicks at the same instant, each in its own session as concurrent requests are:
    the challenge's row lock serves them one after the other, so one run assigns and the others find
    nothing missing."""
    import threading

    from app.accounts.models import User
    from app.challenges.models import Challenge

    made = judging_challenge(jurors=5, ideas=8, reviews_per_entry=3)
    challenge_id, organiser_id = made.challenge.id, made.organiser.id
    db.session.remove()
    barrier = threading.Barrier(4)
    created: list[Any] = []

    def click() -> None:
        with app.app_context():
            try:
                barrier.wait()
                run = jury.auto_assign(db.session.get(Challenge, challenge_id), db.session.get(User, organiser_id))
                created.append(run.created)
            except Exception as error:  # noqa: BLE001 - any failure must show in the assertion
                created.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(created, key=str) == [0, 0, 0, 24]
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 24

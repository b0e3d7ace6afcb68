"""Idea services with a database: versions, revisions, submission, the deadline to the second."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.submissions import services
from app.submissions.models import Idea, IdeaRevision
from tests.conftest import flush_outbox
from tests.factories import make_challenge, make_idea, make_team, make_user
from tests.submissions.helpers import COMPLETE, complete_data


def revision_count(db, idea_id):
    return db.session.scalar(select(func.count()).select_from(IdeaRevision).where(IdeaRevision.idea_id == idea_id))


def snapshot(db, idea_id):
    db.session.expire_all()
    idea = db.session.get(Idea, idea_id)
    return (idea.status, idea.version, idea.content(), idea.submitted_at, revision_count(db, idea_id))


def test_first_save_creates_a_draft_then_each_save_adds_a_revision(db, world):
    idea, created = services.save_idea(world.team, world.alice, {"title": "Heart"})
    assert created and idea.status == "draft" and idea.version == 1 and idea.summary == ""
    idea, created = services.save_idea(world.team, world.bob, {"summary": "Nurses at home."}, version=1)
    assert not created and idea.version == 2 and idea.title == "Heart"
    history = services.revision_history(idea)
    assert [(r.version, r.content["title"], r.content["summary"], author) for r, author in history] == [
        (2, "Heart", "Nurses at home.", "Bogdan Bălan"), (1, "Heart", "", "Alice Ababei")]


def test_a_stale_version_overwrites_nothing(db, world):
    idea, _ = services.save_idea(world.team, world.alice, {"title": "Alice's title"})
    services.save_idea(world.team, world.bob, {"title": "Bob's title"}, version=1)
    before = snapshot(db, idea.id)
    with pytest.raises(Conflict) as caught:
        services.save_idea(world.team, world.alice, {"title": "Alice again"}, version=1)
    assert caught.value.code == "version_conflict"
    assert snapshot(db, idea.id) == before
    assert db.session.get(Idea, idea.id).title == "Bob's title"


def test_version_zero_means_the_writer_saw_no_idea_yet(db, world):
    services.save_idea(world.team, world.bob, {"title": "Bob first"}, version=0)
    with pytest.raises(Conflict) as caught:
        services.save_idea(world.team, world.alice, {"title": "Alice from a blank page"}, version=0)
    assert caught.value.code == "version_conflict"


def test_only_members_write(db, world):
    with pytest.raises(NotFound):
        services.save_idea(world.team, world.carol, {"title": "Not mine"})
    with pytest.raises(NotFound):
        services.save_idea(world.team, world.dave, {"title": "Not mine"})
    with pytest.raises(Forbidden):
        services.save_idea(world.team, world.organiser, {"title": "Organisers read only"})
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


def test_validation_reports_every_field(db, world):
    foreign_track = world.other.tracks[0].id
    with pytest.raises(ValidationFailed) as caught:
        services.save_idea(world.team, world.alice, {"title": "x" * 201, "problem": "p" * 20001,
                                                     "track_id": foreign_track, "links": ["ftp://x.org"]})
    assert set(caught.value.fields) == {"title", "problem", "track_id", "links"}
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


def test_budget_for_calls(db, world):
    call = make_challenge(title="Regional call", kind="call", budget_total=500000, tracks=())
    team = make_team(call, world.alice)
    with pytest.raises(ValidationFailed) as caught:
        services.save_idea(team, world.alice, {"budget_requested": -5})
    assert "budget_requested" in caught.value.fields
    idea, _ = services.save_idea(team, world.alice, {**COMPLETE})
    with pytest.raises(ValidationFailed) as caught:
        services.submit_idea(idea, world.alice)
    assert set(caught.value.fields) == {"budget_requested"}
    idea, _ = services.save_idea(team, world.alice, {"budget_requested": "25000.50"})
    assert services.submit_idea(idea, world.alice).status == "submitted"
    assert float(db.session.get(Idea, idea.id).budget_requested) == 25000.5


def test_submit_needs_every_field(db, world):
    idea, _ = services.save_idea(world.team, world.alice, {"title": "Only a title"})
    with pytest.raises(ValidationFailed) as caught:
        services.submit_idea(idea, world.alice)
    assert set(caught.value.fields) == {"summary", "problem", "solution", "beneficiaries", "track_id"}
    assert db.session.get(Idea, idea.id).status == "draft"


def test_submit_needs_a_large_enough_team(db, world):
    strict = make_challenge(title="Strict", team_min_size=3)
    team = make_team(strict, world.alice, world.bob)
    idea, _ = services.save_idea(team, world.alice, complete_data(strict))
    with pytest.raises(Conflict) as caught:
        services.submit_idea(idea, world.alice)
    assert caught.value.code == "team_too_small"
    assert db.session.get(Idea, idea.id).status == "draft"


def test_submit_mails_a_receipt_to_every_member(app, db, world, mailbox):
    world.bob.timezone = "Europe/Paris"
    db.session.commit()
    idea, _ = services.save_idea(world.team, world.alice, complete_data(world.challenge))
    idea = services.submit_idea(idea, world.bob)
    assert idea.status == "submitted" and idea.submitted_at is not None
    idea_id = idea.id
    flush_outbox(app)
    for address, zone in (("alice@example.org", "(Europe/Bucharest)"), ("bob@example.org", "(Europe/Paris)")):
        [message] = mailbox.to(address)
        text = mailbox.text(message)
        assert "Tele-monitoring for heart failure" in str(message["Subject"])
        assert "Tele-monitoring for heart failure" in text and zone in text
        assert f"http://salus.test/ideas/{idea_id}" in mailbox.links(message)
    assert not mailbox.to("carol@example.org")


def test_editing_a_submitted_idea_keeps_it_submitted_and_complete(db, world):
    idea, _ = services.save_idea(world.team, world.alice, complete_data(world.challenge))
    submitted_at = services.submit_idea(idea, world.alice).submitted_at
    idea, _ = services.save_idea(world.team, world.bob, {"solution": "A better tablet."})
    assert idea.status == "submitted" and idea.submitted_at == submitted_at and idea.version == 2
    assert services.revision_history(idea)[0][0].status == "submitted"
    with pytest.raises(ValidationFailed) as caught:
        services.save_idea(world.team, world.bob, {"solution": "  "})
    assert set(caught.value.fields) == {"solution"}
    assert db.session.get(Idea, idea.id).solution == "A better tablet."


def test_withdraw_then_submit_again(db, frozen_clock, world):
    idea, _ = services.save_idea(world.team, world.alice, complete_data(world.challenge))
    first = services.submit_idea(idea, world.alice).submitted_at
    idea = services.withdraw_idea(idea, world.bob)
    assert idea.status == "withdrawn" and idea.submitted_at is None and idea.withdrawn_at is not None
    frozen_clock.advance(minutes=5)
    idea = services.submit_idea(idea, world.alice)
    assert idea.status == "submitted" and idea.submitted_at == first + dt.timedelta(minutes=5)


def test_not_retained_ideas_are_frozen(db, world):
    idea = make_idea(world.team, status="not_retained")
    for action in (lambda: services.save_idea(world.team, world.alice, {"title": "x"}),
                   lambda: services.submit_idea(idea, world.alice),
                   lambda: services.withdraw_idea(idea, world.alice)):
        with pytest.raises(Conflict) as caught:
            action()
        assert caught.value.code == "not_retained"
    assert db.session.get(Idea, idea.id).status == "not_retained"


# --- the deadline, to the second --------------------------------------------------------------

@pytest.fixture
def at_deadline(db, frozen_clock):
    alice, bob = make_user("a@example.org"), make_user("b@example.org")
    challenge = make_challenge(deadline_in=dt.timedelta(hours=1))
    team = make_team(challenge, alice, bob)
    idea, _ = services.save_idea(team, alice, complete_data(challenge))
    return challenge, team, idea, alice


def test_one_second_before_the_deadline_is_in_time(db, frozen_clock, at_deadline):
    challenge, team, idea, alice = at_deadline
    frozen_clock.set(challenge.submission_deadline - dt.timedelta(seconds=1))
    services.save_idea(team, alice, {"title": "Last-second title"})
    assert services.submit_idea(idea, alice).status == "submitted"


@pytest.mark.parametrize("late", [dt.timedelta(0), dt.timedelta(microseconds=1), dt.timedelta(hours=5)])
def test_at_the_deadline_every_write_is_refused_and_the_draft_kept(db, frozen_clock, at_deadline, late):
    challenge, team, idea, alice = at_deadline
    before = snapshot(db, idea.id)
    frozen_clock.set(challenge.submission_deadline + late)
    for action in (lambda: services.save_idea(team, alice, {"title": "Too late"}),
                   lambda: services.save_idea(team, alice, {"title": "Too late"}, version=1),
                   lambda: services.submit_idea(idea, alice),
                   lambda: services.withdraw_idea(idea, alice)):
        with pytest.raises(Conflict) as caught:
            action()
        assert caught.value.code == "submissions_closed"
        assert snapshot(db, idea.id) == before


def test_a_team_deadline_exception_lets_that_team_write(db, frozen_clock, at_deadline):
    challenge, team, idea, alice = at_deadline
    late_team = make_team(challenge, make_user("c@example.org"))
    team.deadline_exception = challenge.submission_deadline + dt.timedelta(hours=2)
    db.session.commit()
    frozen_clock.set(challenge.submission_deadline + dt.timedelta(minutes=30))
    idea, _ = services.save_idea(team, alice, {"title": "With an exception"})
    assert services.submit_idea(idea, alice).status == "submitted"
    with pytest.raises(Conflict):
        services.save_idea(late_team, late_team.members[0].user, {"title": "No exception"})
    frozen_clock.set(team.deadline_exception)
    with pytest.raises(Conflict):
        services.save_idea(team, alice, {"title": "After the exception"})


def test_nothing_before_the_challenge_opens(db, frozen_clock):
    alice = make_user("early@example.org")
    challenge = make_challenge(opens_in=dt.timedelta(hours=1))
    team = make_team(challenge, alice)
    with pytest.raises(Conflict) as caught:
        services.save_idea(team, alice, {"title": "Too early"})
    assert caught.value.code == "submissions_closed"

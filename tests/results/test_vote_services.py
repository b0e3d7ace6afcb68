"""The public vote's services: opening and closing, who may vote for what, the cap, counts and
their tie rule, the warning signs and the winner's award."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import literal, select

from app.core.audit import AuditEvent
from app.core.errors import DomainError
from app.extensions import db as database
from app.results import votes
from app.results.models import Award
from tests.factories import make_challenge
from tests.results.scenario import judged
from tests.results.test_vote_world import open_world, other_challenge, vote_rows, voter


def code_of(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    database.session.rollback()
    return caught.value.status, caught.value.code


def actions(challenge_id: int) -> list[str]:
    return list(database.session.scalars(select(AuditEvent.action).where(AuditEvent.challenge_id == challenge_id)
                                         .where(AuditEvent.action.like("vote.%")).order_by(AuditEvent.id)))


# --- opening and closing --------------------------------------------------------------------

def test_opening_uses_three_votes_and_no_domain_by_default(db):
    world = judged(db)
    vote = votes.set_vote(world.challenge, world.organiser, status="open")
    assert (vote.status, vote.votes_per_person, vote.allowed_domains) == ("open", 3, [])
    assert vote.opened_by_id == world.organiser.id
    assert actions(world.challenge.id) == ["vote.opened"]


def test_domains_are_normalised(db):
    world = judged(db)
    vote = votes.set_vote(world.challenge, world.organiser, status="open", votes_per_person=2,
                          allowed_domains=" @Iasi.RO, umfiasi.ro iasi.ro,, ")
    assert (vote.votes_per_person, vote.allowed_domains) == (2, ["iasi.ro", "umfiasi.ro"])
    assert votes.parse_domains(["Spital.Iasi.ro."]) == ["spital.iasi.ro"]


@pytest.mark.parametrize("settings, field", [
    ({"votes_per_person": 0}, "votes_per_person"),
    ({"votes_per_person": 1001}, "votes_per_person"),
    ({"votes_per_person": True}, "votes_per_person"),
    ({"votes_per_person": "3"}, "votes_per_person"),
    ({"allowed_domains": "iasi"}, "allowed_domains"),
    ({"allowed_domains": "ana@iasi.ro"}, "allowed_domains"),
    ({"allowed_domains": "iasi.ro, -bad-.ro"}, "allowed_domains"),
    ({"allowed_domains": [3]}, "allowed_domains"),
    ({"allowed_domains": ",".join(f"d{n}.ro" for n in range(51))}, "allowed_domains"),
    ({"status": "paused"}, "status"),
])
def test_bad_settings_are_refused_with_the_field(db, settings, field):
    world = judged(db)
    with pytest.raises(DomainError) as caught:
        votes.set_vote(world.challenge, world.organiser, **{"status": "open", **settings})
    assert caught.value.status == 422 and field in caught.value.fields
    assert votes.vote_of(world.challenge.id) is None


def test_only_organisers_run_the_vote(db):
    world = judged(db)
    assert code_of(votes.set_vote, world.challenge, world.outsider, status="open") == (403, "forbidden")
    assert code_of(votes.set_vote, world.challenge, world.members["Alpha"][0], status="open") == (403, "forbidden")


def test_the_vote_opens_once_the_challenge_has_opened_and_until_publication(db, frozen_clock):
    organiser = voter(0, "org@example.org")
    draft = make_challenge(status="draft", organisers=[organiser], title="Draft")
    upcoming = make_challenge(status="open", organisers=[organiser], title="Upcoming",
                              opens_in=dt.timedelta(hours=2))
    running = make_challenge(status="open", organisers=[organiser], title="Running")
    published = make_challenge(status="published", organisers=[organiser], title="Published")
    assert code_of(votes.set_vote, draft, organiser, status="open") == (409, "not_open")
    assert code_of(votes.set_vote, upcoming, organiser, status="open") == (409, "not_open")
    assert code_of(votes.set_vote, published, organiser, status="open") == (409, "already_published")
    assert votes.set_vote(running, organiser, status="open").status == "open"
    frozen_clock.advance(hours=3)
    assert votes.set_vote(upcoming, organiser, status="open").status == "open"


def test_close_reopen_and_settings_changes_are_audited_and_votes_kept(db):
    world = open_world(db)
    challenge, organiser = world.challenge, world.organiser
    assert code_of(votes.set_vote, other_challenge(world)[0], organiser, status="closed") == (409, "vote_closed")
    votes.cast_vote(challenge, voter(1), world.ideas["Beta"].id)
    votes.set_vote(challenge, organiser, status="open", votes_per_person=5)
    vote = votes.set_vote(challenge, organiser, status="closed")
    assert (vote.status, vote.closed_at is not None) == ("closed", True)
    votes.set_vote(challenge, organiser, status="closed")  # already closed: nothing changes
    vote = votes.set_vote(challenge, organiser, status="open")
    assert (vote.status, vote.closed_at, vote.votes_per_person) == ("open", None, 5)
    assert len(vote_rows(challenge.id)) == 1
    assert actions(challenge.id) == ["vote.opened", "vote.settings_changed", "vote.closed", "vote.reopened"]
    closed = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.closed")).one()
    assert {"idea_id": world.ideas["Beta"].id, "votes": 1} in closed.details["counts"]


def test_publication_ends_the_vote_even_if_its_row_says_open(db):
    world = open_world(db)
    world.challenge.status = "published"
    database.session.commit()
    assert votes.status_of(world.challenge, votes.vote_of(world.challenge.id)) == "closed"
    assert code_of(votes.cast_vote, world.challenge, voter(1), world.ideas["Beta"].id) == (409, "vote_closed")
    assert code_of(votes.set_vote, world.challenge, world.organiser, status="open") == (409, "already_published")


# --- casting and taking back ----------------------------------------------------------------

def test_a_confirmed_account_votes_up_to_the_cap_once_per_entry(db):
    world = open_world(db, votes_per_person=2)
    person, ideas = voter(1), world.ideas
    votes.cast_vote(world.challenge, person, ideas["Alpha"].id)
    assert code_of(votes.cast_vote, world.challenge, person, ideas["Alpha"].id) == (409, "already_voted")
    votes.cast_vote(world.challenge, person, ideas["Beta"].id)
    assert code_of(votes.cast_vote, world.challenge, person, ideas["Gamma"].id) == (409, "vote_limit_reached")
    votes.withdraw_vote(world.challenge, person, ideas["Alpha"].id)
    votes.cast_vote(world.challenge, person, ideas["Gamma"].id)
    assert votes.my_votes(world.challenge.id, person) == [ideas["Beta"].id, ideas["Gamma"].id]
    assert code_of(votes.withdraw_vote, world.challenge, person, ideas["Alpha"].id) == (404, "not_found")


def test_refusals_by_account_entry_and_state(db):
    world = open_world(db, domains="example.org")
    challenge, ideas = world.challenge, world.ideas
    unconfirmed = voter(1, confirmed=False)
    outside = voter(2, "ana@gmail.com")
    assert code_of(votes.cast_vote, challenge, unconfirmed, ideas["Beta"].id) == (403, "email_not_confirmed")
    assert code_of(votes.cast_vote, challenge, outside, ideas["Beta"].id) == (403, "domain_not_allowed")
    member = world.members["Alpha"][1]
    assert code_of(votes.cast_vote, challenge, member, ideas["Alpha"].id) == (403, "own_entry")
    votes.cast_vote(challenge, member, ideas["Beta"].id)  # another entry is fine
    someone = voter(3)
    for name in ("Epsilon", "Withdrawn"):  # a draft and a withdrawn idea are not in the vote
        assert code_of(votes.cast_vote, challenge, someone, ideas[name].id) == (404, "not_found")
    other, other_idea = other_challenge(world)
    assert code_of(votes.cast_vote, challenge, voter(4), other_idea.id) == (404, "not_found")
    assert code_of(votes.cast_vote, challenge, voter(5), 2**40) == (404, "not_found")
    assert code_of(votes.cast_vote, other, voter(6), other_idea.id) == (409, "vote_closed")
    votes.set_vote(challenge, world.organiser, status="closed")
    assert code_of(votes.cast_vote, challenge, voter(7), ideas["Gamma"].id) == (409, "vote_closed")
    assert code_of(votes.withdraw_vote, challenge, member, ideas["Beta"].id) == (409, "vote_closed")
    assert len(vote_rows(challenge.id)) == 1


def test_a_double_vote_that_slips_past_the_check_is_caught_by_the_constraint(db, monkeypatch):
    world = open_world(db)
    person = voter(1)
    votes.cast_vote(world.challenge, person, world.ideas["Beta"].id)

    class NeverFound:
        def where(self, *_conditions):
            return literal(False)

    monkeypatch.setattr(votes, "exists", NeverFound)
    assert code_of(votes.cast_vote, world.challenge, person, world.ideas["Beta"].id) == (409, "already_voted")
    assert len(vote_rows(world.challenge.id)) == 1


def test_a_vote_for_an_entry_later_withdrawn_stops_counting(db):
    world = open_world(db, votes_per_person=1)
    person = voter(1)
    votes.cast_vote(world.challenge, person, world.ideas["Delta"].id)
    world.ideas["Delta"].status = "withdrawn"
    database.session.commit()
    votes.cast_vote(world.challenge, person, world.ideas["Gamma"].id)  # the cap counts live entries only
    assert votes.stats(world.challenge.id) == {"votes": 1, "voters": 1}
    assert [row["title"] for row in votes.counts(world.challenge.id)][0] == "Idea Gamma"


# --- counts, winner, warning signs ----------------------------------------------------------

def test_counts_rank_by_votes_then_the_earlier_submission(db, frozen_clock):
    world = open_world(db)
    ideas = world.ideas
    # Submitted in the order Delta, Gamma, Beta, Alpha.
    for minutes, name in enumerate(("Delta", "Gamma", "Beta", "Alpha")):
        ideas[name].submitted_at = frozen_clock.now() - dt.timedelta(hours=10 - minutes)
    database.session.commit()
    for n, names in enumerate((("Alpha", "Gamma"), ("Alpha", "Gamma"), ("Beta",))):
        person = voter(n)
        for name in names:
            votes.cast_vote(world.challenge, person, ideas[name].id)
    tally = votes.counts(world.challenge.id)
    assert [(row["title"], row["votes"]) for row in tally] == [
        ("Idea Gamma", 2), ("Idea Alpha", 2), ("Idea Beta", 1), ("Idea Delta", 0)]
    top, tied = votes.winner(tally)
    assert (top["title"], tied) == ("Idea Gamma", True)
    assert votes.winner([{"idea_id": 1, "title": "x", "votes": 0}]) == (None, False)
    assert votes.stats(world.challenge.id) == {"votes": 5, "voters": 3}


def test_fresh_accounts_pushing_one_entry_within_minutes_show_as_a_warning(db, frozen_clock):
    world = open_world(db)
    beta, gamma = world.ideas["Beta"].id, world.ideas["Gamma"].id
    fresh = [voter(n, age=dt.timedelta(hours=3)) for n in range(6)]
    older = [voter(10 + n, age=dt.timedelta(days=90)) for n in range(8)]
    start = frozen_clock.now()
    for person in fresh:
        votes.cast_vote(world.challenge, person, beta)
        frozen_clock.advance(minutes=1)
    for person in older:  # many votes within minutes, but from established accounts
        votes.cast_vote(world.challenge, person, gamma)
    for n in range(4):  # fresh accounts, but too few
        votes.cast_vote(world.challenge, voter(20 + n, age=dt.timedelta(minutes=30)), gamma)
    assert votes.bursts(world.challenge.id) == [{"idea_id": beta, "title": "Idea Beta", "votes": 6,
                                                 "starts_at": start, "ends_at": start + dt.timedelta(minutes=5)}]


# --- the award ------------------------------------------------------------------------------

def test_the_winner_becomes_an_award_once_the_vote_is_closed(db):
    world = open_world(db)
    challenge, organiser = world.challenge, world.organiser
    assert code_of(votes.award_winner, other_challenge(world)[0], organiser) == (409, "no_vote")
    assert code_of(votes.award_winner, challenge, organiser) == (409, "vote_open")
    votes.set_vote(challenge, organiser, status="closed")
    assert code_of(votes.award_winner, challenge, organiser) == (409, "no_votes")
    votes.set_vote(challenge, organiser, status="open")
    votes.cast_vote(challenge, voter(1), world.ideas["Delta"].id)
    votes.set_vote(challenge, organiser, status="closed")
    assert code_of(votes.award_winner, challenge, world.outsider) == (403, "forbidden")
    assert code_of(votes.award_winner, challenge, organiser, "x" * 201) == (422, "validation_failed")
    award = votes.award_winner(challenge, organiser, "  ")
    assert (award.idea_id, award.name, award.source, award.amount) == \
        (world.ideas["Delta"].id, "People's choice", "peoples_choice", None)
    assert code_of(votes.award_winner, challenge, organiser, "Again") == (409, "already_awarded")
    assert database.session.scalar(select(Award.name).where(Award.challenge_id == challenge.id)) == "People's choice"


def test_the_award_follows_the_awards_rules_after_publication(db):
    world = open_world(db, budget=Decimal("1000"))
    votes.cast_vote(world.challenge, voter(1), world.ideas["Beta"].id)
    votes.set_vote(world.challenge, world.organiser, status="closed")
    world.challenge.status = "published"
    database.session.commit()
    assert code_of(votes.award_winner, world.challenge, world.organiser, "Public prize") == \
        (409, "already_published")

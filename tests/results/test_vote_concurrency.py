"""One person voting from many tabs at once: the cap holds and no entry gets two votes from them,
whatever the database. Each thread has its own app context, so its own session and connection,
as concurrent requests do."""
from __future__ import annotations

from collections import Counter

import pytest

from app.accounts.models import User
from app.challenges.models import Challenge
from app.extensions import db as database
from app.results import votes
from tests.concurrency import run_together
from tests.results.test_vote_world import more_entries, open_world, vote_rows, voter

pytestmark = pytest.mark.slow


def cast(challenge_id: int, user_id: int, idea_id: int):
    def call():
        votes.cast_vote(database.session.get(Challenge, challenge_id), database.session.get(User, user_id), idea_id)
    return call


@pytest.mark.parametrize("attempt", range(2))
def test_ten_simultaneous_votes_for_ten_entries_with_a_cap_of_three_leave_three(app, db, attempt):
    world = open_world(db, votes_per_person=3)
    idea_ids = [idea.id for idea in (world.ideas[name] for name in ("Alpha", "Beta", "Gamma", "Delta"))]
    idea_ids += [idea.id for idea in more_entries(world, 6)]
    challenge_id, person_id = world.challenge.id, voter(1).id
    db.session.remove()
    results = run_together(app, [cast(challenge_id, person_id, idea_id) for idea_id in idea_ids])
    assert Counter(results) == {"ok": 3, "vote_limit_reached": 7}, results
    assert len(vote_rows(challenge_id)) == 3


def test_five_simultaneous_votes_for_one_entry_leave_one(app, db):
    world = open_world(db)
    challenge_id, person_id, idea_id = world.challenge.id, voter(1).id, world.ideas["Beta"].id
    db.session.remove()
    results = run_together(app, [cast(challenge_id, person_id, idea_id) for _ in range(5)])
    assert Counter(results) == {"ok": 1, "already_voted": 4}, results
    assert vote_rows(challenge_id) == [(idea_id, person_id)]


def test_votes_racing_the_closing_of_the_vote_land_before_it_or_not_at_all(app, db):
    world = open_world(db, votes_per_person=10)
    challenge_id, organiser_id = world.challenge.id, world.organiser.id
    people = [voter(n).id for n in range(6)]
    idea_id = world.ideas["Gamma"].id
    db.session.remove()

    def close():
        votes.set_vote(database.session.get(Challenge, challenge_id), database.session.get(User, organiser_id),
                       status="closed")

    results = run_together(app, [close] + [cast(challenge_id, person, idea_id) for person in people])
    assert results[0] == "ok" and set(results[1:]) <= {"ok", "vote_closed"}, results
    with app.app_context():
        vote = votes.vote_of(challenge_id)
        landed = vote_rows(challenge_id)
        late = database.session.scalar(database.select(database.func.count()).select_from(votes.Vote).where(
            votes.Vote.challenge_id == challenge_id, votes.Vote.created_at > vote.closed_at))
    assert len(landed) == results.count("ok") - 1 and late == 0

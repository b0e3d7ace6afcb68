"""A judged challenge with its public vote open, shared by the vote tests, and the checks that the
world itself is what they expect."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from app.accounts.models import User
from app.core import clock
from app.extensions import db as database
from app.results import votes
from app.results.models import Vote
from tests.conftest import make_user
from tests.factories import make_idea, make_team
from tests.results.scenario import Judged, judged


def open_world(db: Any = None, *, votes_per_person: int = 3, domains: str | None = None, **kwargs: Any) -> Judged:
    """The results scenario (Alpha, Beta, Gamma, Delta submitted; Epsilon a draft) with its vote open."""
    world = judged(db, **kwargs)
    votes.set_vote(world.challenge, world.organiser, status="open", votes_per_person=votes_per_person,
                   allowed_domains=domains)
    return world


def settle() -> None:
    """End the test's own read transaction before it writes: on SQLite a snapshot older than the
    requests' commits cannot become a write."""
    database.session.commit()


def voter(n: int, email: str | None = None, *, age: dt.timedelta | None = None, **kwargs: Any):
    """A confirmed account; ``age``: how long before now it was created."""
    settle()
    user = make_user(email or f"voter{n}@example.org", name=f"Voter {n}", **kwargs)
    if age is not None:
        user.created_at = clock.now() - age
        database.session.commit()
    return user


def more_entries(world: Judged, n: int) -> list[Any]:
    """n more submitted entries, each from its own one-person team."""
    settle()
    start = database.session.scalar(select(func.count()).select_from(User).where(User.email.like("extra%")))
    ideas = []
    for i in range(start, start + n):
        team = make_team(world.challenge, make_user(f"extra{i}@example.org", name=f"Extra {i}"), name=f"Extra {i}")
        ideas.append(make_idea(team, status="submitted", title=f"Extra idea {i}", summary=f"Extra summary {i}."))
    return ideas


def other_challenge(world: Judged) -> tuple[Any, Any]:
    """A second judging challenge of the same organiser, without a vote, and its one entry."""
    from tests.factories import make_challenge

    settle()
    challenge = make_challenge(status="judging", organisers=[world.organiser], title="Another challenge")
    team = make_team(challenge, make_user("other@example.org", name="Other Person"), name="Other team")
    return challenge, make_idea(team, status="submitted", title="Other idea")


def vote_rows(challenge_id: int) -> list[tuple[int, int]]:
    settle()
    return sorted(map(tuple, database.session.execute(select(Vote.idea_id, Vote.user_id)
                                                      .where(Vote.challenge_id == challenge_id))))


def test_the_world_opens_a_vote_on_the_four_submitted_entries(db):
    world = open_world(db)
    assert votes.status_of(world.challenge, votes.vote_of(world.challenge.id)) == "open"
    assert sorted(e.title for e in votes.entries(world.challenge.id)) == [
        "Idea Alpha", "Idea Beta", "Idea Delta", "Idea Gamma"]


def test_each_person_sees_the_entries_in_their_own_stable_order(db):
    world = open_world(db)
    more_entries(world, 6)
    orders = {tuple(e.idea_id for e in votes.entries(world.challenge.id, shuffle_for=n)) for n in range(8)}
    assert len(orders) > 1
    first = [e.idea_id for e in votes.entries(world.challenge.id, shuffle_for=3)]
    assert first == [e.idea_id for e in votes.entries(world.challenge.id, shuffle_for=3)]

"""The People's choice in the JSON API: the vote's state, casting and taking back a vote, and the
organisers' switch. The same services as the pages."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt

from app.challenges.access import visible_challenge
from app.core.api import api_user, endpoint
from app.core.errors import NotFound
from app.results import votes
from app.results.blueprint import api_bp as bp


class VoteEntryOut(BaseModel):
    idea_id: int
    title: str
    summary: str


class VoteCountOut(BaseModel):
    idea_id: int
    title: str
    votes: int


class VoteStatsOut(BaseModel):
    votes: int
    voters: int


class VoteBurstOut(BaseModel):
    idea_id: int
    title: str
    votes: int
    starts_at: str
    ends_at: str


class VoteStateOut(BaseModel):
    challenge_id: int
    status: str
    votes_per_person: int
    allowed_domains: list[str]
    opened_at: str
    closed_at: str | None
    entries: list[VoteEntryOut]
    my_votes: list[int]
    votes_left: int | None
    counts: list[VoteCountOut] | None
    winner: int | None
    stats: VoteStatsOut | None
    bursts: list[VoteBurstOut] | None


class VoteSettingsIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: str
    votes_per_person: StrictInt | None = None
    allowed_domains: list[str] | str | None = None


class BallotIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    idea_id: StrictInt


class BallotOut(BaseModel):
    challenge_id: int
    idea_id: int
    created_at: str
    votes_left: int


def state_json(challenge: Any, user: Any) -> dict[str, Any]:
    """The vote as this caller may see it: counts (and the winner) only once it is closed; the
    number of votes and suspicious bursts only for organisers."""
    vote = votes.vote_of(challenge.id)
    status = votes.status_of(challenge, vote)
    if vote is None:
        raise NotFound()
    mine = votes.my_votes(challenge.id, user)
    signed_in = getattr(user, "is_authenticated", False)
    tally = votes.counts(challenge.id) if status == "closed" else None
    top = votes.winner(tally)[0] if tally is not None else None
    organiser = challenge.is_organiser(user)
    return {
        "challenge_id": challenge.id, "status": status, "votes_per_person": vote.votes_per_person,
        "allowed_domains": list(vote.allowed_domains or []), "opened_at": vote.opened_at.isoformat(),
        "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
        "entries": [{"idea_id": e.idea_id, "title": e.title, "summary": e.summary}
                    for e in votes.entries(challenge.id)],
        "my_votes": mine,
        "votes_left": max(0, vote.votes_per_person - len(mine)) if signed_in and status == "open" else None,
        "counts": tally, "winner": top["idea_id"] if top else None,
        "stats": votes.stats(challenge.id) if organiser else None,
        "bursts": [{**b, "starts_at": b["starts_at"].isoformat(), "ends_at": b["ends_at"].isoformat()}
                   for b in votes.bursts(challenge.id)] if organiser else None,
    }


@endpoint(bp, "/challenges/<int:challenge_id>/vote", methods=["GET"], auth="optional",
          responses={200: VoteStateOut}, errors=(404,),
          summary="The People's choice vote: settings, entries, the caller's votes; counts only once closed")
def get_vote(challenge_id: int):
    return state_json(visible_challenge(challenge_id, api_user()), api_user())


@endpoint(bp, "/challenges/<int:challenge_id>/vote", methods=["PUT"], body=VoteSettingsIn,
          responses={200: VoteStateOut}, errors=(403, 404, 409, 422),
          summary="Open, close or reopen the People's choice vote and set votes per person and allowed "
                  "e-mail domains (organisers); 409 not_open before the challenge opens, already_published after")
def put_vote(challenge_id: int, body: VoteSettingsIn):
    user = api_user()
    challenge = visible_challenge(challenge_id, user)
    votes.set_vote(challenge, user, status=body.status, votes_per_person=body.votes_per_person,
                   allowed_domains=body.allowed_domains)
    return state_json(visible_challenge(challenge_id, user), user)


@endpoint(bp, "/challenges/<int:challenge_id>/votes", methods=["POST"], body=BallotIn,
          responses={201: BallotOut}, errors=(403, 404, 409, 422),
          summary="Vote for a submitted entry (confirmed accounts); 409 already_voted, vote_limit_reached, "
                  "vote_closed; 403 email_not_confirmed, domain_not_allowed, own_entry")
def post_vote(challenge_id: int, body: BallotIn):
    user = api_user()
    challenge = visible_challenge(challenge_id, user)
    row = votes.cast_vote(challenge, user, body.idea_id)
    answer = {"challenge_id": row.challenge_id, "idea_id": row.idea_id, "created_at": row.created_at.isoformat()}
    vote = votes.vote_of(challenge_id)
    used = len(votes.my_votes(challenge_id, user))
    return {**answer, "votes_left": max(0, vote.votes_per_person - used) if vote else 0}, 201


@endpoint(bp, "/challenges/<int:challenge_id>/votes/<int:idea_id>", methods=["DELETE"], responses={204: None},
          errors=(404, 409), summary="Take back the caller's vote for an entry while the vote is open")
def delete_vote(challenge_id: int, idea_id: int):
    user = api_user()
    votes.withdraw_vote(visible_challenge(challenge_id, user), user, idea_id)
    return "", 204

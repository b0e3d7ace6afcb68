"""Factories for challenge-side rows. They write directly (no services) and need an app context."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from app.core import clock
from app.extensions import db
from tests.conftest import make_user


def make_challenge(*, title: str = "Smart Health City Iași", status: str = "open", kind: str = "hackathon",
                   organisers: list[Any] | None = None, tracks: tuple[str, ...] = ("Telemedicine", "Prevention"),
                   criteria: tuple[tuple[str, float], ...] = (("Relevance", 2.0), ("Feasibility", 1.0)),
                   opens_in: dt.timedelta = dt.timedelta(days=-1), deadline_in: dt.timedelta = dt.timedelta(days=2),
                   team_min_size: int = 1, team_max_size: int = 4, **fields: Any):
    from app.challenges.models import Challenge, ChallengeOrganiser, Criterion, Track

    now = clock.now()
    challenge = Challenge(title=title, status=status, kind=kind, description="Digital health ideas for the city.",
                          opens_at=now + opens_in, submission_deadline=now + deadline_in,
                          team_min_size=team_min_size, team_max_size=team_max_size, created_at=now, **fields)
    challenge.tracks = [Track(name=name, position=i) for i, name in enumerate(tracks)]
    challenge.criteria = [Criterion(name=name, weight=weight, scale_min=1, scale_max=5, position=i,
                                    description=f"How good is the {name.lower()}?", anchors=[])
                          for i, (name, weight) in enumerate(criteria)]
    db.session.add(challenge)
    db.session.flush()
    for organiser in organisers or []:
        db.session.add(ChallengeOrganiser(challenge_id=challenge.id, user_id=organiser.id, added_at=now))
    db.session.commit()
    return challenge


def make_team(challenge: Any, *members: Any, name: str | None = None):
    """A team whose first member is captain."""
    from app.teams.models import Team, TeamMember
    from app.teams.rules import team_name_key

    name = name or f"Team {secrets.token_hex(3)}"
    now = clock.now()
    team = Team(challenge_id=challenge.id, name=name, name_key=team_name_key(name),
                invite_code=secrets.token_urlsafe(8), created_at=now)
    for position, user in enumerate(members):
        team.members.append(TeamMember(user_id=user.id, challenge_id=challenge.id,
                                       role="captain" if position == 0 else "member",
                                       joined_at=now + dt.timedelta(seconds=position)))
    db.session.add(team)
    db.session.commit()
    return team


def make_idea(team: Any, *, status: str = "draft", complete: bool = True, **fields: Any):
    from app.submissions.models import Idea

    now = clock.now()
    values: dict[str, Any] = {"title": "Tele-monitoring for heart failure"} if complete else {}
    if complete:
        values.update(summary="Nurses follow patients at home.", problem="Readmissions are frequent.",
                      solution="A tablet and a scale send daily readings.", beneficiaries="Older patients.",
                      track_id=team_track(team))
    values.update(fields)
    idea = Idea(team_id=team.id, challenge_id=team.challenge_id, status=status, created_at=now, updated_at=now,
                submitted_at=now if status == "submitted" else None, **values)
    db.session.add(idea)
    db.session.commit()
    return idea


def team_track(team: Any) -> int | None:
    from app.challenges.models import Track

    track = db.session.query(Track).filter_by(challenge_id=team.challenge_id).order_by(Track.position).first()
    return track.id if track else None


def make_juror(challenge: Any, user: Any, track_ids: list[int] | None = None):
    from app.judging.models import Juror

    juror = Juror(challenge_id=challenge.id, user_id=user.id, track_ids=track_ids, added_at=clock.now())
    db.session.add(juror)
    db.session.commit()
    return juror


def make_assignment(idea: Any, juror_user: Any, round_: int = 1):
    from app.judging.models import Assignment

    assignment = Assignment(challenge_id=idea.challenge_id, idea_id=idea.id, juror_user_id=juror_user.id,
                            round=round_, created_at=clock.now())
    db.session.add(assignment)
    db.session.commit()
    return assignment


def make_review(idea: Any, juror_user: Any, scores: dict[int, int], *, comment: str = "Clear and useful.",
                private_note: str = "", round_: int = 1):
    """A saved review; ``scores`` maps criterion id to score. Assigns the juror if needed."""
    from sqlalchemy import select

    from app.judging.models import Assignment, CriterionScore, Review

    exists = db.session.scalar(select(Assignment.id).where(
        Assignment.idea_id == idea.id, Assignment.juror_user_id == juror_user.id, Assignment.round == round_))
    if exists is None:
        make_assignment(idea, juror_user, round_)
    now = clock.now()
    review = Review(challenge_id=idea.challenge_id, idea_id=idea.id, juror_user_id=juror_user.id, round=round_,
                    comment=comment, private_note=private_note, created_at=now, updated_at=now)
    review.scores = [CriterionScore(criterion_id=cid, value=value) for cid, value in scores.items()]
    db.session.add(review)
    db.session.commit()
    return review


__all__ = ["make_challenge", "make_team", "make_idea", "make_user", "make_juror", "make_assignment",
           "make_review"]

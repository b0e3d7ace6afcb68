"""The mails of a publication, queued in its transaction (the outbox sends them once, in batches).

Every member of every team whose idea was submitted (retained or not) learns, in their own
language, their entry's rank (or that it was not ranked, without reviews), the awards it won and
where to read the jury's feedback; every juror gets a thank-you with the link to the results.
People and entries are loaded in a constant number of queries, whatever their number.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from werkzeug.routing import BuildError

from app.accounts.models import User
from app.challenges.models import Challenge
from app.core.outbox import external_url, queue_mail_to_user
from app.extensions import db
from app.judging.models import Juror, Review
from app.results.models import Publication
from app.submissions.models import Idea
from app.teams.models import Team, TeamMember

NOTIFIED_STATUSES = ("submitted", "not_retained")


def feedback_url(idea_id: int, fallback: str) -> str:
    """The link to an entry's feedback page; the results page while that page is not installed."""
    try:
        return external_url("results.feedback", idea_id=idea_id)
    except BuildError:
        return fallback


def _members(challenge_id: int) -> list[Any]:
    """(user, idea id, idea title, team name) for every member of a notified team (one query)."""
    return db.session.execute(
        select(User, Idea.id.label("idea_id"), Idea.title.label("idea_title"), Team.name.label("team_name"))
        .join(TeamMember, TeamMember.user_id == User.id)
        .join(Team, Team.id == TeamMember.team_id)
        .join(Idea, Idea.team_id == Team.id)
        .where(Idea.challenge_id == challenge_id, Idea.status.in_(NOTIFIED_STATUSES), User.erased_at.is_(None))
        .order_by(Team.id, TeamMember.id)).all()


def _jurors(challenge_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Juror, Juror.user_id == User.id)
        .where(Juror.challenge_id == challenge_id, User.erased_at.is_(None)).order_by(Juror.id)))


def _reviews_by_juror(challenge_id: int) -> dict[int, int]:
    return dict(db.session.execute(select(Review.juror_user_id, func.count(Review.id))
                                   .where(Review.challenge_id == challenge_id)
                                   .group_by(Review.juror_user_id)).all())


def queue_result_mails(challenge: Challenge, publication: Publication) -> int:
    """Queue the members' result mails and the jurors' thank-yous; return how many were queued."""
    results_url = external_url("results.results_page", challenge_id=challenge.id)
    ranked = {row["idea_id"]: row for row in publication.full_ranking}
    awards: dict[int, list[dict[str, Any]]] = {}
    for award in publication.awards:
        awards.setdefault(award["idea_id"], []).append(award)
    common = {"challenge_title": challenge.title, "currency": challenge.currency, "results_url": results_url,
              "ranked_count": len(ranked)}
    count = 0
    for row in _members(challenge.id):
        entry = ranked.get(row.idea_id)
        queue_mail_to_user(row.User, "results_member", **common, idea_title=entry["title"] if entry else row.idea_title,
                           team_name=row.team_name, rank=entry["rank"] if entry else None,
                           awards=awards.get(row.idea_id, []),
                           feedback_url=feedback_url(row.idea_id, results_url))
        count += 1
    reviews = _reviews_by_juror(challenge.id)
    for juror in _jurors(challenge.id):
        queue_mail_to_user(juror, "results_juror", **common, reviews=reviews.get(juror.id, 0))
        count += 1
    return count

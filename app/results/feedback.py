"""Each team's feedback: its mean score on every criterion against the challenge's, and the
jurors' comments, without saying who wrote what.

The rules:

- The numbers come from exactly the reviews the ranking counts: complete, by jurors not
  conflicted with the team, of the idea's round, for the ideas ranked in that round.
- Comments come from those same reviews, stripped, the empty ones left out, in an order drawn
  from the idea alone (never from jurors), so reading the page twice gives the same order and
  the order tells nothing about who wrote what. Private notes and jurors are never read here.
- The team's members see it once the results are published; the challenge's organisers may
  preview it at any time; everyone else gets 404, as if it did not exist.
"""
from __future__ import annotations

import hashlib
import random
from statistics import fmean
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.challenges.access import valid_id
from app.challenges.models import Challenge
from app.extensions import db
from app.judging import access as judging_access
from app.judging.models import Review
from app.judging.ranking import counted_reviews, criteria_of, round_ideas
from app.results.models import Award, Publication
from app.submissions.access import challenge_of, not_found
from app.submissions.models import Idea

PUBLISHED_STATUSES = ("published", "archived")
# Ideas that were judged: a draft or a withdrawn idea has no feedback.
JUDGED_STATUSES = ("submitted", "not_retained")


def publication_row(challenge: Challenge) -> Publication | None:
    """The challenge's published results, or None while they are not public."""
    if challenge.status not in PUBLISHED_STATUSES:
        return None
    return db.session.get(Publication, challenge.id)


def feedback_round(idea: Idea, challenge: Challenge) -> int:
    """An idea still in the running is judged in the current round; one not retained, in the round
    it left."""
    if idea.status == "not_retained":
        return max(1, min(idea.round, challenge.round))
    return challenge.round


def _seed(idea_id: int) -> int:
    key = f"{current_app.config['SECRET_KEY']}{idea_id}".encode()
    return int.from_bytes(hashlib.sha256(key).digest(), "big")


def shuffled_comments(idea_id: int, texts: list[str]) -> list[str]:
    """The non-empty comments, stripped, in an order that depends only on their texts and the idea.

    Sorting first removes whatever order they were read in (juror ids, review dates); the shuffle
    then hides even the alphabet, with a seed no visitor can compute.
    """
    kept = sorted(text.strip() for text in texts if text and text.strip())
    random.Random(_seed(idea_id)).shuffle(kept)  # nosec B311 - a display order; the seed holds the secret key
    return kept


def idea_feedback(idea: Idea) -> dict[str, Any]:
    """``{criteria: [{criterion_id, name, mean, challenge_mean, scale_min, scale_max}], comments,
    reviews}`` for one judged idea, in a fixed number of queries.

    ``mean`` is over this idea's counted reviews, ``challenge_mean`` over every counted review of
    the round (null when there is none); ``reviews`` is how many reviews of this idea count.
    """
    challenge = challenge_of(idea)
    round_ = feedback_round(idea, challenge)
    rows, criteria = criteria_of(challenge.id)
    reviews = []
    if criteria:
        idea_ids = {row.id for row in round_ideas(challenge, round_)}
        reviews = counted_reviews(challenge.id, round_, idea_ids, {c.id for c in criteria},
                                  judging_access.conflict_pairs(challenge.id))
    own = [review for review in reviews if review.idea_id == idea.id]
    texts = []
    if own:
        counted_jurors = {review.juror_id for review in own}
        rows_of_idea = db.session.execute(select(Review.juror_user_id, Review.comment)
                                          .where(Review.idea_id == idea.id, Review.round == round_))
        texts = [comment for juror_id, comment in rows_of_idea if juror_id in counted_jurors]
    return {
        "criteria": [{"criterion_id": row.id, "name": row.name,
                      "mean": fmean(r.scores[row.id] for r in own) if own else None,
                      "challenge_mean": fmean(r.scores[row.id] for r in reviews) if reviews else None,
                      "scale_min": row.scale_min, "scale_max": row.scale_max} for row in rows],
        "comments": shuffled_comments(idea.id, texts),
        "reviews": len(own),
    }


def feedback_idea(idea_id: int, user: Any) -> tuple[Idea, Challenge, Publication | None]:
    """The idea whose feedback ``user`` may read, its challenge and publication (None: preview).

    Members of the idea's team once the results are published; organisers of the challenge at
    any time. Anyone else — jurors of the idea included — and any idea that was never judged
    (draft, withdrawn) get 404.
    """
    signed_in = bool(getattr(user, "is_authenticated", False))
    idea = db.session.get(Idea, idea_id) if signed_in and valid_id(idea_id) else None
    if idea is None or idea.status not in JUDGED_STATUSES:
        raise not_found(user)
    challenge = challenge_of(idea)
    publication = publication_row(challenge)
    if challenge.is_organiser(user) or (publication is not None and idea.team.is_member(user)):
        return idea, challenge, publication
    raise not_found(user)


def feedback_for(idea_id: int, user: Any) -> dict[str, Any]:
    """The feedback of the contract for ``user`` (404 under the rules of :func:`feedback_idea`)."""
    idea, _challenge, _publication = feedback_idea(idea_id, user)
    return idea_feedback(idea)


def idea_standing(idea: Idea, publication: Publication | None) -> dict[str, Any]:
    """The idea's place in the published ranking, out of how many entries, and its awards.

    Once published, both come from the publication, as the city saw them (the rank is None when
    the idea was not ranked); an organiser's preview shows the awards set so far and no rank yet.
    """
    if publication is None:
        rows = db.session.execute(select(Award.name, Award.amount).where(Award.idea_id == idea.id)
                                  .order_by(Award.position, Award.id)).all()
        return {"rank": None, "entries": 0, "awards": [{"name": r.name, "amount": r.amount} for r in rows]}
    ranking = publication.full_ranking or []
    rank = next((entry.get("rank") for entry in ranking if entry.get("idea_id") == idea.id), None)
    awards = [{"name": a.get("name"), "amount": a.get("amount")} for a in publication.awards or []
              if a.get("idea_id") == idea.id]
    return {"rank": rank, "entries": len(ranking), "awards": awards}

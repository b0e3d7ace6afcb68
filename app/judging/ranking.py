"""The ranking of a challenge, built from the database with the pure maths of ``scoring`` and
``statistics`` (GET /challenges/{id}/ranking and the organisers' judging console).

The rules, from the contract:

- Only the submitted ideas of the round count (a past round: the ideas submitted in it, whatever
  their later status), and only the reviews of that round.
- A review by a juror who is conflicted with the idea's team never counts, whether the conflict
  is automatic (organisation, membership) or recorded: the conflicted juror's view must not shape
  the ranking any more than they may see it.
- A review counts once every criterion is scored.
- The challenge's ``ranking_method`` ranks unless another allowed method is asked for.

Everything is loaded in a constant number of queries, whatever the number of ideas and reviews.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.challenges.models import Challenge, Criterion
from app.core.errors import ValidationFailed
from app.extensions import db
from app.judging import access, console, scoring, statistics
from app.judging.models import CriterionScore, Review
from app.submissions.models import Idea
from app.teams.models import Team

DISAGREEMENT_SHARE = 0.4  # a spread of 40 % of the scale or more: the jurors should talk
TOP_K = 3
BOOTSTRAP_SEED = 2026  # fixed, so the same reviews always give the same probabilities
CONTRACT_KEYS = ("method", "entries", "jurors", "reliability")


def resolve_round(challenge: Challenge, round_: Any = None) -> int:
    """The round asked for, 1 to the challenge's current round; the current one when not given."""
    if round_ is None:
        return challenge.round
    if isinstance(round_, bool) or not isinstance(round_, int) or not 1 <= round_ <= challenge.round:
        raise ValidationFailed(fields={"round": _("Must be between %(low)s and %(high)s.", low=1,
                                                  high=challenge.round)})
    return round_


def resolve_method(challenge: Challenge, method: str | None = None) -> str:
    method = method or challenge.ranking_method
    if method not in scoring.METHODS:
        raise ValidationFailed(fields={"method": _("Choose one of: %(values)s.", values=", ".join(scoring.METHODS))})
    return method


def round_ideas(challenge: Challenge, round_: int) -> list[Any]:
    """The ideas ranked in ``round_`` (id, submitted_at, title, team_id, team name), oldest first.

    The current round: the ideas submitted now and in that round. A past round: the ideas that
    reached a later round, and those of that round that stayed submitted or were not retained.
    """
    if round_ == challenge.round:
        in_round = (Idea.status == "submitted") & (Idea.round == round_)
    else:
        in_round = or_((Idea.round > round_) & Idea.submitted_at.is_not(None),
                       (Idea.round == round_) & Idea.status.in_(("submitted", "not_retained")))
    return db.session.execute(
        select(Idea.id, Idea.submitted_at, Idea.created_at, Idea.title, Idea.team_id, Team.name.label("team_name"))
        .join(Team, Team.id == Idea.team_id)
        .where(Idea.challenge_id == challenge.id, in_round).order_by(Idea.submitted_at, Idea.id)).all()


def criteria_of(challenge_id: int) -> tuple[list[Any], list[scoring.Criterion]]:
    rows = db.session.execute(select(Criterion.id, Criterion.name, Criterion.weight, Criterion.scale_min,
                                     Criterion.scale_max)
                              .where(Criterion.challenge_id == challenge_id)
                              .order_by(Criterion.position, Criterion.id)).all()
    return rows, [scoring.Criterion(r.id, float(r.weight), r.scale_min, r.scale_max) for r in rows]


def counted_reviews(challenge_id: int, round_: int, idea_ids: set[int], criterion_ids: set[int],
                    conflicted: set[tuple[int, int]]) -> list[scoring.Review]:
    """The complete, unconflicted reviews of the round for these ideas (one query): the reviews that
    count, for the ranking and for each team's feedback alike."""
    scores: dict[tuple[int, int], dict[int, int]] = {}
    rows = db.session.execute(
        select(Review.idea_id, Review.juror_user_id, CriterionScore.criterion_id, CriterionScore.value)
        .join(CriterionScore, CriterionScore.review_id == Review.id)
        .where(Review.challenge_id == challenge_id, Review.round == round_))
    for idea_id, juror_id, criterion_id, value in rows:
        if idea_id in idea_ids and (juror_id, idea_id) not in conflicted and criterion_id in criterion_ids:
            scores.setdefault((idea_id, juror_id), {})[criterion_id] = value
    return [scoring.Review(idea_id, juror_id, values) for (idea_id, juror_id), values in sorted(scores.items())
            if len(values) == len(criterion_ids)]


def _submitted_at(row: Any) -> dt.datetime:
    return row.submitted_at or row.created_at


def challenge_ranking(challenge: Challenge, round_: int | None = None, method: str | None = None, *,
                      details: bool = True) -> dict[str, Any]:
    """The ranking of the contract, ``{method, entries, jurors, reliability: {icc1}}``, numbers unrounded.

    With ``details`` (the console) it also holds: ``round``; ``scale`` of the review scores;
    ``disagreements`` (idea ids whose spread is at least 40 % of the scale); ``alpha`` per
    criterion with its reading; ``icc1_reading``; ``top3`` (each idea's bootstrap probability of a
    top-3 place, from ``top3_samples`` resamples); ``progress`` by juror and by entry; open safety
    ``flags``; the scores behind the charts (``juror_scores``, ``entry_ranges``); and names for
    jurors and teams. The caller checks that the user organises the challenge.
    """
    round_ = resolve_round(challenge, round_)
    method = resolve_method(challenge, method)
    criterion_rows, criteria = criteria_of(challenge.id)
    ideas = round_ideas(challenge, round_)
    conflicted = access.conflict_pairs(challenge.id)
    idea_ids = {row.id for row in ideas}
    reviews = counted_reviews(challenge.id, round_, idea_ids, {c.id for c in criteria}, conflicted)
    entries = [scoring.Entry(row.id, _submitted_at(row)) for row in ideas]
    by_id = {row.id: row for row in ideas}
    ranking = scoring.rank(entries, reviews, criteria, method) if criteria else scoring.Ranking(method, [], [], None)
    result: dict[str, Any] = {
        "method": method,
        "entries": [{"rank": e.rank, "idea_id": e.idea_id, "title": by_id[e.idea_id].title,
                     "team_id": by_id[e.idea_id].team_id, "raw_mean": e.raw_mean, "normalized": e.normalized,
                     "calibrated": e.calibrated, "reviews": e.reviews, "spread": e.spread}
                    for e in ranking.entries],
        "jurors": [{"juror_id": j.juror_id, "reviews": j.reviews, "mean": j.mean, "sd": j.sd, "offset": j.offset}
                   for j in ranking.jurors],
        "reliability": {"icc1": ranking.icc1},
    }
    if details:
        result.update(_details(challenge, round_, method, criterion_rows, criteria, ideas, entries, reviews,
                               ranking, conflicted))
    return result


def _details(challenge: Challenge, round_: int, method: str, criterion_rows: list[Any],
             criteria: list[scoring.Criterion], ideas: list[Any], entries: list[scoring.Entry],
             reviews: list[scoring.Review], ranking: scoring.Ranking,
             conflicted: set[tuple[int, int]]) -> dict[str, Any]:
    scale = scoring.weighted_scale(criteria) if criteria else (0.0, 1.0)
    juror_scores: dict[int, list[float]] = {}
    entry_scores: dict[int, list[float]] = {}
    for review in reviews:
        r = scoring.review_raw(review.scores, criteria)
        juror_scores.setdefault(review.juror_id, []).append(r)
        entry_scores.setdefault(review.idea_id, []).append(r)
    alpha = statistics.alpha_per_criterion(reviews, criteria) if criteria else {}
    samples = statistics.bootstrap_samples(len(reviews))
    top = statistics.bootstrap_top_k(entries, reviews, criteria, method, k=TOP_K, samples=samples,
                                     seed=BOOTSTRAP_SEED) if ranking.entries else {}
    scored = {(review.juror_id, review.idea_id) for review in reviews}
    progress = console.progress(challenge.id, round_, ideas, scored, conflicted)
    return {
        "round": round_,
        "scale": {"min": scale[0], "max": scale[1]},
        "disagreements": scoring.disagreements(ranking, *scale, threshold=DISAGREEMENT_SHARE)
        if ranking.entries else [],
        "icc1_reading": statistics.reliability_reading(ranking.icc1) if ranking.icc1 is not None else None,
        "alpha": [{"criterion_id": row.id, "name": row.name, "alpha": alpha.get(row.id),
                   "reading": statistics.reliability_reading(alpha[row.id]) if alpha.get(row.id) is not None
                   else None} for row in criterion_rows],
        "top3": top,
        "top3_samples": samples,
        "progress": progress,
        "flags": console.open_flags(challenge.id),
        "juror_scores": juror_scores,
        "entry_ranges": {idea_id: (min(values), max(values)) for idea_id, values in entry_scores.items()},
        "juror_names": progress["names"],
        "team_names": {row.id: row.team_name for row in ideas},
    }


def contract_view(ranking: dict[str, Any]) -> dict[str, Any]:
    """Only the contract's fields of a ranking (the API answers exactly these)."""
    return {key: ranking[key] for key in CONTRACT_KEYS}


def certainty(probability: float) -> str:
    """A plain reading of a bootstrap probability of a top-3 place: "solid" when at most 10 % away
    from certain (in or out), "coin_toss" between 30 % and 70 %, "uncertain" in between."""
    distance = abs(probability - 0.5)
    if distance >= 0.4 - scoring.TOLERANCE:
        return "solid"
    if distance <= 0.2 + scoring.TOLERANCE:
        return "coin_toss"
    return "uncertain"

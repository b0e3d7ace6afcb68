"""Publishing the results of a challenge, and reading them back.

The rules, from the contract and the product:

- Only an organiser publishes, once, from judging: a published (or archived) challenge answers
  409 ``already_published``, any other status 409 ``not_judging``; open safety flags block it
  (409 ``safety_flags_open``), since a flagged entry must be settled before the city sees it.
- Publishing freezes a snapshot (:class:`Publication`): the page, the downloads, the mails and
  the digest always come from it, so later edits to ideas or teams never change what was published.
- A public vote still open is closed at that moment; scores are refused from then on (the
  challenge leaves judging).
- Before publication only organisers see the results (a live preview); everyone else gets 404.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.challenges.models import Challenge
from app.challenges.services import locked_challenge, require_organiser
from app.core import audit, clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.judging.console import open_flags
from app.judging.models import Juror
from app.judging.ranking import challenge_ranking
from app.results import notifications, rules
from app.results.models import VISIBILITIES, Award, PeoplesChoice, Publication
from app.submissions.models import Idea
from app.teams.models import Team, TeamMember

# The entry key that holds each ranking method's score.
SCORE_KEYS = {"calibrated": "calibrated", "normalized": "normalized", "raw": "raw_mean"}


def publication_of(challenge_id: int) -> Publication | None:
    return db.session.get(Publication, challenge_id)


def _amount(value: Any) -> float | None:
    return None if value is None else float(value)


def award_rows(challenge_id: int) -> list[dict[str, Any]]:
    """The challenge's awards in the contract's shape, in their order (one query)."""
    rows = db.session.execute(
        select(Award.idea_id, Award.name, Award.amount, Idea.title, Team.name.label("team"))
        .join(Idea, Idea.id == Award.idea_id).join(Team, Team.id == Idea.team_id)
        .where(Award.challenge_id == challenge_id).order_by(Award.position, Award.id))
    return [{"idea_id": r.idea_id, "title": r.title, "team": r.team, "name": r.name, "amount": _amount(r.amount)}
            for r in rows]


def results_arrays(challenge: Challenge) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The results as they would be published now: ``(awards, ranking, full_ranking)``.

    ``ranking`` is the public array (``[]`` when the challenge shows only its awards);
    ``full_ranking`` holds every ranked entry whatever the visibility, with its review count.
    """
    ranking = challenge_ranking(challenge, details=False)
    key = SCORE_KEYS[ranking["method"]]
    teams = dict(db.session.execute(select(Idea.id, Team.name).join(Team, Team.id == Idea.team_id)
                                    .where(Idea.challenge_id == challenge.id)).all())
    full = [{"rank": e["rank"], "idea_id": e["idea_id"], "title": e["title"], "team": teams.get(e["idea_id"], ""),
             "score": e[key], "reviews": e["reviews"]} for e in ranking["entries"]]
    public = [{k: row[k] for k in ("rank", "idea_id", "title", "team", "score")} for row in full] \
        if challenge.results_visibility == "full" else []
    return award_rows(challenge.id), public, full


def publication_json(publication: Publication) -> dict[str, Any]:
    return {"challenge_id": publication.challenge_id, "published_at": publication.published_at.isoformat(),
            "method": publication.method, "visibility": publication.visibility, "awards": publication.awards,
            "ranking": publication.ranking, "digest": publication.digest}


def preview_json(challenge: Challenge) -> dict[str, Any]:
    awards, ranking, _full = results_arrays(challenge)
    return {"challenge_id": challenge.id, "published_at": None, "method": challenge.ranking_method,
            "visibility": challenge.results_visibility, "awards": awards, "ranking": ranking,
            "digest": rules.digest(awards, ranking)}


def results_for(challenge: Challenge, user: Any) -> dict[str, Any]:
    """The contract's results object: the published snapshot for anyone who can see the challenge;
    before publication a live preview for its organisers and 404 for everyone else."""
    publication = publication_of(challenge.id)
    if publication is not None:
        return publication_json(publication)
    if not challenge.is_organiser(user):
        raise NotFound()
    return preview_json(challenge)


def check_visibility(visibility: Any) -> None:
    if visibility is not None and visibility not in VISIBILITIES:
        raise ValidationFailed(fields={"visibility": _("Choose one of: %(values)s.", values=", ".join(VISIBILITIES))})


def set_results_visibility(challenge: Challenge, actor: Any, visibility: Any) -> Challenge:
    """Choose what the results will show (organisers, before publication: 409 already_published)."""
    require_organiser(challenge, actor)
    check_visibility(visibility)
    if visibility is None:
        raise ValidationFailed(fields={"visibility": _("This field is required.")})
    challenge = locked_challenge(challenge)
    if challenge.status in ("published", "archived"):
        raise Conflict(_("The results are already published: what they show can no longer change."),
                       code="already_published")
    if challenge.results_visibility != visibility:
        audit.record("results.visibility_changed", actor=actor, subject_type="challenge", subject_id=challenge.id,
                     challenge_id=challenge.id, before=challenge.results_visibility, after=visibility)
        challenge.results_visibility = visibility
    db.session.commit()
    return challenge


def publish_results(challenge: Challenge, actor: Any, visibility: str | None = None) -> Publication:
    """Publish the results: organisers only (403), from judging only (409 already_published /
    not_judging), with no safety flag open (409 safety_flags_open).

    Under the challenge's row lock, in one transaction: close an open public vote, freeze the
    snapshot, move the challenge to published, audit it, and queue every result mail, so a second
    publication at the same moment finds the first one done and neither the row nor the mails repeat.
    """
    require_organiser(challenge, actor)
    check_visibility(visibility)
    challenge = locked_challenge(challenge)
    if challenge.status in ("published", "archived") or publication_of(challenge.id) is not None:
        raise Conflict(_("The results of this challenge are already published."), code="already_published")
    if challenge.status != "judging":
        raise Conflict(_("Results can be published only while the challenge is in judging."), code="not_judging")
    if open_flags(challenge.id):
        raise Conflict(_("Some safety flags are still open. Settle them in the judging console before publishing."),
                       code="safety_flags_open")
    now = clock.now()
    if visibility is not None:
        challenge.results_visibility = visibility
    vote = db.session.get(PeoplesChoice, challenge.id)
    vote_closed = vote is not None and vote.status == "open"
    if vote_closed:
        vote.status, vote.closed_at = "closed", now
    awards, ranking, full = results_arrays(challenge)
    publication = Publication(challenge_id=challenge.id, published_at=now, published_by_id=actor.id,
                              method=challenge.ranking_method, visibility=challenge.results_visibility,
                              awards=awards, ranking=ranking, digest=rules.digest(awards, ranking),
                              full_ranking=full)
    db.session.add(publication)
    challenge.status, challenge.published_at = "published", now
    challenge.version += 1
    mails = notifications.queue_result_mails(challenge, publication)
    audit.record("results.published", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, visibility=publication.visibility, method=publication.method,
                 digest=publication.digest, awards=len(awards), ranked=len(full), mails=mails,
                 vote_closed=vote_closed)
    try:
        db.session.commit()
    except IntegrityError:
        # The snapshot's key is the challenge: a publication that slipped past the lock loses here.
        db.session.rollback()
        raise Conflict(_("The results of this challenge are already published."), code="already_published") from None
    return publication


def mail_counts(challenge: Challenge) -> dict[str, int]:
    """The mails publishing would send now: to team members, and to jurors."""
    members = db.session.scalar(
        select(func.count(TeamMember.id)).join(Idea, Idea.team_id == TeamMember.team_id)
        .where(Idea.challenge_id == challenge.id, Idea.status.in_(notifications.NOTIFIED_STATUSES)))
    jurors = db.session.scalar(select(func.count(Juror.id)).where(Juror.challenge_id == challenge.id))
    return {"members": members or 0, "jurors": jurors or 0}

"""The juror's work: their reviews, declared conflicts and safety flags (the queue: ``review_queue``).

Every function states the rule it enforces. Writes start with ``begin_write`` and lock the rows
they check on PostgreSQL (the assignment, then the review), so two saves of one review are one
after the other; a refused write changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.challenges.access import organised_challenge, valid_id
from app.challenges.models import Challenge, ChallengeOrganiser
from app.core import audit, clock
from app.core.db import begin_write
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.outbox import external_url, queue_mail_to_user
from app.extensions import db
from app.judging import access, scoring
from app.judging.models import Assignment, Conflict as ConflictOfInterest, CriterionScore, Review, SafetyFlag
# The queue is read in its own module; importing it here keeps every juror service at one address.
from app.judging.review_queue import QueueEntry, group_by_challenge, juror_queue, next_unscored  # noqa: F401
from app.submissions.models import Idea

LONG_TEXT_MAX = 20_000
FLAG_KINDS = ("patient_safety", "data_protection")


# --- reading one's own review -----------------------------------------------------------------

def scorable_idea(idea_id: int, user: Any) -> tuple[Idea, Challenge, Assignment]:
    """The idea, its challenge and the user's assignment: 404 unless assigned, not conflicted, and
    the idea is submitted (a draft or withdrawn idea is never judged)."""
    idea, challenge, assignment = access.reviewable_idea(idea_id, user)
    if idea.status != "submitted":
        raise NotFound()
    return idea, challenge, assignment


def own_review(idea_id: int, user: Any) -> tuple[Idea, Challenge, Review | None]:
    """The user's review of the idea in the current round (None when not yet scored); 404 as above."""
    idea, challenge, _assignment = scorable_idea(idea_id, user)
    review = db.session.scalar(select(Review).options(selectinload(Review.scores)).where(
        Review.idea_id == idea.id, Review.juror_user_id == user.id, Review.round == challenge.round))
    return idea, challenge, review


def score_map(review: Review | None) -> dict[int, int]:
    return {s.criterion_id: s.value for s in review.scores} if review is not None else {}


def review_total(challenge: Challenge, scores: Mapping[int, int]) -> float:
    """r = Σ wᶜ·sᶜ / Σ wᶜ over the challenge's criteria (the contract's raw score of a review)."""
    return scoring.review_raw(scores, [scoring.Criterion(c.id, c.weight, c.scale_min, c.scale_max)
                                       for c in challenge.criteria])


# --- saving a review --------------------------------------------------------------------------

@dataclass(frozen=True)
class SavedReview:
    """What a save answers: the review's raw total and new version (also readable as saved["total"])."""

    review_id: int
    total: float
    version: int
    created: bool

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


def clean_scores(challenge: Challenge, scores: Mapping[Any, Any]) -> dict[int, int]:
    """Every criterion of the challenge needs an integer within its scale, and nothing else is
    accepted; problems come back as 422 with one field ``scores.<criterion_id>`` each."""
    criteria = {c.id: c for c in challenge.criteria}
    given: dict[int, Any] = {}
    problems: dict[str, str] = {}
    for key, value in (scores or {}).items():
        # A key of thousands of digits would not even convert: no criterion has such an id.
        criterion_id = int(key) if isinstance(key, int) or (isinstance(key, str) and key.isdecimal()
                                                            and len(key) <= 10) else None
        if criterion_id not in criteria:
            problems[f"scores.{key}"] = _("This is not a criterion of this challenge.")
        else:
            given[criterion_id] = value
    clean: dict[int, int] = {}
    for criterion in challenge.criteria:
        value = given.get(criterion.id)
        if value is None:
            problems[f"scores.{criterion.id}"] = _("Choose a score for “%(name)s”.", name=criterion.name)
        elif isinstance(value, bool) or not isinstance(value, int) \
                or not criterion.scale_min <= value <= criterion.scale_max:
            problems[f"scores.{criterion.id}"] = _("“%(name)s” takes a whole number from %(min)s to %(max)s.",
                                                   name=criterion.name, min=criterion.scale_min,
                                                   max=criterion.scale_max)
        else:
            clean[criterion.id] = value
    if not criteria:
        problems["scores"] = _("This challenge has no criteria to score.")
    if problems:
        raise ValidationFailed(fields=problems)
    return clean


def _long_text(problems: dict[str, str], name: str, value: Any, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[name] = _("Must be text.")
        return ""
    if "\x00" in value:
        problems[name] = _("This value is not valid.")
    elif len(value) > LONG_TEXT_MAX:
        problems[name] = _("At most %(n)s characters.", n=LONG_TEXT_MAX)
    elif required and not value.strip():
        problems[name] = _("This field is required.")
    return value


def _version_conflict() -> Conflict:
    return Conflict(_("These scores were saved from another page or device while this one was open. Nothing "
                      "was overwritten: look at the saved version, then save again."), code="version_conflict")


def _require_judging(challenge: Challenge) -> None:
    if challenge.status != "judging":
        raise Conflict(_("Judging is not open for this challenge, so scores cannot be changed."),
                       code="not_judging")


def save_review(idea_id: int, actor: Any, scores: Mapping[Any, Any], comment: str | None = None,
                private_note: str | None = None, version: int | None = None) -> SavedReview:
    """Save the actor's scores of an idea: an assigned, non-conflicted juror (404 otherwise), while
    the challenge is in judging (409 not_judging), every criterion scored within its scale (422).

    The first save creates the review (version 1). ``version`` is the one the juror started from
    (0 or None before the first save): a stale one is refused (409 version_conflict) and nothing is
    overwritten; without it a save simply replaces the scores. A comment or note left out (None)
    stays as it was. Changed scores are written to the audit trail with their old and new values.
    """
    for attempt in range(2):
        try:
            return _save_once(idea_id, actor, scores, comment, private_note, version)
        except IntegrityError:
            # Two first saves at once (possible only when locks did not serialise them): the other
            # one created the review. Without a version this save becomes an update of it.
            db.session.rollback()
            if version is not None or attempt:
                raise _version_conflict() from None
    raise AssertionError("unreachable")  # pragma: no cover


def _save_once(idea_id: int, actor: Any, scores: Mapping[Any, Any], comment: str | None,
               private_note: str | None, version: int | None) -> SavedReview:
    begin_write(db.session)
    try:
        idea, challenge, assignment = scorable_idea(idea_id, actor)
        locked = db.session.scalar(select(Assignment).where(Assignment.id == assignment.id).with_for_update())
        if locked is None:
            raise NotFound()
        _require_judging(challenge)
        review = db.session.scalar(select(Review).where(
            Review.idea_id == idea.id, Review.juror_user_id == actor.id, Review.round == challenge.round)
            .with_for_update().execution_options(populate_existing=True))
        current = review.version if review is not None else 0
        if version is not None and version != current:
            raise _version_conflict()
        problems: dict[str, str] = {}
        try:
            clean = clean_scores(challenge, scores)
        except ValidationFailed as error:
            problems.update(error.fields)
        comment = _long_text(problems, "comment", comment) if comment is not None else None
        private_note = _long_text(problems, "private_note", private_note) if private_note is not None else None
        if problems:
            raise ValidationFailed(fields=problems)
        now = clock.now()
        created = review is None
        if review is None:
            review = Review(challenge_id=challenge.id, idea_id=idea.id, juror_user_id=actor.id,
                            round=challenge.round, comment=comment or "", private_note=private_note or "",
                            version=1, created_at=now, updated_at=now)
            review.scores = [CriterionScore(criterion_id=cid, value=value) for cid, value in clean.items()]
            db.session.add(review)
        else:
            old = score_map(review)
            for item in review.scores:
                item.value = clean.get(item.criterion_id, item.value)
            known = {item.criterion_id for item in review.scores}
            review.scores.extend(CriterionScore(criterion_id=cid, value=value)
                                 for cid, value in clean.items() if cid not in known)
            review.version += 1
            review.updated_at = now
            if comment is not None:
                review.comment = comment
            if private_note is not None:
                review.private_note = private_note
            if old != clean:
                audit.record("score.changed", actor=actor, subject_type="review", subject_id=review.id,
                             challenge_id=challenge.id, idea_id=idea.id, version=review.version,
                             old={str(k): v for k, v in sorted(old.items())},
                             new={str(k): v for k, v in sorted(clean.items())})
        db.session.flush()
        saved = SavedReview(review_id=review.id, total=review_total(challenge, clean), version=review.version,
                            created=created)
        db.session.commit()
        return saved
    except BaseException:
        db.session.rollback()
        raise


# --- conflicts declared by the juror ----------------------------------------------------------

def declare_conflict(idea_id: int, actor: Any, reason: str) -> ConflictOfInterest:
    """An assigned juror declares a conflict of interest with the idea's team (a reason is needed):
    their assignments and reviews of the idea go at once and the idea answers 404 to them from now
    on. Only while judging (409 not_judging), so a published ranking never changes."""
    begin_write(db.session)
    try:
        idea, challenge, assignment = scorable_idea(idea_id, actor)
        if db.session.scalar(select(Assignment).where(Assignment.id == assignment.id).with_for_update()) is None:
            raise NotFound()
        _require_judging(challenge)
        problems: dict[str, str] = {}
        reason = _long_text(problems, "reason", reason, required=True).strip()
        if problems:
            raise ValidationFailed(fields=problems)
        discarded = db.session.scalar(select(Review).options(selectinload(Review.scores)).where(
            Review.idea_id == idea.id, Review.juror_user_id == actor.id, Review.round == challenge.round))
        now = clock.now()
        conflict = ConflictOfInterest(challenge_id=challenge.id, juror_user_id=actor.id, team_id=idea.team_id,
                                      source="declared", reason=reason, created_at=now, created_by_id=actor.id)
        db.session.add(conflict)
        db.session.execute(delete(Review).where(Review.idea_id == idea.id, Review.juror_user_id == actor.id))
        db.session.execute(delete(Assignment).where(Assignment.idea_id == idea.id,
                                                    Assignment.juror_user_id == actor.id))
        audit.record("conflict.declared", actor=actor, subject_type="idea", subject_id=idea.id,
                     challenge_id=challenge.id, team_id=idea.team_id, reason=reason,
                     discarded_scores={str(k): v for k, v in sorted(score_map(discarded).items())} or None)
        db.session.commit()
        return conflict
    except IntegrityError:
        # The same pair recorded by an organiser at this very moment: the idea is hidden either way.
        db.session.rollback()
        raise NotFound() from None
    except BaseException:
        db.session.rollback()
        raise


# --- safety flags -----------------------------------------------------------------------------

def raise_safety_flag(idea_id: int, actor: Any, kind: str, reason: str) -> SafetyFlag:
    """Any juror assigned to the idea (and not conflicted) raises a patient-safety or data-protection
    concern with a reason; it stays open until an organiser clears it, and blocks publication.

    Every organiser of the challenge is told by e-mail, in their language, in the same transaction:
    the entry's title and the kind of concern, with a link to the judging console. The reason
    stays on the console, out of mail that leaves the site."""
    begin_write(db.session)
    try:
        idea, challenge, _assignment = scorable_idea(idea_id, actor)
        problems: dict[str, str] = {}
        if kind not in FLAG_KINDS:
            problems["kind"] = _("Choose patient safety or data protection.")
        reason = _long_text(problems, "reason", reason, required=True).strip()
        if problems:
            raise ValidationFailed(fields=problems)
        flag = SafetyFlag(challenge_id=challenge.id, idea_id=idea.id, raised_by_id=actor.id, kind=kind,
                          reason=reason, created_at=clock.now(), cleared=False, clearing_note="")
        db.session.add(flag)
        db.session.flush()
        audit.record("safety_flag.raised", actor=actor, subject_type="safety_flag", subject_id=flag.id,
                     challenge_id=challenge.id, idea_id=idea.id, kind=kind)
        _tell_organisers(challenge, idea, actor, kind)
        db.session.commit()
        return flag
    except BaseException:
        db.session.rollback()
        raise


def _tell_organisers(challenge: Challenge, idea: Idea, actor: Any, kind: str) -> None:
    organisers = db.session.scalars(select(User).join(ChallengeOrganiser, ChallengeOrganiser.user_id == User.id)
                                    .where(ChallengeOrganiser.challenge_id == challenge.id, User.erased_at.is_(None),
                                           User.id != actor.id).order_by(User.id)).all()
    console_url = external_url("judging.console", challenge_id=challenge.id) + "#flags"
    for organiser in organisers:
        queue_mail_to_user(organiser, "safety_flag", challenge_title=challenge.title, idea_title=idea.title,
                           kind=kind, console_url=console_url)


def my_open_flags(idea_id: int, user: Any) -> list[SafetyFlag]:
    return list(db.session.scalars(select(SafetyFlag).where(
        SafetyFlag.idea_id == idea_id, SafetyFlag.raised_by_id == user.id, SafetyFlag.cleared.is_(False))
        .order_by(SafetyFlag.id)))


@dataclass(frozen=True)
class OpenFlag:
    id: int
    idea_id: int
    idea_title: str
    kind: str
    reason: str
    raised_by: str | None
    raised_at: Any


def open_flags(challenge_id: int) -> list[OpenFlag]:
    """The challenge's flags not yet cleared, oldest first, for the organisers (one query)."""
    rows = db.session.execute(
        select(SafetyFlag.id, SafetyFlag.idea_id, Idea.title, SafetyFlag.kind, SafetyFlag.reason, User.name,
               SafetyFlag.created_at)
        .join(Idea, Idea.id == SafetyFlag.idea_id).outerjoin(User, User.id == SafetyFlag.raised_by_id)
        .where(SafetyFlag.challenge_id == challenge_id, SafetyFlag.cleared.is_(False))
        .order_by(SafetyFlag.created_at, SafetyFlag.id))
    return [OpenFlag(*row) for row in rows]


def clear_flag(flag_id: int, actor: Any, note: str) -> SafetyFlag:
    """An organiser of the flag's challenge clears it with a note saying what was done (404 for an
    unknown flag or a hidden challenge, 403 for anyone else). Clearing twice changes nothing."""
    begin_write(db.session)
    try:
        flag = db.session.scalar(select(SafetyFlag).where(SafetyFlag.id == flag_id).with_for_update()
                                 .execution_options(populate_existing=True)) if valid_id(flag_id) else None
        if flag is None:
            raise NotFound()
        challenge = organised_challenge(flag.challenge_id, actor)
        if flag.cleared:
            db.session.commit()
            return flag
        problems: dict[str, str] = {}
        note = _long_text(problems, "note", note, required=True).strip()
        if problems:
            raise ValidationFailed(fields=problems)
        flag.cleared, flag.cleared_by_id, flag.cleared_at, flag.clearing_note = True, actor.id, clock.now(), note
        audit.record("safety_flag.cleared", actor=actor, subject_type="safety_flag", subject_id=flag.id,
                     challenge_id=challenge.id, idea_id=flag.idea_id, note=note)
        db.session.commit()
        return flag
    except BaseException:
        db.session.rollback()
        raise

"""The jury set-up: jurors and invitations, conflicts recorded by organisers, assignments, reminders.

Every write here is for the organisers of the challenge (administrators organise all) and takes
the challenge's row lock first, so two organisers clicking at once are served one after the
other. Jurors are named by their user id, as in the API. The read side is in ``jury_queries``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, exists, insert, select

from app.accounts.models import User
from app.accounts.rules import email_key, email_problem
from app.accounts.signals import user_registered
from app.challenges.access import valid_id
from app.challenges.models import Challenge
from app.challenges.services import locked_challenge, require_organiser
from app.challenges.validation import SHORT_TEXT_MAX, storable_text_problem
from app.core import audit, clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.outbox import external_url, queue_mail, queue_mail_to_user
from app.extensions import db
from app.judging import access
from app.judging.assignment import IdeaSlot, JurorSlot, plan_assignments
from app.judging.jury_queries import pending_by_juror
from app.judging.models import Assignment, Juror, JurorInvitation, Review
from app.judging.models import Conflict as ConflictOfInterest
from app.submissions.models import Idea
from app.teams.models import Team

EMAIL_MAX = 320
CLOSED_STATUSES = ("published", "archived")


@dataclass(frozen=True)
class JurorAdded:
    """What ``add_juror`` did: ``user_id`` of the juror, or None when an invitation was mailed."""

    user_id: int | None
    email: str

    @property
    def invited(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True)
class AssignmentRun:
    """``created``: new assignments; ``per_juror``: each juror's load in the round, old and new."""

    created: int
    per_juror: dict[int, int]
    understaffed: list[int]


def _require_judging(challenge: Challenge) -> None:
    if challenge.status != "judging":
        raise Conflict(_("Entries can be assigned and scored only while the challenge is in judging."),
                       code="not_judging")


def _clean_tracks(challenge: Challenge, track_ids: Iterable[Any] | None) -> list[int] | None:
    """None (or no track): every track; otherwise this challenge's tracks, sorted (422 on track_ids)."""
    chosen = list(track_ids or [])
    if not chosen:
        return None
    known = {track.id for track in challenge.tracks}
    if any(isinstance(t, bool) or not isinstance(t, int) or t not in known for t in chosen):
        raise ValidationFailed(fields={"track_ids": _("Choose among the tracks of this challenge.")})
    return sorted(set(chosen))


def _juror(challenge_id: int, user_id: Any) -> Juror | None:
    if not valid_id(user_id):
        return None
    return db.session.scalar(select(Juror).where(Juror.challenge_id == challenge_id, Juror.user_id == user_id))


def add_juror(challenge: Challenge, actor: Any, email: str, track_ids: Iterable[Any] | None = None) -> JurorAdded:
    """Put a person on the jury, optionally for some tracks only (organisers).

    A registered address becomes a juror at once and is told by mail. Any other address gets an
    invitation in the organiser's language with a link to register, and its holder becomes a juror
    on registering. Adding someone again only changes their tracks (an invitation is mailed again).
    Tracks must be this challenge's (422 on ``track_ids``); none means every track.
    """
    require_organiser(challenge, actor)
    address = (email or "").strip() if isinstance(email, str) else email
    if storable_text_problem(address, EMAIL_MAX, required=True) or email_problem(address):
        raise ValidationFailed(fields={"email": _("Enter a valid e-mail address, like name@example.org.")})
    challenge = locked_challenge(challenge)
    tracks = _clean_tracks(challenge, track_ids)
    key = email_key(address)
    track_names = [t.name for t in challenge.tracks if tracks is None or t.id in tracks]
    user = db.session.scalar(select(User).where(User.email_key == key, User.erased_at.is_(None)))
    if user is None:
        _invite(challenge, actor, address, key, tracks, track_names)
        db.session.commit()
        return JurorAdded(None, address)
    juror = _juror(challenge.id, user.id)
    if juror is None:
        db.session.add(Juror(challenge_id=challenge.id, user_id=user.id, track_ids=tracks, added_at=clock.now(),
                             added_by_id=actor.id))
        audit.record("juror.added", actor=actor, subject_type="challenge", subject_id=challenge.id,
                     challenge_id=challenge.id, user_id=user.id, track_ids=tracks)
        queue_mail_to_user(user, "juror_added", challenge_title=challenge.title, added_by=actor.name,
                           tracks=track_names if tracks is not None else [], queue_url=external_url("judging.queue"))
    elif (juror.track_ids or None) != tracks:
        juror.track_ids = tracks
        audit.record("juror.tracks_changed", actor=actor, subject_type="challenge", subject_id=challenge.id,
                     challenge_id=challenge.id, user_id=user.id, track_ids=tracks)
    db.session.commit()
    return JurorAdded(user.id, user.email)


def _invite(challenge: Challenge, actor: Any, address: str, key: str, tracks: list[int] | None,
            track_names: list[str]) -> None:
    invitation = db.session.scalar(select(JurorInvitation).where(JurorInvitation.challenge_id == challenge.id,
                                                                 JurorInvitation.email_key == key))
    if invitation is None:
        invitation = JurorInvitation(challenge_id=challenge.id, email_key=key)
        db.session.add(invitation)
    invitation.track_ids, invitation.invited_at, invitation.invited_by_id = tracks, clock.now(), actor.id
    db.session.flush()
    # The address itself stays out of the audit trail: it belongs to someone without an account.
    audit.record("juror.invited", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, invitation_id=invitation.id, track_ids=tracks)
    queue_mail(address, "juror_invitation", locale=actor.locale, user=None, challenge_title=challenge.title,
               inviter_name=actor.name, address=address, tracks=track_names if tracks is not None else [],
               register_url=external_url("accounts.register"))


@user_registered.connect
def _invitations_take_effect(_sender: Any, user: Any = None, **_extra: Any) -> None:
    """An invited address that registers joins those juries now, in the registering transaction."""
    if user is None:
        return
    invitations = db.session.scalars(select(JurorInvitation).where(JurorInvitation.email_key == user.email_key))
    for invitation in invitations.all():
        db.session.add(Juror(challenge_id=invitation.challenge_id, user_id=user.id, track_ids=invitation.track_ids,
                             added_at=clock.now(), added_by_id=invitation.invited_by_id))
        audit.record("juror.invitation_accepted", actor=user, subject_type="challenge",
                     subject_id=invitation.challenge_id, challenge_id=invitation.challenge_id, user_id=user.id)
        db.session.delete(invitation)


def cancel_invitation(challenge: Challenge, actor: Any, invitation_id: int) -> None:
    """Withdraw a pending invitation (organisers); one of another challenge answers 404."""
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    invitation = db.session.get(JurorInvitation, invitation_id) if valid_id(invitation_id) else None
    if invitation is None or invitation.challenge_id != challenge.id:
        raise NotFound()
    db.session.delete(invitation)
    audit.record("juror.invitation_cancelled", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, invitation_id=invitation_id)
    db.session.commit()


def remove_juror(challenge: Challenge, actor: Any, juror_id: int) -> None:
    """Take a juror off the jury with their assignments (organisers).

    A juror who has scored an entry stays (409 juror_has_reviews): their scores are part of the
    ranking. Someone who is not on this jury answers 404.
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    juror = _juror(challenge.id, juror_id)
    if juror is None:
        raise NotFound()
    if db.session.scalar(select(exists().where(Review.challenge_id == challenge.id,
                                               Review.juror_user_id == juror.user_id))):
        raise Conflict(_("This juror has already scored entries, so they stay on the jury."),
                       code="juror_has_reviews")
    removed = db.session.execute(delete(Assignment).where(Assignment.challenge_id == challenge.id,
                                                          Assignment.juror_user_id == juror.user_id)).rowcount
    db.session.delete(juror)
    audit.record("juror.removed", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, user_id=juror.user_id, assignments_removed=removed)
    db.session.commit()


def _drop_pairs(challenge_id: int, pairs: Iterable[tuple[int, int]], round_: int | None = None) -> tuple[int, int]:
    """Delete the assignments and reviews of these (juror, idea) pairs; their criterion scores go
    with the reviews (the foreign key cascades). Returns (assignments, reviews) removed."""
    assignments = reviews = 0
    for juror_id, idea_id in pairs:
        rounds = [] if round_ is None else [Review.round == round_]
        reviews += db.session.execute(delete(Review).where(
            Review.challenge_id == challenge_id, Review.idea_id == idea_id, Review.juror_user_id == juror_id,
            *rounds)).rowcount
        rounds = [] if round_ is None else [Assignment.round == round_]
        assignments += db.session.execute(delete(Assignment).where(
            Assignment.challenge_id == challenge_id, Assignment.idea_id == idea_id,
            Assignment.juror_user_id == juror_id, *rounds)).rowcount
    return assignments, reviews


def record_conflict(challenge: Challenge, actor: Any, juror_id: Any, team_id: Any, reason: Any) -> ConflictOfInterest:
    """Record that a juror may not judge a team (organisers), with the reason.

    Both must belong to this challenge (422 on ``juror_id`` / ``team_id``); a reason is required.
    The juror's assignments on the team's idea go at once, with any review they wrote: a conflicted
    juror's scores never count. A pair already recorded is answered as it is. Published results
    no longer change (409 already_published).
    """
    require_organiser(challenge, actor)
    if problem := storable_text_problem(reason, SHORT_TEXT_MAX, required=True):
        raise ValidationFailed(fields={"reason": problem})
    challenge = locked_challenge(challenge)
    if challenge.status in CLOSED_STATUSES:
        raise Conflict(_("The results are published: the jury can no longer change."), code="already_published")
    fields = {}
    juror = _juror(challenge.id, juror_id)
    if juror is None:
        fields["juror_id"] = _("Choose a juror of this challenge.")
    team = db.session.get(Team, team_id) if valid_id(team_id) else None
    if team is None or team.challenge_id != challenge.id:
        fields["team_id"] = _("Choose a team of this challenge.")
    if fields:
        raise ValidationFailed(fields=fields)
    existing = db.session.scalar(select(ConflictOfInterest).where(ConflictOfInterest.juror_user_id == juror.user_id,
                                                                  ConflictOfInterest.team_id == team.id))
    if existing is not None:
        db.session.commit()
        return existing
    conflict = ConflictOfInterest(challenge_id=challenge.id, juror_user_id=juror.user_id, team_id=team.id,
                                  source="organiser", reason=reason.strip(), created_at=clock.now(),
                                  created_by_id=actor.id)
    db.session.add(conflict)
    idea_ids = db.session.scalars(select(Idea.id).where(Idea.team_id == team.id)).all()
    assignments, reviews = _drop_pairs(challenge.id, [(juror.user_id, idea_id) for idea_id in idea_ids])
    db.session.flush()
    audit.record("conflict.recorded", actor=actor, subject_type="conflict", subject_id=conflict.id,
                 challenge_id=challenge.id, juror_id=juror.user_id, team_id=team.id,
                 assignments_removed=assignments, reviews_removed=reviews)
    db.session.commit()
    return conflict


def auto_assign(challenge: Challenge, actor: Any) -> AssignmentRun:
    """Give every submitted idea ``reviews_per_entry`` jurors (organisers, during judging: 409 not_judging).

    The plan follows ``assignment.plan_assignments``: no conflict, juror tracks respected, loads
    balanced, existing assignments and scores kept. An existing assignment that has become a
    conflict since (an organisation changed) goes first, with its review. Running it again adds
    nothing; the challenge's row lock and the unique pair make a double click harmless.
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    _require_judging(challenge)
    round_ = challenge.round
    ideas = [IdeaSlot(idea_id, track_id) for idea_id, track_id in db.session.execute(
        select(Idea.id, Idea.track_id).where(Idea.challenge_id == challenge.id, Idea.status == "submitted"))]
    jurors = [JurorSlot(user_id, frozenset(tracks) if tracks else None) for user_id, tracks in db.session.execute(
        select(Juror.user_id, Juror.track_ids).where(Juror.challenge_id == challenge.id))]
    conflicts = access.conflict_pairs(challenge.id)
    existing = set(map(tuple, db.session.execute(select(Assignment.juror_user_id, Assignment.idea_id).where(
        Assignment.challenge_id == challenge.id, Assignment.round == round_))))
    stale = existing & conflicts
    removed = _drop_pairs(challenge.id, sorted(stale), round_) if stale else (0, 0)
    plan = plan_assignments(ideas, jurors, conflicts, existing - stale, challenge.reviews_per_entry)
    if plan.new:
        now = clock.now()
        db.session.execute(insert(Assignment), [
            {"challenge_id": challenge.id, "idea_id": idea_id, "juror_user_id": juror_id, "round": round_,
             "created_at": now, "created_by_id": actor.id} for juror_id, idea_id in plan.new])
    audit.record("assignments.generated", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, round=round_, created=len(plan.new), understaffed=plan.understaffed,
                 conflicted_removed=removed[0], reviews_removed=removed[1])
    db.session.commit()
    return AssignmentRun(len(plan.new), plan.per_juror, plan.understaffed)


def _pair(challenge: Challenge, idea_id: Any, juror_id: Any) -> tuple[Idea, Juror]:
    """A submitted idea and a juror of this challenge (422 on the field that is not)."""
    fields = {}
    idea = db.session.get(Idea, idea_id) if valid_id(idea_id) else None
    if idea is None or idea.challenge_id != challenge.id or idea.status != "submitted":
        fields["idea_id"] = _("Choose a submitted entry of this challenge.")
    juror = _juror(challenge.id, juror_id)
    if juror is None:
        fields["juror_id"] = _("Choose a juror of this challenge.")
    if fields:
        raise ValidationFailed(fields=fields)
    return idea, juror


def add_assignment(challenge: Challenge, actor: Any, idea_id: Any, juror_id: Any) -> bool:
    """Give one entry to one juror by hand (organisers, during judging: 409 not_judging).

    The entry must be submitted and the juror on this jury (422); a conflicted pair is refused
    (409 conflicted). Tracks do not bind organisers, who may ask a juror outside theirs on purpose.
    Assigning a pair twice changes nothing. Returns whether a new assignment was made.
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    _require_judging(challenge)
    idea, juror = _pair(challenge, idea_id, juror_id)
    if idea.team_id in access.conflicted_team_ids(challenge.id, juror.user_id):
        raise Conflict(_("This juror has a conflict of interest with this entry's team."), code="conflicted")
    if db.session.scalar(select(Assignment.id).where(Assignment.idea_id == idea.id, Assignment.round == challenge.round,
                                                     Assignment.juror_user_id == juror.user_id)) is not None:
        db.session.commit()
        return False
    db.session.add(Assignment(challenge_id=challenge.id, idea_id=idea.id, juror_user_id=juror.user_id,
                              round=challenge.round, created_at=clock.now(), created_by_id=actor.id))
    audit.record("assignment.added", actor=actor, subject_type="idea", subject_id=idea.id,
                 challenge_id=challenge.id, juror_id=juror.user_id, round=challenge.round)
    db.session.commit()
    return True


def remove_assignment(challenge: Challenge, actor: Any, idea_id: Any, juror_id: Any) -> None:
    """Take one entry from a juror by hand (organisers, during judging: 409 not_judging).

    An entry the juror has scored stays (409 already_scored): scores are removed only with a
    conflict of interest. A pair that is not assigned in the current round answers 404.
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    _require_judging(challenge)
    found = None
    if valid_id(idea_id) and valid_id(juror_id):
        found = db.session.scalar(select(Assignment).where(
            Assignment.challenge_id == challenge.id, Assignment.idea_id == idea_id,
            Assignment.juror_user_id == juror_id, Assignment.round == challenge.round))
    if found is None:
        raise NotFound()
    if db.session.scalar(select(exists().where(Review.idea_id == found.idea_id, Review.round == found.round,
                                               Review.juror_user_id == found.juror_user_id))):
        raise Conflict(_("This juror has already scored this entry, so the assignment stays."),
                       code="already_scored")
    db.session.delete(found)
    audit.record("assignment.removed", actor=actor, subject_type="idea", subject_id=found.idea_id,
                 challenge_id=challenge.id, juror_id=found.juror_user_id, round=found.round)
    db.session.commit()


def send_reminders(challenge: Challenge, actor: Any) -> int:
    """Mail each juror with entries left to score in this round how many, with a link to their queue
    (organisers, during judging: 409 not_judging). Returns how many mails were queued."""
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    _require_judging(challenge)
    waiting = pending_by_juror(challenge)
    queue_url = external_url("judging.queue")
    for user, pending in waiting:
        queue_mail_to_user(user, "juror_reminder", challenge_title=challenge.title, pending=pending,
                           queue_url=queue_url)
    audit.record("jurors.reminded", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, jurors=[user.id for user, _n in waiting])
    db.session.commit()
    return len(waiting)


def juror_roles(user: Any) -> set[str]:
    """The "juror" role for the navigation when the user is on any jury (one query)."""
    on_a_jury = db.session.scalar(select(exists().where(Juror.user_id == user.id)))
    return {"juror"} if on_a_jury else set()

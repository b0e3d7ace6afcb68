"""Every write about a challenge's set-up and phases. Each function states the rule it enforces."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import gettext as _
from sqlalchemy import exists, select

from app.accounts.models import User
from app.challenges import rules, validation
from app.challenges.health_template import health_criteria
from app.challenges.models import Challenge, ChallengeOrganiser, Criterion, Track
from app.core import audit, clock
from app.core.db import begin_write
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.outbox import external_url, queue_mail_to_user
from app.extensions import db
from app.teams.models import Team

# API field → model attribute, for the scalar part of a challenge.
COLUMNS = {"title": "title", "description": "description", "rules": "rules_text", "audience": "audience",
           "prizes": "prizes", "kind": "kind", "team_min_size": "team_min_size",
           "team_max_size": "team_max_size", "opens_at": "opens_at", "submission_deadline": "submission_deadline",
           "reviews_per_entry": "reviews_per_entry", "blind_review": "blind_review",
           "ranking_method": "ranking_method", "budget_total": "budget_total", "programme_id": "programme_id"}
FROZEN_CRITERIA_STATUSES = ("judging", "published", "archived")


def require_organiser(challenge: Challenge, actor: Any) -> None:
    """Refuse (403) anyone who does not organise the challenge; administrators organise all."""
    if not challenge.is_organiser(actor):
        raise Forbidden(_("Only the organisers of this challenge can do this."))


def locked_challenge(challenge: Challenge) -> Challenge:
    """Start the write transaction and re-read the challenge under a row lock."""
    challenge_id = challenge.id
    begin_write(db.session)
    return db.session.scalars(select(Challenge).where(Challenge.id == challenge_id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def _current_values(challenge: Challenge) -> dict[str, Any]:
    return {name: getattr(challenge, column) for name, column in COLUMNS.items()}


def _write(challenge: Challenge, data: Mapping[str, Any]) -> list[str]:
    """Check every set-up value in ``data``, then apply them all; return the names of what changed.

    Nothing is applied unless everything is valid, so a refused change leaves the row untouched.
    """
    problems: dict[str, str] = {}

    def checked(check: Any, *args: Any) -> Any:
        try:
            return check(*args)
        except ValidationFailed as error:
            problems.update(error.fields)
            return None

    clean = checked(validation.clean_fields, data, _current_values(challenge))
    tracks = checked(validation.clean_tracks, data["tracks"], {t.id for t in challenge.tracks}) \
        if "tracks" in data else None
    criteria = checked(validation.clean_criteria, data["criteria"], {c.id for c in challenge.criteria}) \
        if "criteria" in data else None
    if problems:
        raise ValidationFailed(fields=problems)
    changed = [name for name, value in clean.items() if getattr(challenge, COLUMNS[name]) != value]
    for name, value in clean.items():
        setattr(challenge, COLUMNS[name], value)
    if tracks is not None:
        _replace_tracks(challenge, tracks)
        changed.append("tracks")
    if criteria is not None:
        _replace_criteria(challenge, criteria)
        changed.append("criteria")
    return changed


def _replace_tracks(challenge: Challenge, items: list[dict[str, Any]]) -> None:
    """The list becomes the challenge's tracks; a track kept by id (or by name) keeps its ideas."""
    by_id = {t.id: t for t in challenge.tracks if t.id is not None}
    by_name = {" ".join(t.name.split()).casefold(): t for t in challenge.tracks}
    tracks = []
    for position, item in enumerate(items):
        track = by_id.get(item["id"]) or (by_name.get(" ".join(item["name"].split()).casefold())
                                          if item["id"] is None else None)
        if track is None or track in tracks:
            track = Track(name=item["name"])
        track.name, track.description, track.position = item["name"], item["description"], position
        tracks.append(track)
    challenge.tracks = tracks


def _replace_criteria(challenge: Challenge, items: list[dict[str, Any]]) -> None:
    """The list becomes the challenge's criteria; rows sent with their id are updated in place."""
    by_id = {c.id: c for c in challenge.criteria if c.id is not None}
    criteria = []
    for position, item in enumerate(items):
        criterion = by_id.pop(item["id"], None) if item["id"] is not None else None
        criterion = criterion or Criterion()
        for name in ("name", "description", "weight", "scale_min", "scale_max", "anchors"):
            setattr(criterion, name, item[name])
        criterion.position = position
        criteria.append(criterion)
    challenge.criteria = criteria


def create_challenge(actor: Any, data: Mapping[str, Any]) -> Challenge:
    """Create a draft challenge. Only administrators create challenges; the creator organises it."""
    if not getattr(actor, "is_admin", False):
        raise Forbidden(_("Only administrators can create challenges."))
    if "title" not in data:
        raise ValidationFailed(fields={"title": _("This field is required.")})
    now = clock.now()
    challenge = Challenge(status="draft", created_by_id=actor.id, created_at=now, kind="hackathon",
                          team_min_size=1, team_max_size=5, reviews_per_entry=3, ranking_method="calibrated",
                          blind_review=False, version=1, round=1)
    challenge.tracks, challenge.criteria = [], []
    _write(challenge, data)
    db.session.add(challenge)
    db.session.flush()
    db.session.add(ChallengeOrganiser(challenge_id=challenge.id, user_id=actor.id, added_at=now,
                                      added_by_id=actor.id))
    audit.record("challenge.created", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, title=challenge.title)
    db.session.commit()
    return challenge


def update_challenge(challenge: Challenge, actor: Any, data: Mapping[str, Any],
                     version: int | None = None) -> Challenge:
    """Change any part of the set-up (organisers only).

    Tracks and criteria are replaced as whole lists. Criteria are frozen once judging starts
    (409 criteria_frozen): scores already given refer to them. A stale ``version`` changes
    nothing (409 version_conflict).
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    if version is not None and version != challenge.version:
        raise Conflict(_("Someone else changed this challenge meanwhile. Reload it and try again."),
                       code="version_conflict")
    if "criteria" in data and challenge.status in FROZEN_CRITERIA_STATUSES:
        raise Conflict(_("The criteria cannot change once judging has started."), code="criteria_frozen")
    changed = _write(challenge, data)
    if changed:
        challenge.version += 1
        audit.record("challenge.updated", actor=actor, subject_type="challenge", subject_id=challenge.id,
                     challenge_id=challenge.id, fields=sorted(changed))
    db.session.commit()
    return challenge


def apply_health_template(challenge: Challenge, actor: Any) -> Challenge:
    """Replace the criteria with the MAST-based health template, in the actor's language.

    Only before judging: afterwards the criteria are frozen (409 criteria_frozen).
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    if challenge.status in FROZEN_CRITERIA_STATUSES:
        raise Conflict(_("The criteria cannot change once judging has started."), code="criteria_frozen")
    _replace_criteria(challenge, [{"id": None, **item} for item in health_criteria(actor.locale)])
    challenge.version += 1
    audit.record("challenge.criteria_template_applied", actor=actor, subject_type="challenge",
                 subject_id=challenge.id, challenge_id=challenge.id, template="health_mast")
    db.session.commit()
    return challenge


def add_organiser(challenge: Challenge, actor: Any, email: str) -> User:
    """Make the holder of a registered address an organiser (organisers only).

    An address without an active account is refused (422 on ``email``); adding someone who
    already organises changes nothing. The new organiser is told by mail.
    """
    require_organiser(challenge, actor)
    key = (email or "").strip().lower()
    if validation.storable_text_problem(key, 320, required=True):
        raise ValidationFailed(fields={"email": _("Enter the e-mail address of a registered person.")})
    challenge = locked_challenge(challenge)
    user = db.session.scalar(select(User).where(User.email_key == key, User.erased_at.is_(None)))
    if user is None:
        raise ValidationFailed(fields={"email": _("No account uses this address. Ask them to register first.")})
    already = db.session.get(ChallengeOrganiser, (challenge.id, user.id))
    if already is None:
        db.session.add(ChallengeOrganiser(challenge_id=challenge.id, user_id=user.id, added_at=clock.now(),
                                          added_by_id=actor.id))
        audit.record("challenge.organiser_added", actor=actor, subject_type="challenge", subject_id=challenge.id,
                     challenge_id=challenge.id, user_id=user.id)
        queue_mail_to_user(user, "organiser_added", challenge_title=challenge.title, added_by=actor.name,
                           setup_url=external_url("challenges.setup", challenge_id=challenge.id))
    db.session.commit()
    return user


def opening_messages(challenge: Challenge) -> dict[str, str]:
    """What a draft still needs before it can open, as field → sentence (empty when ready)."""
    problems = rules.opening_problems(
        title=challenge.title or "", description=challenge.description or "", opens_at=challenge.opens_at,
        deadline=challenge.submission_deadline, team_min=challenge.team_min_size,
        team_max=challenge.team_max_size, reviews_per_entry=challenge.reviews_per_entry,
        criteria=[rules.CriterionSpec(c.name, c.weight, c.scale_min, c.scale_max) for c in challenge.criteria],
        now=clock.now())
    sentences = {
        ("title", "missing"): _("Give the challenge a title"),
        ("description", "missing"): _("Describe the challenge"),
        ("submission_deadline", "missing"): _("Set the submission deadline"),
        ("submission_deadline", "in_past"): _("The submission deadline is in the past"),
        ("submission_deadline", "before_opening"): _("The submission deadline must be after the opening time"),
        ("team_max_size", "sizes"): _("The largest team size must be at least the smallest"),
        ("reviews_per_entry", "too_small"): _("Each entry needs at least one review"),
        ("criteria", "missing"): _("Add at least one scoring criterion"),
        ("criteria", "invalid"): _("Every criterion needs a weight above 0 and a scale whose top is above its bottom"),
    }
    return {field: sentences.get((field, code), _("Check this part of the set-up"))
            for field, code in problems.items()}


def open_challenge(challenge: Challenge, actor: Any) -> Challenge:
    """Open a draft to participants (organisers only).

    Only a draft opens (409 not_draft); an incomplete set-up is refused with what is missing
    (422, one sentence per field).
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    if challenge.status != "draft":
        raise Conflict(_("Only a draft can be opened; this challenge is already open or further on."),
                       code="not_draft")
    if problems := opening_messages(challenge):
        raise ValidationFailed(_("The challenge cannot open yet: some of its set-up is missing."), fields=problems)
    challenge.status = "open"
    challenge.opened_at = clock.now()
    challenge.version += 1
    audit.record("challenge.opened", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id)
    db.session.commit()
    return challenge


def start_judging(challenge: Challenge, actor: Any) -> Challenge:
    """Move an open challenge to judging (organisers only).

    Only an open challenge (409 not_open), and only once the submission deadline has passed
    and no team's personal deadline is still running (409 deadline_not_passed): a team with an
    exception may still be writing.
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    now = clock.now()
    if challenge.status != "open":
        raise Conflict(_("Only an open challenge can move to judging."), code="not_open")
    if challenge.submission_deadline is None or now < challenge.submission_deadline:
        raise Conflict(_("Judging can start only after the submission deadline."), code="deadline_not_passed")
    running = db.session.scalar(select(exists().where(Team.challenge_id == challenge.id,
                                                      Team.deadline_exception > now)))
    if running:
        raise Conflict(_("A team still has a personal deadline that has not passed. Wait for it, or revoke "
                         "the exception."), code="deadline_not_passed")
    challenge.status = "judging"
    challenge.judging_started_at = now
    challenge.version += 1
    audit.record("challenge.judging_started", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id)
    db.session.commit()
    return challenge


def organiser_roles(user: Any) -> set[str]:
    """The "organiser" role for the navigation when the user organises any challenge (one query)."""
    organises = db.session.scalar(select(exists().where(ChallengeOrganiser.user_id == user.id)))
    return {"organiser"} if organises else set()

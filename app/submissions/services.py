"""Every write about ideas. Each function states the rule it enforces and commits once.

Writes take the write lock first (``begin_write``; on PostgreSQL the team and idea rows are locked
too, always in that order), then check the deadline, the state and the version, then write. A
refused write changes nothing: the draft the team had stays exactly as it was.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.challenges.access import assert_submissions_open, team_deadline
from app.challenges.models import Challenge
from app.core import audit
from app.core.db import begin_write
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.outbox import external_url, queue_mail_to_user
from app.extensions import db
from app.submissions import rules, uploads
from app.submissions.access import can_view_idea, challenge_of, not_found
from app.submissions.models import Attachment, Idea, IdeaRevision
from app.submissions.validation import clean_idea_data
from app.teams.models import Team

MAX_ATTACHMENTS = 10


@contextmanager
def _writing() -> Iterator[None]:
    """One write transaction; rolled back whole when anything refuses or fails."""
    begin_write(db.session)
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise


def _lock_team(team_id: int) -> Team:
    team = db.session.scalar(select(Team).where(Team.id == team_id).with_for_update()
                             .execution_options(populate_existing=True))
    if team is None:
        raise NotFound()
    return team


def _lock_idea_of_team(team_id: int) -> Idea | None:
    return db.session.scalar(select(Idea).where(Idea.team_id == team_id).with_for_update()
                             .execution_options(populate_existing=True))


def _require_member(team: Team, actor: Any, idea: Idea | None = None) -> None:
    if team.is_member(actor):
        return
    seen = challenge_of(team).is_organiser(actor) or (idea is not None and can_view_idea(idea, actor))
    if seen:
        raise Forbidden(_("Only the members of this team can change its idea."))
    raise not_found(actor)


def _refuse_not_retained(idea: Idea | None) -> None:
    if idea is not None and idea.status == "not_retained":
        raise Conflict(_("This idea was not retained after the shortlist; it can no longer be changed."),
                       code="not_retained")


def missing_fields(idea: Idea, challenge: Challenge) -> dict[str, str]:
    missing = rules.missing_for_submission(idea.content(), has_tracks=bool(challenge.tracks),
                                           needs_budget=needs_budget(challenge))
    messages = {"title": _("Give the idea a title."), "summary": _("Write a short summary."),
                "problem": _("Describe the problem."), "solution": _("Describe the solution."),
                "beneficiaries": _("Say who benefits."), "track_id": _("Choose a track."),
                "budget_requested": _("Enter the budget you request.")}
    return {name: messages[name] for name in missing}


def needs_budget(challenge: Challenge) -> bool:
    return challenge.kind == "call" and challenge.budget_total is not None


def save_idea(team: Team, actor: Any, data: Mapping[str, Any],
              version: int | None = None) -> tuple[Idea, bool]:
    """Save the team's idea (created on first save): members only, before the deadline.

    Drafts may be incomplete; a submitted idea stays submitted and must stay complete. ``version``
    is the one the writer started from: if someone saved since, nothing is overwritten (409
    version_conflict). Every save adds a revision. Returns (idea, created).
    """
    team_id = team.id
    with _writing():
        team = _lock_team(team_id)
        idea = _lock_idea_of_team(team_id)
        _require_member(team, actor, idea)
        challenge = challenge_of(team)
        now = assert_submissions_open(challenge, team)
        _refuse_not_retained(idea)
        if version is not None and idea is not None and version != idea.version:
            raise _version_conflict()
        values = clean_idea_data(data, challenge)
        created = idea is None
        if idea is None:
            idea = Idea(team_id=team.id, challenge_id=challenge.id, round=challenge.round, status="draft",
                        version=1, links=[], created_at=now)
            db.session.add(idea)
        else:
            idea.version += 1
        for name, value in values.items():
            setattr(idea, name, value)
        if idea.status == "submitted":
            missing = missing_fields(idea, challenge)
            if missing:
                raise ValidationFailed(_("A submitted idea must stay complete."), fields=missing)
        idea.updated_at = now
        try:
            db.session.flush()
            db.session.add(IdeaRevision(idea_id=idea.id, version=idea.version, status=idea.status,
                                        content=idea.content(), author_id=actor.id, created_at=now))
            db.session.commit()
        except IntegrityError:
            # Two first saves at once: the other one won; this one changed nothing.
            raise _version_conflict() from None
    return idea, created


def _version_conflict() -> Conflict:
    return Conflict(_("Someone else saved this idea while you were editing it. Nothing was "
                      "overwritten: look at their version, then save yours again."), code="version_conflict")


def _lock_for_idea(team_id: int, actor: Any) -> tuple[Team, Idea, Challenge]:
    team = _lock_team(team_id)
    locked = _lock_idea_of_team(team_id)
    if locked is None:
        raise not_found(actor)
    _require_member(team, actor, locked)
    return team, locked, challenge_of(team)


def submit_idea(idea: Idea, actor: Any) -> Idea:
    """Submit before the deadline: the idea must be complete (422 fields) and the team large
    enough (409 team_too_small). Every member gets a receipt in their own language."""
    team_id = idea.team_id
    with _writing():
        team, idea, challenge = _lock_for_idea(team_id, actor)
        now = assert_submissions_open(challenge, team)
        _refuse_not_retained(idea)
        if idea.status == "submitted":
            db.session.commit()
            return idea
        missing = missing_fields(idea, challenge)
        if missing:
            raise ValidationFailed(_("Some answers are missing before the idea can be submitted."),
                                   fields=missing)
        if not rules.team_large_enough(len(team.members), challenge.team_min_size):
            raise Conflict(_("A team needs at least %(n)s members to submit.", n=challenge.team_min_size),
                           code="team_too_small")
        idea.status = "submitted"
        idea.submitted_at = now
        idea.withdrawn_at = None
        idea.updated_at = now
        audit.record("idea.submitted", actor=actor, subject_type="idea", subject_id=idea.id,
                     challenge_id=challenge.id, version=idea.version)
        _queue_receipts(team, idea, challenge)
        db.session.commit()
    return idea


def _queue_receipts(team: Team, idea: Idea, challenge: Challenge) -> None:
    deadline = team_deadline(challenge, team)
    url = external_url("submissions.view_idea", idea_id=idea.id)
    for member in team.members:
        user = member.user
        if user is None or user.erased_at is not None:
            continue
        queue_mail_to_user(user, "idea_submitted", idea_title=idea.title, challenge_title=challenge.title,
                           team_name=team.name, deadline_text=deadline_text(deadline, user), idea_url=url)


def deadline_text(deadline: dt.datetime | None, user: Any) -> str:
    """A deadline in the recipient's own zone and language, with the zone named."""
    if deadline is None:
        return ""
    zone_name = getattr(user, "timezone", None) or current_app.config["DEFAULT_TIMEZONE"]
    try:
        zone = ZoneInfo(zone_name)
    except (KeyError, ValueError):
        zone, zone_name = ZoneInfo("UTC"), "UTC"
    locale = getattr(user, "locale", None) or "en"
    local = deadline.astimezone(zone)
    return f"{format_date(local, 'full', locale=locale)} {format_time(local, 'short', locale=locale)} ({zone_name})"


def withdraw_idea(idea: Idea, actor: Any) -> Idea:
    """Withdraw before the deadline; the team may submit again while submissions are open."""
    team_id = idea.team_id
    with _writing():
        team, idea, challenge = _lock_for_idea(team_id, actor)
        now = assert_submissions_open(challenge, team)
        _refuse_not_retained(idea)
        if idea.status == "withdrawn":
            db.session.commit()
            return idea
        previous = idea.submitted_at
        idea.status = "withdrawn"
        idea.withdrawn_at = now
        idea.submitted_at = None
        idea.updated_at = now
        audit.record("idea.withdrawn", actor=actor, subject_type="idea", subject_id=idea.id,
                     challenge_id=challenge.id, submitted_at=previous)
        db.session.commit()
    return idea


def add_attachment(idea: Idea, actor: Any, file_storage: Any) -> Attachment:
    """Attach a PDF, PNG or JPEG (by content; 415 otherwise) up to UPLOAD_MAX_MB (413), at most
    ten per idea, before the deadline. The file lands on disk only if its row is committed."""
    if file_storage is None or not (getattr(file_storage, "filename", "") or "").strip():
        raise ValidationFailed(fields={"file": _("Choose a file to attach.")})
    team_id = idea.team_id
    # Refuse early, before a large file is read, when the answer is already no.
    _require_member(idea.team, actor, idea)
    assert_submissions_open(challenge_of(idea), idea.team)
    staged = uploads.stage(file_storage.stream, file_storage.filename, file_storage.mimetype)
    try:
        with _writing():
            team, idea, challenge = _lock_for_idea(team_id, actor)
            now = assert_submissions_open(challenge, team)
            _refuse_not_retained(idea)
            if len(idea.attachments) >= MAX_ATTACHMENTS:
                raise Conflict(_("An idea can have at most %(n)s attachments. Remove one first.",
                                 n=MAX_ATTACHMENTS), code="too_many_attachments")
            attachment = Attachment(idea_id=idea.id, filename=staged.filename, size=staged.size,
                                    content_type=staged.content_type, stored_name=uploads.new_stored_name(),
                                    uploaded_by_id=actor.id, created_at=now)
            db.session.add(attachment)
            db.session.flush()
            staged.stored_name = attachment.stored_name
            uploads.place(staged)
            try:
                audit.record("idea.attachment_added", actor=actor, subject_type="idea", subject_id=idea.id,
                             challenge_id=challenge.id, attachment_id=attachment.id, filename=attachment.filename)
                db.session.commit()
            except BaseException:
                uploads.delete_stored(staged.stored_name)
                raise
    finally:
        staged.discard()
    return attachment


def remove_attachment(idea: Idea, actor: Any, attachment_id: int) -> None:
    """Members remove an attachment before the deadline; the file goes once the removal is committed."""
    team_id = idea.team_id
    with _writing():
        team, idea, challenge = _lock_for_idea(team_id, actor)
        assert_submissions_open(challenge, team)
        _refuse_not_retained(idea)
        attachment = db.session.get(Attachment, attachment_id)
        if attachment is None or attachment.idea_id != idea.id:
            raise not_found(actor)
        stored_name = attachment.stored_name
        audit.record("idea.attachment_removed", actor=actor, subject_type="idea", subject_id=idea.id,
                     challenge_id=challenge.id, attachment_id=attachment.id, filename=attachment.filename)
        db.session.delete(attachment)
        db.session.commit()
    uploads.delete_stored(stored_name)


def revision_history(idea: Idea) -> list[tuple[IdeaRevision, str | None]]:
    """Every saved version, newest first, with its author's name (one query)."""
    rows = db.session.execute(select(IdeaRevision, User).outerjoin(User, User.id == IdeaRevision.author_id)
                              .where(IdeaRevision.idea_id == idea.id).order_by(IdeaRevision.version.desc()))
    return [(revision, user.display_name if user else None) for revision, user in rows]

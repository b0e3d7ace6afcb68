"""Announcements: an organiser's message mailed to one audience of a challenge through the outbox.

Who is in each audience is decided here, in SQL, so the preview's count and the mails queued are
the same people, each counted and mailed once even when they qualify twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, insert, select, union

from app.accounts.models import User
from app.challenges.access import valid_id
from app.challenges.models import Challenge, Track
from app.challenges.services import locked_challenge, require_organiser
from app.challenges.validation import LONG_TEXT_MAX, TITLE_MAX, storable_text_problem
from app.core import audit, clock
from app.core.errors import Conflict, ValidationFailed
from app.core.markdown import render_markdown
from app.core.outbox import external_url, queue_mail_to_users
from app.extensions import db
from app.judging.jury_queries import pending_by_juror
from app.results.models import AUDIENCES, Announcement, Award
from app.submissions.models import Idea
from app.teams.models import TeamMember, TeamSeeker

TEMPLATE = "announcement"
# Private-use characters: they never occur in a name, so the slot is replaced and nothing else.
SUBJECT_MAX = TITLE_MAX
BODY_MAX = LONG_TEXT_MAX
# The same text to the same audience this soon after is a second click on "Send", not a new message.
REPEAT_WINDOW = dt.timedelta(minutes=10)
NOT_SUBMITTED = ("draft", "withdrawn")
# A team whose entry was later not retained did submit: it hears what submitted teams hear.
SUBMITTED = ("submitted", "not_retained")

AUDIENCE_LABELS = {
    "registered": _l("Everyone registered"),
    "without_team": _l("People without a team"),
    "not_submitted": _l("Teams that have not submitted"),
    "submitted": _l("Teams that have submitted"),
    "track": _l("Teams in one track"),
    "winners": _l("Winners"),
    "pending_jurors": _l("Jurors with reviews still to write"),
}


@dataclass(frozen=True)
class Message:
    """An announcement checked and ready to send: the audience, its track, the text, and how many
    people it reaches now."""

    audience: str
    track: Track | None
    subject: str
    body: str
    recipients: int


@dataclass(frozen=True)
class SentRow:
    id: int
    audience: str
    track_id: int | None
    track_name: str | None
    subject: str
    body: str
    recipients: int
    sent_at: dt.datetime
    sent_by: str | None


# --- audiences ------------------------------------------------------------------------------

def _members(challenge_id: int) -> Select:
    return select(TeamMember.user_id).where(TeamMember.challenge_id == challenge_id)


def _members_with_idea(challenge_id: int, *conditions: Any) -> Select:
    return _members(challenge_id).join(Idea, Idea.team_id == TeamMember.team_id).where(*conditions)


def _seekers(challenge_id: int) -> Select:
    return select(TeamSeeker.user_id).where(TeamSeeker.challenge_id == challenge_id)


def _audience_ids(challenge: Challenge, audience: str, track_id: int | None) -> Select:
    """The user ids of an audience (any account state; duplicates allowed: callers use IN)."""
    cid = challenge.id
    if audience == "registered":
        return union(_members(cid), _seekers(cid))  # type: ignore[return-value]
    if audience == "without_team":
        in_a_team = exists().where(TeamMember.challenge_id == cid, TeamMember.user_id == TeamSeeker.user_id)
        return _seekers(cid).where(~in_a_team)
    if audience == "not_submitted":
        has_entry = exists().where(Idea.team_id == TeamMember.team_id, Idea.status.not_in(NOT_SUBMITTED))
        return _members(cid).where(~has_entry)
    if audience == "submitted":
        return _members_with_idea(cid, Idea.status.in_(SUBMITTED))
    if audience == "track":
        return _members_with_idea(cid, Idea.track_id == track_id)
    if audience == "winners":
        return _members_with_idea(cid, exists().where(Award.idea_id == Idea.id))
    raise ValueError(audience)


def _reachable(stmt: Select) -> Select:
    return stmt.where(User.confirmed_at.is_not(None), User.erased_at.is_(None))


def recipients(challenge: Challenge, audience: str, track_id: int | None = None) -> list[User]:
    """The people an announcement to ``audience`` reaches: confirmed, not erased, each once (one query)."""
    if audience == "pending_jurors":
        # The reminders' own definition of "pending", so both always name the same jurors.
        return [user for user, _pending in pending_by_juror(challenge) if user.is_confirmed]
    ids = _audience_ids(challenge, audience, track_id)
    return list(db.session.scalars(_reachable(select(User).where(User.id.in_(ids))).order_by(User.id)))


def count_recipients(challenge: Challenge, audience: str, track_id: int | None = None) -> int:
    """How many people ``recipients`` would return (one query)."""
    if audience == "pending_jurors":
        return len(recipients(challenge, audience))
    ids = _audience_ids(challenge, audience, track_id)
    return db.session.scalar(_reachable(select(func.count(User.id)).where(User.id.in_(ids)))) or 0


# --- checking and sending -------------------------------------------------------------------

def _track_of(challenge: Challenge, track_id: Any) -> Track | None:
    if isinstance(track_id, str) and track_id.strip().isdigit():
        track_id = int(track_id.strip())
    if not valid_id(track_id):
        return None
    return next((t for t in challenge.tracks if t.id == track_id), None)


def _checked_audience(challenge: Challenge, audience: Any, track_id: Any, problems: dict[str, str]) -> Track | None:
    if audience not in AUDIENCES:
        problems["audience"] = _("Choose who should receive the announcement.")
    if audience != "track":
        return None
    track = _track_of(challenge, track_id)
    if track is None:
        problems["track_id"] = _("Choose one of this challenge's tracks.")
    return track


def audience_size(challenge: Challenge, actor: Any, audience: Any, track_id: Any = None) -> tuple[Track | None, int]:
    """How many people an audience reaches now, and its track (organisers; 422 for an unknown
    audience, or a track that is not this challenge's)."""
    require_organiser(challenge, actor)
    problems: dict[str, str] = {}
    track = _checked_audience(challenge, audience, track_id, problems)
    if problems:
        raise ValidationFailed(fields=problems)
    return track, count_recipients(challenge, audience, track.id if track else None)


def _nobody() -> ValidationFailed:
    return ValidationFailed(_("Nobody is in this audience yet, so there is no one to send it to."),
                            fields={"audience": _("Nobody is in this audience yet, so there is no one to send it "
                                                  "to. Choose another audience.")})


def _checked_text(challenge: Challenge, audience: Any, track_id: Any, subject: Any,
                  body: Any) -> tuple[Track | None, str, str]:
    problems: dict[str, str] = {}
    track = _checked_audience(challenge, audience, track_id, problems)
    subject = subject.strip() if isinstance(subject, str) else subject
    if problem := storable_text_problem(subject, SUBJECT_MAX, required=True):
        problems["subject"] = problem
    elif "\n" in subject or "\r" in subject:
        problems["subject"] = _("The subject must fit on one line.")
    # Browsers send CRLF; one form of line break keeps a repeated message recognisable.
    body = body.replace("\r\n", "\n").strip() if isinstance(body, str) else body
    if problem := storable_text_problem(body, BODY_MAX, required=True):
        problems["body"] = problem
    if problems:
        raise ValidationFailed(fields=problems)
    return track, subject, body


def check_message(challenge: Challenge, audience: Any, track_id: Any, subject: Any, body: Any) -> Message:
    """Check an announcement without sending it.

    The audience is one of ``AUDIENCES``; "track" needs one of this challenge's tracks; the subject
    is 1–200 characters on one line, the body 1–20,000 characters; and the audience must reach at
    least one person, or nothing could be sent (all 422, with a message per field).
    """
    track, subject, body = _checked_text(challenge, audience, track_id, subject, body)
    count = count_recipients(challenge, audience, track.id if track else None)
    if not count:
        raise _nobody()
    return Message(audience, track, subject, body, count)


def preview(challenge: Challenge, actor: Any, audience: Any, track_id: Any, subject: Any, body: Any) -> Message:
    """What would be sent, to how many people (organisers only; nothing is written)."""
    require_organiser(challenge, actor)
    return check_message(challenge, audience, track_id, subject, body)


def send_announcement(challenge: Challenge, actor: Any, *, audience: Any, track_id: Any = None,
                      subject: Any, body: Any) -> Announcement:
    """Mail an organiser's message to everyone in one audience of the challenge, once each, in the
    transaction that records it (organisers only).

    The checks are those of ``check_message``, made again under the challenge's lock so the people
    counted are the people mailed. The same message to the same audience within ten minutes is
    refused (409 already_sent): that is a second click, and nobody should get it twice.
    """
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    track, subject, body = _checked_text(challenge, audience, track_id, subject, body)
    track_id = track.id if track else None
    now = clock.now()
    repeated = db.session.scalar(select(exists().where(
        Announcement.challenge_id == challenge.id, Announcement.audience == audience,
        Announcement.track_id.is_(None) if track_id is None else Announcement.track_id == track_id,
        Announcement.subject == subject, Announcement.body == body, Announcement.sent_at > now - REPEAT_WINDOW)))
    if repeated:
        raise Conflict(_("This announcement was sent to the same people a moment ago; it was not sent again."),
                       code="already_sent")
    people = recipients(challenge, audience, track_id)
    if not people:
        raise _nobody()
    announcement = Announcement(challenge_id=challenge.id, audience=audience, track_id=track_id, subject=subject,
                                body=body, recipients=len(people), sent_at=now, sent_by_id=actor.id)
    db.session.add(announcement)
    db.session.flush()
    # The Markdown is rendered once: the text is the same for everyone, only its frame is translated.
    context = {"challenge_title": challenge.title, "subject": subject, "body": body,
               "body_html": render_markdown(body),
               "challenge_url": external_url("challenges.show", challenge_id=challenge.id)}
    queue_mail_to_users(people, TEMPLATE, **context)
    audit.record("announcement.sent", actor=actor, subject_type="announcement", subject_id=announcement.id,
                 challenge_id=challenge.id, audience=audience, track_id=track_id, subject=subject,
                 recipients=len(people))
    db.session.commit()
    return announcement


# --- what was sent --------------------------------------------------------------------------

def sent_query(challenge: Challenge) -> Select:
    """Every announcement of the challenge, newest first, with its track and sender (one query)."""
    return (select(Announcement, Track.name, User.name, User.erased_at)
            .outerjoin(Track, Track.id == Announcement.track_id)
            .outerjoin(User, User.id == Announcement.sent_by_id)
            .where(Announcement.challenge_id == challenge.id)
            .order_by(Announcement.sent_at.desc(), Announcement.id.desc()))


def sent_row(row: Any) -> SentRow:
    announcement, track_name, sender, erased_at = row
    if sender is not None and erased_at is not None:
        sender = _("deleted user")
    return SentRow(announcement.id, announcement.audience, announcement.track_id, track_name, announcement.subject,
                   announcement.body, announcement.recipients, announcement.sent_at, sender)


def sent_announcements(challenge: Challenge) -> list[SentRow]:
    return [sent_row(row) for row in db.session.execute(sent_query(challenge))]

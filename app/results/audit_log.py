"""Reading a challenge's audit trail: pages of events, newest first, with names for the ids they hold.

Read-only by design: nothing here writes, and audit rows refuse updates (``core.audit``). Each
function answers in a fixed number of queries, whatever the number of events on the page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from app.accounts.models import User
from app.challenges.labels import RANKING_LABELS
from app.challenges.models import Challenge, Criterion, Track
from app.core.audit import AuditEvent
from app.core.i18n import when
from app.extensions import db
from app.results.announcements import AUDIENCE_LABELS
from app.submissions.models import Idea
from app.teams.models import Team

PER_PAGE = 50
# Keys holding the id of a person, an idea, a team or a track (or a list of them): shown by name.
REFERENCES = {"user_id": "user", "juror_id": "user", "from_user_id": "user", "to_user_id": "user",
              "new_captain_id": "user", "jurors": "user", "idea_id": "idea", "understaffed": "idea",
              "team_id": "team", "track_id": "track", "track_ids": "track"}
# Detail pairs shown side by side: what a value was, and what it became.
PAIRS = (("before", "after"), ("old", "new"))
# Actions whose details hold scores keyed by criterion id.
SCORE_ACTIONS = ("score.changed", "conflict.declared")
# Plural prefixes that belong with their singular family in the filter.
KIND_ALIASES = {"assignments": "assignment", "jurors": "juror"}

KIND_LABELS = {
    "challenge": _l("Challenge and phases"), "team": _l("Teams"), "idea": _l("Ideas"),
    "juror": _l("Jury"), "assignment": _l("Assignments"), "score": _l("Scores"),
    "conflict": _l("Conflicts of interest"), "safety_flag": _l("Safety flags"), "awards": _l("Awards"),
    "results": _l("Results"), "announcement": _l("Announcements"), "vote": _l("Public vote"),
}
ACTION_LABELS = {
    "challenge.created": _l("Challenge created"),
    "challenge.updated": _l("Challenge set-up changed"),
    "challenge.criteria_template_applied": _l("Health criteria template applied"),
    "challenge.organiser_added": _l("Organiser added"),
    "challenge.opened": _l("Challenge opened to participants"),
    "challenge.judging_started": _l("Judging started"),
    "team.created": _l("Team created"),
    "team.member_joined": _l("Member joined a team"),
    "team.member_left": _l("Member left a team"),
    "team.member_removed": _l("Member removed from a team"),
    "team.captain_transferred": _l("Captain changed"),
    "team.dissolved": _l("Team dissolved"),
    "team.invite_code_regenerated": _l("Team invitation link renewed"),
    "team.deadline_exception_granted": _l("Personal deadline granted"),
    "team.deadline_exception_revoked": _l("Personal deadline revoked"),
    "idea.submitted": _l("Idea submitted"),
    "idea.withdrawn": _l("Idea withdrawn"),
    "idea.attachment_added": _l("Attachment added"),
    "idea.attachment_removed": _l("Attachment removed"),
    "juror.added": _l("Juror added"),
    "juror.invited": _l("Juror invited"),
    "juror.invitation_accepted": _l("Juror invitation accepted"),
    "juror.invitation_cancelled": _l("Juror invitation withdrawn"),
    "juror.removed": _l("Juror removed"),
    "juror.tracks_changed": _l("Juror's tracks changed"),
    "jurors.reminded": _l("Reminders sent to jurors"),
    "assignment.added": _l("Entry assigned to a juror"),
    "assignment.removed": _l("Assignment removed"),
    "assignments.generated": _l("Entries assigned automatically"),
    "score.changed": _l("Scores changed after the first save"),
    "conflict.declared": _l("Conflict of interest declared by a juror"),
    "conflict.recorded": _l("Conflict of interest recorded by an organiser"),
    "safety_flag.raised": _l("Safety flag raised"),
    "safety_flag.cleared": _l("Safety flag cleared"),
    "awards.changed": _l("Awards changed"),
    "results.visibility_changed": _l("What the results show changed"),
    "results.published": _l("Results published"),
    "vote.opened": _l("Public vote opened"),
    "vote.reopened": _l("Public vote reopened"),
    "vote.closed": _l("Public vote closed"),
    "vote.settings_changed": _l("Public vote settings changed"),
    "challenge.imported": _l("Challenge imported from an archive"),
    "announcement.sent": _l("Announcement sent"),
}
DETAIL_LABELS = {
    "round": _l("Round"), "version": _l("Version"), "fields": _l("Fields changed"), "title": _l("Title"),
    "template": _l("Template"), "user_id": _l("Person"), "juror_id": _l("Juror"), "team_id": _l("Team"),
    "idea_id": _l("Entry"), "track_id": _l("Track"), "track_ids": _l("Tracks"), "reason": _l("Reason"),
    "note": _l("Note"), "kind": _l("Kind"), "name": _l("Name"), "invitation_id": _l("Invitation"),
    "assignments_removed": _l("Assignments removed"), "reviews_removed": _l("Reviews removed"),
    "created": _l("Created"), "understaffed": _l("Entries short of jurors"),
    "conflicted_removed": _l("Removed for a conflict"), "jurors": _l("Jurors"), "new_captain_id": _l("New captain"),
    "from_user_id": _l("From"), "to_user_id": _l("To"), "new_deadline": _l("New deadline"),
    "previous": _l("Previous value"), "submitted_at": _l("Submitted"), "attachment_id": _l("Attachment"),
    "filename": _l("File"), "discarded_scores": _l("Scores discarded"), "audience": _l("Audience"),
    "subject": _l("Subject"), "recipients": _l("Recipients"), "visibility": _l("Visibility"),
    "amount": _l("Amount"), "position": _l("Position"), "source": _l("Source"), "method": _l("Ranking method"),
    "digest": _l("Digest"), "awards": _l("Awards"), "ranked": _l("Entries ranked"), "mails": _l("Mails queued"),
    "vote_closed": _l("Public vote closed"), "votes_per_person": _l("Votes per person"),
    "allowed_domains": _l("Allowed e-mail domains"), "counts": _l("Counts"), "package": _l("Package"),
}
# Words for the codes some details hold, by detail key.
VALUE_LABELS = {
    "kind": {"patient_safety": _l("Patient safety"), "data_protection": _l("Data protection")},
    "visibility": {"full": _l("The whole ranking"), "awards": _l("Awards only")},
    "source": {"organiser": _l("Set by the organisers"), "funding": _l("Funding proposal"),
               "peoples_choice": _l("People's choice")},
    "method": RANKING_LABELS,
    "audience": AUDIENCE_LABELS,
}
# Actions whose before/after pair is one named value.
PAIR_SUBJECTS = {"results.visibility_changed": "visibility"}


@dataclass(frozen=True)
class DetailLine:
    label: str
    values: list[str] = field(default_factory=list)
    before: list[str] | None = None
    after: list[str] | None = None


@dataclass(frozen=True)
class LogEntry:
    id: int
    at: dt.datetime
    actor_id: int | None
    actor: str | None  # None: done by the system, not by a person
    action: str
    label: str
    subject_type: str
    subject_id: int | None
    subject_name: str | None
    details: dict[str, Any]
    lines: list[DetailLine]


def kind_of(action: str) -> str:
    """The family of an action: "challenge.opened" → "challenge"; "jurors.reminded" → "juror"."""
    prefix = action.split(".", 1)[0]
    return KIND_ALIASES.get(prefix, prefix)


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def actions_by_kind(challenge_id: int) -> dict[str, list[str]]:
    """The kinds of event this challenge's trail holds, each with its actions (one query).

    This is the filter's allow-list: a kind is accepted only when it is a key here.
    """
    kinds: dict[str, list[str]] = {}
    for action in db.session.scalars(select(AuditEvent.action).where(AuditEvent.challenge_id == challenge_id)
                                     .distinct().order_by(AuditEvent.action)):
        kinds.setdefault(kind_of(action), []).append(action)
    return dict(sorted(kinds.items(), key=lambda item: kind_label(item[0]).casefold()))


def actions_for(kinds: dict[str, list[str]], kind: str | None) -> list[str] | None:
    """The actions a filter on ``kind`` selects: those present of that kind; none for a known kind
    not present yet; None (no such kind) for anything else."""
    if kind in kinds:
        return kinds[kind]
    return [] if kind in KIND_LABELS else None


def events_query(challenge_id: int, actions: list[str] | None = None) -> Select:
    """The challenge's events (of these actions only, when given), newest first, with the actor."""
    stmt = (select(AuditEvent, User.name, User.erased_at).outerjoin(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.challenge_id == challenge_id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    if actions is not None:
        stmt = stmt.where(AuditEvent.action.in_(actions))
    return stmt


def count_events(challenge_id: int, actions: list[str] | None = None) -> int:
    stmt = select(func.count(AuditEvent.id)).where(AuditEvent.challenge_id == challenge_id)
    if actions is not None:
        stmt = stmt.where(AuditEvent.action.in_(actions))
    return db.session.scalar(stmt) or 0


def page_of_events(challenge: Challenge, actions: list[str] | None, page: int,
                   per_page: int = PER_PAGE) -> tuple[list[LogEntry], int]:
    """One page of the trail, readable, and the number of events matching (fixed query count)."""
    total = count_events(challenge.id, actions)
    rows = db.session.execute(events_query(challenge.id, actions).limit(per_page).offset((page - 1) * per_page))
    return readable(challenge, list(rows)), total


def all_events(challenge: Challenge, actions: list[str] | None = None) -> list[LogEntry]:
    return readable(challenge, list(db.session.execute(events_query(challenge.id, actions))))


def actor_name(actor_id: int | None, name: str | None, erased_at: dt.datetime | None) -> str | None:
    if actor_id is None:
        return None
    return _("deleted user") if erased_at is not None or name is None else name


# --- making the rows readable ---------------------------------------------------------------

def _collect(value: Any, wanted: dict[str, set[int]]) -> None:
    """Gather the ids named by REFERENCES keys anywhere in a details value (a loop, not recursion)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                kind = REFERENCES.get(key)
                if kind:
                    wanted[kind].update(v for v in (inner if isinstance(inner, list) else [inner])
                                        if isinstance(v, int) and not isinstance(v, bool))
                pending.append(inner)


class _Names:
    """The names of every person, idea, team, track and criterion the rows mention (≤ 5 queries)."""

    def __init__(self, challenge: Challenge, events: Iterable[AuditEvent]) -> None:
        wanted: dict[str, set[int]] = {"user": set(), "idea": set(), "team": set(), "track": set()}
        scores = False
        for event in events:
            if event.subject_type in ("idea", "team") and isinstance(event.subject_id, int):
                wanted[event.subject_type].add(event.subject_id)
            _collect(event.details, wanted)
            scores = scores or event.action in SCORE_ACTIONS
        self.maps: dict[str, dict[int, str]] = {}
        self.maps["user"] = self._load(wanted["user"], select(User.id, User.name, User.erased_at)
                                       .where(User.id.in_(wanted["user"])))
        self.maps["idea"] = self._load(wanted["idea"], select(Idea.id, Idea.title).where(
            Idea.id.in_(wanted["idea"]), Idea.challenge_id == challenge.id))
        self.maps["team"] = self._load(wanted["team"], select(Team.id, Team.name).where(
            Team.id.in_(wanted["team"]), Team.challenge_id == challenge.id))
        self.maps["track"] = self._load(wanted["track"], select(Track.id, Track.name).where(
            Track.id.in_(wanted["track"]), Track.challenge_id == challenge.id))
        self.criteria = self._load({challenge.id}, select(Criterion.id, Criterion.name).where(
            Criterion.challenge_id == challenge.id)) if scores else {}

    @staticmethod
    def _load(ids: set[int], stmt: Select) -> dict[int, str]:
        if not ids:
            return {}
        names = {}
        for row in db.session.execute(stmt):
            erased = len(row) > 2 and row[2] is not None
            names[row[0]] = _("deleted user") if erased else (row[1] or "—")
        return names

    def of(self, kind: str, value: Any) -> str:
        name = self.maps.get(kind, {}).get(value) if isinstance(value, int) else None
        return name if name is not None else _plain(value)


def _plain(value: Any, key: str | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str):
        named = VALUE_LABELS.get(key or "", {}).get(value)
        if named is not None:
            return str(named)
        moment = _moment(value)
        return when(moment) if moment else value
    return str(value)


def _moment(text: str) -> dt.datetime | None:
    """A time written by the audit trail (ISO 8601 with an offset), to show in the reader's zone."""
    if len(text) < 19 or text[4:5] != "-" or "T" not in text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def _lines_of(value: Any, names: _Names, key: str | None, criteria: bool = False) -> list[str]:
    """A detail value as short lines of text: a list item or a mapping entry per line."""
    kind = REFERENCES.get(key or "")
    if isinstance(value, dict):
        lines = []
        for inner_key, item in value.items():
            label = names.criteria.get(int(inner_key), inner_key) if criteria and inner_key.isdigit() \
                else _label(inner_key)
            lines.append(f"{label}: {', '.join(_lines_of(item, names, inner_key))}")
        return lines or ["—"]
    if isinstance(value, list):
        if any(isinstance(item, (dict, list)) for item in value):
            return ["; ".join(_lines_of(item, names, key)) for item in value] or ["—"]
        return [", ".join(names.of(kind, item) if kind else _plain(item, key) for item in value) or "—"]
    return [names.of(kind, value) if kind else _plain(value, key)]


def detail_lines(event: AuditEvent, names: _Names) -> list[DetailLine]:
    """The details as label and value lines, then each before/after pair side by side."""
    details = dict(event.details) if isinstance(event.details, dict) else {"details": event.details}
    criteria = event.action in SCORE_ACTIONS
    subject = PAIR_SUBJECTS.get(event.action)
    changes = [DetailLine(_label(subject) if subject else _("What changed"),
                          before=_lines_of(details.pop(first), names, subject, criteria),
                          after=_lines_of(details.pop(second), names, subject, criteria))
               for first, second in PAIRS if first in details and second in details]
    plain = [DetailLine(_label(key), values=_lines_of(value, names, key, criteria)) for key, value in details.items()]
    return plain + changes


def readable(challenge: Challenge, rows: list[Any]) -> list[LogEntry]:
    names = _Names(challenge, (row[0] for row in rows))
    entries = []
    for event, name, erased_at in rows:
        subject_name = names.maps.get(event.subject_type, {}).get(event.subject_id) \
            if event.subject_type in ("idea", "team") else None
        entries.append(LogEntry(
            id=event.id, at=event.created_at, actor_id=event.actor_id,
            actor=actor_name(event.actor_id, name, erased_at), action=event.action, label=action_label(event.action),
            subject_type=event.subject_type, subject_id=event.subject_id, subject_name=subject_name,
            details=event.details if isinstance(event.details, dict) else {"details": event.details},
            lines=detail_lines(event, names)))
    return entries

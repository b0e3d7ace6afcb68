"""What the jury set-up shows: jurors with their load, invitations, conflicts, entries and their jurors.

Each function answers in a fixed number of queries, whatever the size of the jury.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from app.accounts.models import User
from app.accounts.rules import organisation_key
from app.challenges.models import Challenge, Track
from app.extensions import db
from app.judging import rules
from app.judging.models import Assignment, Juror, JurorInvitation, Review
from app.judging.models import Conflict as ConflictOfInterest
from app.submissions.models import Idea
from app.teams.models import Team, TeamMember


@dataclass(frozen=True)
class JurorRow:
    user_id: int
    name: str
    email: str
    organisation: str
    track_ids: list[int] | None
    assigned: int
    scored: int


@dataclass(frozen=True)
class ConflictRow:
    """``source``: "declared" (by the juror), "organiser", or automatic: "member" / "organisation"."""

    juror_id: int
    juror_name: str
    team_id: int
    team_name: str
    source: str
    reason: str = ""
    created_at: dt.datetime | None = None


@dataclass
class EntryRow:
    idea_id: int
    title: str
    track_name: str
    jurors: list[tuple[int, bool]] = field(default_factory=list)  # (juror id, scored)


def _scored(round_column: Any = Assignment.round) -> Any:
    """Whether the juror of an assignment row has written their review (a correlated EXISTS)."""
    return (select(Review.id).where(Review.idea_id == Assignment.idea_id, Review.round == round_column,
                                    Review.juror_user_id == Assignment.juror_user_id)
            .correlate(Assignment).exists())


def jurors(challenge: Challenge) -> list[JurorRow]:
    """The jury with each juror's load in the current round (one query)."""
    assigned = (select(func.count(Assignment.id))
                .where(Assignment.challenge_id == Juror.challenge_id, Assignment.juror_user_id == Juror.user_id,
                       Assignment.round == challenge.round).correlate(Juror).scalar_subquery())
    scored = (select(func.count(Review.id))
              .where(Review.challenge_id == Juror.challenge_id, Review.juror_user_id == Juror.user_id,
                     Review.round == challenge.round).correlate(Juror).scalar_subquery())
    rows = db.session.execute(
        select(Juror.user_id, User.name, User.email, User.organisation, User.erased_at, Juror.track_ids,
               assigned, scored)
        .join(User, User.id == Juror.user_id).where(Juror.challenge_id == challenge.id)
        .order_by(User.name, Juror.user_id))
    return [JurorRow(user_id=r[0], name=r[1] if r[4] is None else _("deleted user"),
                     email=r[2] if r[4] is None else "", organisation=r[3] or "", track_ids=r[5] or None,
                     assigned=r[6] or 0, scored=r[7] or 0) for r in rows]


def invitations(challenge: Challenge) -> list[JurorInvitation]:
    return list(db.session.scalars(select(JurorInvitation).where(JurorInvitation.challenge_id == challenge.id)
                                   .order_by(JurorInvitation.invited_at, JurorInvitation.id)))


def teams(challenge: Challenge) -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(
        select(Team.id, Team.name).where(Team.challenge_id == challenge.id).order_by(Team.name_key, Team.id))]


def conflicts(challenge: Challenge, jury: list[JurorRow], team_names: dict[int, str]) -> list[ConflictRow]:
    """Recorded conflicts, then the automatic ones (membership, same organisation): two queries."""
    names = {j.user_id: j.name for j in jury}
    rows = [ConflictRow(c.juror_user_id, names.get(c.juror_user_id, ""), c.team_id, team_names.get(c.team_id, ""),
                        c.source, c.reason or "", c.created_at)
            for c in db.session.scalars(select(ConflictOfInterest)
                                        .where(ConflictOfInterest.challenge_id == challenge.id)
                                        .order_by(ConflictOfInterest.created_at, ConflictOfInterest.id))]
    members: dict[int, list[tuple[int, str]]] = {}
    for team_id, user_id, organisation in db.session.execute(
            select(TeamMember.team_id, TeamMember.user_id, User.organisation)
            .join(User, User.id == TeamMember.user_id).where(TeamMember.challenge_id == challenge.id)):
        members.setdefault(team_id, []).append((user_id, organisation_key(organisation)))
    for juror in jury:
        juror_org = organisation_key(juror.organisation)
        for team_id in sorted(members, key=lambda t: team_names.get(t, "").casefold()):
            team_members = members[team_id]
            if any(user_id == juror.user_id for user_id, _org in team_members):
                rows.append(ConflictRow(juror.user_id, juror.name, team_id, team_names.get(team_id, ""), "member"))
            elif rules.automatically_conflicted(juror.user_id, juror_org, team_members):
                rows.append(ConflictRow(juror.user_id, juror.name, team_id, team_names.get(team_id, ""),
                                        "organisation"))
    return rows


def entries(challenge: Challenge) -> list[EntryRow]:
    """Submitted ideas with their jurors in the current round (two queries)."""
    by_id = {idea_id: EntryRow(idea_id, title or "", track or "") for idea_id, title, track in db.session.execute(
        select(Idea.id, Idea.title, Track.name).outerjoin(Track, Track.id == Idea.track_id)
        .where(Idea.challenge_id == challenge.id, Idea.status == "submitted").order_by(Idea.title, Idea.id))}
    for idea_id, juror_id, scored in db.session.execute(assignments_query(challenge)):
        if idea_id in by_id:
            by_id[idea_id].jurors.append((juror_id, bool(scored)))
    return list(by_id.values())


def assignments_query(challenge: Challenge) -> Select:
    """(idea_id, juror_id, scored) for every assignment of the current round, in a stable order."""
    return (select(Assignment.idea_id, Assignment.juror_user_id, _scored().label("scored"))
            .where(Assignment.challenge_id == challenge.id, Assignment.round == challenge.round)
            .order_by(Assignment.idea_id, Assignment.juror_user_id))


def list_assignments(challenge: Challenge) -> list[dict[str, Any]]:
    """Every assignment of the current round as the API shows it (one query)."""
    return [{"idea_id": idea_id, "juror_id": juror_id, "scored": bool(scored)}
            for idea_id, juror_id, scored in db.session.execute(assignments_query(challenge))]


def is_scored(challenge: Challenge, idea_id: int, juror_id: int) -> bool:
    return db.session.scalar(select(Review.id).where(Review.idea_id == idea_id, Review.juror_user_id == juror_id,
                                                     Review.round == challenge.round).exists().select()) or False


def pending_by_juror(challenge: Challenge) -> list[tuple[User, int]]:
    """Jurors (with an active account) and how many of their entries in this round are unscored."""
    pending = (select(Assignment.juror_user_id, func.count(Assignment.id).label("pending"))
               .where(Assignment.challenge_id == challenge.id, Assignment.round == challenge.round, ~_scored())
               .group_by(Assignment.juror_user_id).subquery())
    return [(user, count) for user, count in db.session.execute(
        select(User, pending.c.pending).join(pending, pending.c.juror_user_id == User.id)
        .where(User.erased_at.is_(None)).order_by(User.name, User.id))]

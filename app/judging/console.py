"""What the organisers' judging console shows beside the ranking: progress and open safety flags.

Clearing a flag is ``reviews.clear_flag``, the one service that writes flags."""
from __future__ import annotations

from typing import Any, Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.challenges.access import valid_id
from app.challenges.models import Challenge
from app.core.errors import NotFound
from app.extensions import db
from app.judging.models import Assignment, Juror, SafetyFlag
from app.submissions.models import Idea

NOTE_MAX = 2_000  # the longest clearing note the console's form takes


def progress(challenge_id: int, round_: int, ideas: Iterable[Any], scored: set[tuple[int, int]],
             conflicted: set[tuple[int, int]]) -> dict[str, Any]:
    """Assigned and scored reviews of the round, by juror and by entry (three queries).

    An assignment of a conflicted pair is left out: the juror can no longer open that entry, so
    it is neither work to wait for nor work done. ``scored`` holds the (juror, idea) pairs with a
    complete review. Every juror of the challenge is listed, with no work too.
    """
    ideas = list(ideas)
    idea_ids = {row.id for row in ideas}
    pairs = [(juror_id, idea_id) for idea_id, juror_id in db.session.execute(
        select(Assignment.idea_id, Assignment.juror_user_id)
        .where(Assignment.challenge_id == challenge_id, Assignment.round == round_))
        if idea_id in idea_ids and (juror_id, idea_id) not in conflicted]
    jury = set(db.session.scalars(select(Juror.user_id).where(Juror.challenge_id == challenge_id)))
    people = jury | {juror_id for juror_id, _idea in pairs} | {juror_id for juror_id, _idea in scored}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all()) \
        if people else {}
    by_juror = {juror_id: [0, 0] for juror_id in jury | {juror_id for juror_id, _idea in pairs}}
    by_idea = {idea_id: [0, 0] for idea_id in idea_ids}
    for pair in pairs:
        done = pair in scored
        for counts in (by_juror[pair[0]], by_idea[pair[1]]):
            counts[0] += 1
            counts[1] += done
    return {
        "jurors": sorted(({"juror_id": juror_id, "name": names.get(juror_id, ""), "assigned": assigned,
                           "scored": done} for juror_id, (assigned, done) in by_juror.items()),
                         key=lambda row: (row["name"].casefold(), row["juror_id"])),
        "entries": [{"idea_id": row.id, "title": row.title, "team_name": row.team_name,
                     "assigned": by_idea[row.id][0], "scored": by_idea[row.id][1]} for row in ideas],
        "names": names,
    }


def open_flags(challenge_id: int) -> list[Any]:
    """The challenge's safety flags not yet cleared, oldest first, with the idea and who raised it."""
    return db.session.execute(
        select(SafetyFlag.id, SafetyFlag.idea_id, SafetyFlag.kind, SafetyFlag.reason, SafetyFlag.created_at,
               Idea.title.label("idea_title"), User.name.label("raised_by"))
        .join(Idea, Idea.id == SafetyFlag.idea_id)
        .outerjoin(User, User.id == SafetyFlag.raised_by_id)
        .where(SafetyFlag.challenge_id == challenge_id, SafetyFlag.cleared.is_(False))
        .order_by(SafetyFlag.created_at, SafetyFlag.id)).all()


def open_flag(challenge: Challenge, flag_id: Any) -> Any:
    """One open flag of the challenge, for the confirmation page; 404 when absent or cleared."""
    flag = next((row for row in open_flags(challenge.id) if row.id == flag_id), None) if valid_id(flag_id) else None
    if flag is None:
        raise NotFound(_("This safety flag does not exist or has already been cleared."))
    return flag

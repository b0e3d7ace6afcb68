"""The People's choice: a public vote on a challenge's submitted entries.

Each function states the rule it enforces. Counts stay hidden from everyone, organisers included,
until the vote closes, so that no running tally sways voters or the people who run the vote.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Iterable

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.challenges.access import valid_id
from app.challenges.models import Challenge
from app.challenges.services import locked_challenge, require_organiser
from app.core import audit, clock
from app.core.db import begin_write
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.results import rules
from app.results.models import Award, PeoplesChoice, Vote
from app.submissions.models import Idea
from app.teams.models import TeamMember

DEFAULT_VOTES_PER_PERSON = 3
MAX_VOTES_PER_PERSON = 1000
MAX_DOMAINS = 50
# A vote can be cast only while the challenge itself is still running or being judged.
RUNNING_STATUSES = ("open", "judging")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN_RE = re.compile(rf"^(?=.{{1,253}}$)(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?$")


@dataclass(frozen=True)
class Entry:
    idea_id: int
    title: str
    summary: str
    team_id: int
    submitted_at: Any


# --- settings -------------------------------------------------------------------------------

def parse_domains(value: str | Iterable[Any] | None) -> list[str]:
    """Allowed e-mail domains from a comma-separated text or a list: lower-cased, without a leading
    "@", each once; anything that is not a domain name is refused (422 on ``allowed_domains``)."""
    if value is None:
        return []
    items: list[Any] = re.split(r"[,;\s]+", value) if isinstance(value, str) else list(value)
    domains: list[str] = []
    for item in items:
        text = item.strip().lower().lstrip("@").rstrip(".") if isinstance(item, str) else None
        if text == "":
            continue
        if text is None or not DOMAIN_RE.match(text):
            shown = item.strip()[:60] if isinstance(item, str) else str(item)[:60]
            raise ValidationFailed(fields={"allowed_domains": _(
                "“%(value)s” is not an e-mail domain. Write domains like iasi.ro, separated by commas.",
                value=shown)})
        if text not in domains:
            domains.append(text)
    if len(domains) > MAX_DOMAINS:
        raise ValidationFailed(fields={"allowed_domains": _("At most %(n)s domains.", n=MAX_DOMAINS)})
    return domains


def check_votes_per_person(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VOTES_PER_PERSON:
        raise ValidationFailed(fields={"votes_per_person": _(
            "Give a whole number of votes from 1 to %(n)s.", n=MAX_VOTES_PER_PERSON)})
    return value


# --- state ----------------------------------------------------------------------------------

def vote_of(challenge_id: int) -> PeoplesChoice | None:
    return db.session.get(PeoplesChoice, challenge_id)


def status_of(challenge: Challenge, vote: PeoplesChoice | None) -> str:
    """"none" (never opened), "open" or "closed". A vote left open when the challenge moved past
    judging counts as closed: publication ends it whatever the row says."""
    if vote is None:
        return "none"
    return "open" if vote.status == "open" and challenge.status in RUNNING_STATUSES else "closed"


def can_open(challenge: Challenge) -> bool:
    """The vote may open once the challenge has opened to participants, until publication."""
    if challenge.status == "judging":
        return True
    return challenge.status == "open" and (challenge.opens_at is None or challenge.opens_at <= clock.now())


def _assert_may_open(challenge: Challenge) -> None:
    if challenge.status in ("published", "archived"):
        raise Conflict(_("The results are published: the public vote cannot open again."), code="already_published")
    if not can_open(challenge):
        raise Conflict(_("The public vote can open once the challenge has opened to participants."), code="not_open")


def _assert_open(challenge: Challenge, vote: PeoplesChoice | None) -> None:
    if status_of(challenge, vote) != "open":
        raise Conflict(_("The public vote is not open: nothing was changed."), code="vote_closed")


def _locked_vote(challenge_id: int) -> tuple[str, PeoplesChoice | None]:
    """Begin the write and re-read the challenge's status and the vote under row locks: every vote
    of the challenge is decided one after the other.

    Locks are taken in the order every writer of the vote uses (challenge, then vote): a shared
    lock on the challenge lets voters proceed together yet waits for publication or the organisers'
    switch, which lock it exclusively before the vote; the other order deadlocks on PostgreSQL.
    """
    begin_write(db.session)
    status = db.session.scalar(select(Challenge.status).where(Challenge.id == challenge_id)
                               .with_for_update(read=True))
    vote = db.session.scalars(select(PeoplesChoice).where(PeoplesChoice.challenge_id == challenge_id)
                              .with_for_update().execution_options(populate_existing=True)).first()
    return status or "", vote


def set_vote(challenge: Challenge, actor: Any, *, status: str, votes_per_person: Any = None,
             allowed_domains: Any = None) -> PeoplesChoice:
    """Open, reopen, close or re-configure the vote (organisers only).

    It opens while the challenge is open (after its opening) or in judging (409 not_open before,
    already_published after publication), with votes_per_person ≥ 1 (default 3) and optional
    allowed domains (422 when not domains). Closing a vote that never opened answers 409
    vote_closed; closing a closed vote changes nothing. Votes cast are kept across a reopening.
    """
    require_organiser(challenge, actor)
    problems: dict[str, str] = {} if status in ("open", "closed") else {"status": _("Choose open or closed.")}
    settings: dict[str, Any] = {}
    for name, check, value in (("votes_per_person", check_votes_per_person, votes_per_person),
                               ("allowed_domains", parse_domains, allowed_domains)):
        try:
            if value is not None:
                settings[name] = check(value)
        except ValidationFailed as error:
            problems.update(error.fields)
    if problems:
        raise ValidationFailed(fields=problems)
    challenge = locked_challenge(challenge)
    vote = db.session.scalars(select(PeoplesChoice).where(PeoplesChoice.challenge_id == challenge.id)
                              .with_for_update().execution_options(populate_existing=True)).first()
    before = status_of(challenge, vote)
    now = clock.now()
    if status == "open":
        _assert_may_open(challenge)
        if vote is None:
            vote = PeoplesChoice(challenge_id=challenge.id, votes_per_person=DEFAULT_VOTES_PER_PERSON,
                                 allowed_domains=[], opened_at=now, opened_by_id=actor.id)
            db.session.add(vote)
        vote.status, vote.closed_at = "open", None
    elif vote is None:
        raise Conflict(_("There is no public vote to close in this challenge."), code="vote_closed")
    elif before == "open":
        vote.status, vote.closed_at = "closed", now
    changed = {name: value for name, value in settings.items() if getattr(vote, name) != value}
    for name, value in changed.items():
        setattr(vote, name, value)
    after = "open" if status == "open" else "closed"
    if before != after:
        action = {"none": "vote.opened", "closed": "vote.reopened"}.get(before, "vote.closed")
        # The tally at each closing is kept: a reopened vote cannot quietly replace what was shown.
        tally = ([{"idea_id": row["idea_id"], "votes": row["votes"]} for row in counts(challenge.id)]
                 if action == "vote.closed" else None)
        audit.record(action, actor=actor, subject_type="challenge", subject_id=challenge.id,
                     challenge_id=challenge.id, votes_per_person=vote.votes_per_person,
                     allowed_domains=list(vote.allowed_domains or []),
                     **({"counts": tally} if tally is not None else {}))
    elif changed:
        audit.record("vote.settings_changed", actor=actor, subject_type="challenge", subject_id=challenge.id,
                     challenge_id=challenge.id, **changed)
    db.session.commit()
    return vote


# --- who may vote for what ------------------------------------------------------------------

def voter_problem(user: Any, vote: PeoplesChoice) -> str | None:
    """Why this account may not vote at all, as an error code, or None: confirmed accounts only,
    from an allowed domain when the organisers restricted the vote."""
    if not getattr(user, "is_authenticated", False):
        return "unauthorised"
    if not user.is_confirmed:
        return "email_not_confirmed"
    if not rules.may_vote_with(user.email, vote.allowed_domains or []):
        return "domain_not_allowed"
    return None


def _refuse_voter(problem: str, vote: PeoplesChoice) -> None:
    if problem == "email_not_confirmed":
        raise Forbidden(_("Confirm your e-mail address to vote: follow the link we sent you, or ask for a new one."),
                        code="email_not_confirmed")
    raise Forbidden(_("Only people with an e-mail address at %(domains)s can vote in this challenge.",
                      domains=", ".join(vote.allowed_domains or [])), code="domain_not_allowed")


def own_team_id(challenge_id: int, user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(TeamMember.team_id).where(TeamMember.challenge_id == challenge_id,
                                                             TeamMember.user_id == user.id))


def _entry(challenge_id: int, idea_id: Any) -> Idea:
    """A submitted entry of the challenge; anything else (drafts included) is not found."""
    idea = db.session.get(Idea, idea_id) if valid_id(idea_id) else None
    if idea is None or idea.challenge_id != challenge_id or idea.status != "submitted":
        raise NotFound(_("This entry does not exist or is not part of the vote."))
    return idea


def _votes_used(challenge_id: int, user_id: int) -> int:
    # Votes for an entry that was later withdrawn no longer count, neither in the tally nor in the cap.
    return db.session.scalar(select(func.count()).select_from(Vote).join(Idea, Idea.id == Vote.idea_id).where(
        Vote.challenge_id == challenge_id, Vote.user_id == user_id, Idea.status == "submitted")) or 0


def cast_vote(challenge: Challenge, user: Any, idea_id: Any) -> Vote:
    """One confirmed account's vote for one submitted entry while the vote is open.

    Refused: vote not open (409 vote_closed), not a submitted entry (404), unconfirmed account
    (403 email_not_confirmed), address outside the allowed domains (403 domain_not_allowed), the
    voter's own team's entry (403 own_entry), a second vote for the same entry (409 already_voted),
    more than votes_per_person votes in the challenge (409 vote_limit_reached). The last two are
    decided under the vote's row lock, so concurrent votes of one person cannot pass the cap; the
    unique (entry, person) constraint catches a double vote that slipped past anyway.
    """
    challenge_id, user_id = challenge.id, user.id
    vote = vote_of(challenge_id)
    _assert_open(challenge, vote)
    assert vote is not None  # nosec B101 - narrows the type: _assert_open refused a missing vote
    idea = _entry(challenge_id, idea_id)
    if problem := voter_problem(user, vote):
        _refuse_voter(problem, vote)
    if idea.team_id == own_team_id(challenge_id, user):
        raise Forbidden(_("You cannot vote for your own team's entry."), code="own_entry")
    idea_id, title = idea.id, idea.title
    status, vote = _locked_vote(challenge_id)
    if vote is None or vote.status != "open" or status not in RUNNING_STATUSES:
        raise Conflict(_("The public vote is not open: nothing was changed."), code="vote_closed")
    if db.session.scalar(select(exists().where(Vote.idea_id == idea_id, Vote.user_id == user_id))):
        raise Conflict(_("You have already voted for “%(title)s”.", title=title), code="already_voted")
    if _votes_used(challenge_id, user_id) >= vote.votes_per_person:
        raise Conflict(_("You have used all your %(n)s votes. Take one back to vote for another entry.",
                         n=vote.votes_per_person), code="vote_limit_reached")
    row = Vote(challenge_id=challenge_id, idea_id=idea_id, user_id=user_id, created_at=clock.now())
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You have already voted for “%(title)s”.", title=title), code="already_voted") from None
    return row


def withdraw_vote(challenge: Challenge, user: Any, idea_id: Any) -> None:
    """A person takes back their own vote while the vote is open (409 vote_closed afterwards, when
    the count is final); 404 when they had not voted for that entry."""
    challenge_id, user_id = challenge.id, user.id
    _assert_open(challenge, vote_of(challenge_id))
    if not valid_id(idea_id):
        raise NotFound(_("You have not voted for this entry."))
    status, vote = _locked_vote(challenge_id)
    if vote is None or vote.status != "open" or status not in RUNNING_STATUSES:
        raise Conflict(_("The public vote is not open: nothing was changed."), code="vote_closed")
    row = db.session.scalars(select(Vote).where(Vote.challenge_id == challenge_id, Vote.idea_id == idea_id,
                                                Vote.user_id == user_id)).first()
    if row is None:
        raise NotFound(_("You have not voted for this entry."))
    db.session.delete(row)
    db.session.commit()


# --- reading --------------------------------------------------------------------------------

def entries(challenge_id: int, shuffle_for: Any = None) -> list[Entry]:
    """The submitted entries. While people vote, each person sees them in their own stable random
    order, so that no entry gains from always being listed first."""
    rows = db.session.execute(select(Idea.id, Idea.title, Idea.summary, Idea.team_id, Idea.submitted_at)
                              .where(Idea.challenge_id == challenge_id, Idea.status == "submitted")
                              .order_by(Idea.submitted_at, Idea.id)).all()
    found = [Entry(*row) for row in rows]
    if shuffle_for is not None:
        random.Random(f"{challenge_id}:{shuffle_for}").shuffle(found)  # nosec B311 - a fair display order, not a secret
    return found


def my_votes(challenge_id: int, user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(select(Vote.idea_id).join(Idea, Idea.id == Vote.idea_id).where(
        Vote.challenge_id == challenge_id, Vote.user_id == user.id, Idea.status == "submitted")
        .order_by(Vote.created_at, Vote.id)))


def counts(challenge_id: int) -> list[dict[str, Any]]:
    """Every submitted entry with its votes, most first; on a tie the earlier-submitted entry first.
    Callers show it only once the vote is closed."""
    tally = (select(Vote.idea_id, func.count(Vote.id).label("votes")).where(Vote.challenge_id == challenge_id)
             .group_by(Vote.idea_id).subquery())
    votes = func.coalesce(tally.c.votes, 0)
    rows = db.session.execute(select(Idea.id, Idea.title, votes).outerjoin(tally, tally.c.idea_id == Idea.id)
                              .where(Idea.challenge_id == challenge_id, Idea.status == "submitted")
                              .order_by(votes.desc(), Idea.submitted_at, Idea.id)).all()
    return [{"idea_id": idea_id, "title": title, "votes": int(n)} for idea_id, title, n in rows]


def winner(tally: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, bool]:
    """The entry with the most votes (none without votes) and whether another entry tied with it."""
    if not tally or tally[0]["votes"] == 0:
        return None, False
    return tally[0], len(tally) > 1 and tally[1]["votes"] == tally[0]["votes"]


def stats(challenge_id: int) -> dict[str, int]:
    votes, voters = db.session.execute(
        select(func.count(Vote.id), func.count(func.distinct(Vote.user_id))).join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.challenge_id == challenge_id, Idea.status == "submitted")).one()
    return {"votes": int(votes or 0), "voters": int(voters or 0)}


def bursts(challenge_id: int) -> list[dict[str, Any]]:
    """Entries that received many votes from freshly created accounts within a few minutes."""
    rows = db.session.execute(
        select(Vote.idea_id, Vote.user_id, Vote.created_at, User.created_at, Idea.title)
        .join(User, User.id == Vote.user_id).join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.challenge_id == challenge_id, Idea.status == "submitted")).all()
    titles = {row[0]: row[4] for row in rows}
    found = rules.suspicious_bursts(rules.VoteRow(idea_id, user_id, voted_at, created_at)
                                    for idea_id, user_id, voted_at, created_at, _title in rows)
    return [{"idea_id": b.idea_id, "title": titles[b.idea_id], "votes": b.votes, "starts_at": b.starts_at,
             "ends_at": b.ends_at} for b in found]


# --- the award ------------------------------------------------------------------------------

def has_award(challenge_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Award.challenge_id == challenge_id,
                                                        Award.source == "peoples_choice"))))


def award_winner(challenge: Challenge, actor: Any, name: str | None = None) -> Award:
    """Give the vote's winner an award like any other (organisers only), once the vote is closed.

    The winner is the entry with the most votes, the earlier-submitted one on a tie. Refused while
    the vote is open (409 vote_open), without a vote (409 no_vote) or votes (409 no_votes), and
    when the award was already given (409 already_awarded); the awards' own rules then apply.
    """
    require_organiser(challenge, actor)
    name = (name or "").strip() or _("People's choice")
    if len(name) > 200:
        raise ValidationFailed(fields={"name": _("At most %(n)s characters.", n=200)})
    status = status_of(challenge, vote_of(challenge.id))
    if status == "none":
        raise Conflict(_("There was no public vote in this challenge."), code="no_vote")
    if status == "open":
        raise Conflict(_("Close the public vote first: its winner is known only then."), code="vote_open")
    if has_award(challenge.id):
        raise Conflict(_("The People's choice award is already given. Change it on the awards page."),
                       code="already_awarded")
    top, _tied = winner(counts(challenge.id))
    if top is None:
        raise Conflict(_("Nobody voted: there is no winner to award."), code="no_votes")
    from app.results import awards

    return awards.add_award(challenge, actor, idea_id=top["idea_id"], name=name, source="peoples_choice")

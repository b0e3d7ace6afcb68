"""Awards: named prizes, optionally with an amount, given to entries while a challenge is judged;
and the funding proposal of a call for projects.

Every write takes the challenge's row lock before it reads the awards it checks, so two organisers
saving at the same moment are served one after the other and can never together award more than
the budget. Every change is audited with the whole list before and after it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Mapping

from flask_babel import gettext as _
from sqlalchemy import select

from app.challenges.access import valid_id
from app.challenges.models import Challenge
from app.challenges.services import locked_challenge, require_organiser
from app.challenges.validation import BUDGET_LIMIT, storable_text_problem
from app.core import audit, clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.i18n import money
from app.extensions import db
from app.judging.ranking import challenge_ranking
from app.results import rules
from app.results.models import AWARD_SOURCES, Award
from app.submissions.models import Idea
from app.teams.models import Team

NAME_MAX = 200
MAX_AWARDS = 200
CENT = Decimal("0.01")
CLOSED_STATUSES = ("published", "archived")
SCORE_KEYS = {"raw": "raw_mean"}  # the ranking entry's field for each method, when not its name


@dataclass(frozen=True)
class AwardLine:
    """An award as organisers and the results see it: with its entry's title and team name."""

    id: int
    idea_id: int
    title: str
    team: str
    name: str
    amount: Decimal | None
    source: str
    position: int


@dataclass(frozen=True)
class EntryLine:
    """An entry that may win, with its rank and the score of the challenge's method (None: not ranked)."""

    idea_id: int
    rank: int | None
    title: str
    team: str
    score: float | None
    requested: Decimal | None


@dataclass(frozen=True)
class FundingLine:
    """One ranked entry of the funding proposal (see ``rules.propose_funding``), for display."""

    idea_id: int
    rank: int
    title: str
    team: str
    requested: Decimal | None
    outcome: str
    amount: Decimal | None
    remaining_after: Decimal


@dataclass(frozen=True)
class FundingPlan:
    """The budget, what other awards already take from it, and the proposal for what is left."""

    budget: Decimal | None
    awarded_elsewhere: Decimal
    available: Decimal | None
    lines: list[FundingLine]
    # The funding awards already given, by entry: what "apply" would replace.
    current: dict[int, Decimal | None]


def check_awards_editable(challenge: Challenge) -> None:
    """Awards change only while the challenge is judged: 409 ``not_judging`` before judging starts,
    409 ``already_published`` once the results are out (published or archived)."""
    if challenge.status in CLOSED_STATUSES:
        raise Conflict(_("The results are published, so the awards can no longer change."),
                       code="already_published")
    if challenge.status != "judging":
        raise Conflict(_("Awards can be given once judging has started."), code="not_judging")


def awards_of(challenge_id: int) -> list[AwardLine]:
    """The challenge's awards in their order, each with its entry's title and team (one query)."""
    rows = db.session.execute(
        select(Award, Idea.title, Team.name).join(Idea, Idea.id == Award.idea_id).join(Team, Team.id == Idea.team_id)
        .where(Award.challenge_id == challenge_id).order_by(Award.position, Award.id))
    return [AwardLine(award.id, award.idea_id, title, team, award.name, award.amount, award.source, award.position)
            for award, title, team in rows]


def entries(challenge: Challenge) -> list[EntryLine]:
    """The submitted entries of the round, which may win: the ranked ones in rank order, then those
    no juror has scored yet. A constant number of queries."""
    ranking = challenge_ranking(challenge, details=False)
    key = SCORE_KEYS.get(ranking["method"], ranking["method"])
    ranked = {e["idea_id"]: e for e in ranking["entries"]}
    rows = db.session.execute(
        select(Idea.id, Idea.title, Idea.budget_requested, Team.name.label("team")).join(Team, Team.id == Idea.team_id)
        .where(Idea.challenge_id == challenge.id, Idea.status == "submitted", Idea.round == challenge.round))
    found = [EntryLine(r.id, ranked[r.id]["rank"] if r.id in ranked else None, r.title, r.team,
                       ranked[r.id][key] if r.id in ranked else None, r.budget_requested) for r in rows]
    return sorted(found, key=lambda e: (e.rank is None, e.rank or 0, e.title.casefold(), e.idea_id))


# --- checking what is written ----------------------------------------------------------------

def clean_name(value: Any) -> str:
    """An award's name, 1 to 200 characters once trimmed; ValueError says what is wrong."""
    if problem := storable_text_problem(value, NAME_MAX, required=True):
        raise ValueError(problem)
    return value.strip()


def clean_amount(value: Any) -> Decimal | None:
    """An amount of money: none, or from 0 to 999,999,999,999.99 with at most two decimals."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise ValueError(_("Must be an amount, like 25000 or 25000.50."))
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("Must be an amount, like 25000 or 25000.50.")) from None
    if not amount.is_finite() or amount < 0 or amount >= BUDGET_LIMIT:
        raise ValueError(_("Must be an amount from 0 to 999,999,999,999.99."))
    if amount != amount.quantize(CENT):
        raise ValueError(_("Use at most two decimals."))
    return amount.quantize(CENT)


def _clean_award(raw: Any, key: Callable[[str], str], problems: dict[str, str]) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        problems[key("idea_id")] = _("Each award needs an entry and a name.")
        return None
    clean: dict[str, Any] = {"idea_id": raw.get("idea_id"), "source": raw.get("source")}
    if not valid_id(clean["idea_id"]):
        problems[key("idea_id")] = _("Choose an entry of this challenge.")
    for name, check in (("name", clean_name), ("amount", clean_amount)):
        try:
            clean[name] = check(raw.get(name))
        except ValueError as error:
            problems[key(name)] = str(error)
    if clean["source"] is not None and clean["source"] not in AWARD_SOURCES:
        problems[key("source")] = _("Choose one of: %(values)s.", values=", ".join(AWARD_SOURCES))
    return clean


def _check_entries(challenge: Challenge, wanted: Iterable[tuple[str, int]]) -> None:
    """Only the challenge's submitted entries of its current round may win (422 on each field)."""
    wanted = list(wanted)
    ids = {idea_id for _field, idea_id in wanted}
    found = {row.id: row for row in db.session.execute(
        select(Idea.id, Idea.challenge_id, Idea.status, Idea.round).where(Idea.id.in_(ids)))} if ids else {}
    problems: dict[str, str] = {}
    for field, idea_id in wanted:
        idea = found.get(idea_id)
        if idea is None or idea.challenge_id != challenge.id:
            problems[field] = _("This entry is not part of this challenge.")
        elif idea.status != "submitted" or idea.round != challenge.round:
            problems[field] = _("Only submitted entries can win an award.")
    if problems:
        raise ValidationFailed(fields=problems)


def _check_budget(challenge: Challenge, before: Iterable[Decimal | None], after: Iterable[Decimal | None]) -> None:
    """The awards may never add up to more than the budget (422 on ``awards``).

    A change that lowers the total is always allowed, so that awards given before the budget was
    cut can be brought back within it step by step.
    """
    if challenge.budget_total is None:
        return
    total = rules.awards_total(after)
    if total > challenge.budget_total and total > rules.awards_total(before):
        raise ValidationFailed(fields={"awards": _(
            "Budget exceeded: the awards would add up to %(total)s, more than the budget of %(budget)s.",
            total=money(total, challenge.currency), budget=money(challenge.budget_total, challenge.currency))})


# --- writing ---------------------------------------------------------------------------------

def _locked(challenge: Challenge, actor: Any) -> tuple[Challenge, list[Award]]:
    """The challenge under its row lock, still editable, and its awards read under that lock."""
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    check_awards_editable(challenge)
    rows = db.session.scalars(select(Award).where(Award.challenge_id == challenge.id)
                              .order_by(Award.position, Award.id)).all()
    return challenge, list(rows)


def _snapshot(rows: Iterable[Award]) -> list[dict[str, Any]]:
    return [{"idea_id": r.idea_id, "name": r.name, "amount": None if r.amount is None else str(r.amount),
             "source": r.source} for r in rows]


def _new(challenge: Challenge, actor: Any, item: Mapping[str, Any], source: str) -> Award:
    return Award(challenge_id=challenge.id, idea_id=item["idea_id"], name=item["name"], amount=item["amount"],
                 source=source, created_at=clock.now(), created_by_id=actor.id)


def _save(challenge: Challenge, actor: Any, before: list[dict[str, Any]], after: list[Award]) -> None:
    for position, award in enumerate(after):
        award.position = position
    audit.record("awards.changed", actor=actor, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, before=before, after=_snapshot(after))
    db.session.commit()


def replace_awards(challenge: Challenge, actor: Any, awards: list[dict[str, Any]]) -> list[Award]:
    """Replace the whole list of awards with ``awards`` (``{idea_id, name, amount?, source?}`` each,
    in the order given; an empty list removes them all).

    Organisers only, while judging; every entry a submitted one of this challenge's round; the
    budget never exceeded. An award kept with the same entry and name keeps where it came from
    (funding, the public vote) unless ``source`` says otherwise; a new one is the organiser's.
    Errors name the item: ``awards.<index>.<field>``.
    """
    challenge, rows = _locked(challenge, actor)
    if not isinstance(awards, list) or len(awards) > MAX_AWARDS:
        raise ValidationFailed(fields={"awards": _("Give a list of at most %(n)s awards.", n=MAX_AWARDS)})
    problems: dict[str, str] = {}
    items = [_clean_award(raw, lambda name, i=index: f"awards.{i}.{name}", problems)
             for index, raw in enumerate(awards)]
    if problems:
        raise ValidationFailed(fields=problems)
    _check_entries(challenge, [(f"awards.{i}.idea_id", item["idea_id"]) for i, item in enumerate(items)])
    _check_budget(challenge, (r.amount for r in rows), (item["amount"] for item in items))
    sources = {(r.idea_id, r.name): r.source for r in rows}
    before = _snapshot(rows)
    new = [_new(challenge, actor, item, item["source"] or sources.get((item["idea_id"], item["name"]), "organiser"))
           for item in items]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    db.session.add_all(new)
    _save(challenge, actor, before, new)
    return new


def add_award(challenge: Challenge, actor: Any, *, idea_id: Any, name: Any, amount: Any = None,
              source: str = "organiser") -> Award:
    """Give one more award, after the others (organisers, while judging; the same checks as
    ``replace_awards``, with errors on ``idea_id``, ``name``, ``amount`` and ``awards``)."""
    challenge, rows = _locked(challenge, actor)
    problems: dict[str, str] = {}
    item = _clean_award({"idea_id": idea_id, "name": name, "amount": amount, "source": source},
                        lambda field: field, problems)
    if problems or item is None:
        raise ValidationFailed(fields=problems)
    _check_entries(challenge, [("idea_id", item["idea_id"])])
    amounts = [r.amount for r in rows]
    _check_budget(challenge, amounts, amounts + [item["amount"]])
    award = _new(challenge, actor, item, item["source"] or "organiser")
    db.session.add(award)
    _save(challenge, actor, _snapshot(rows), rows + [award])
    return award


def _award(rows: list[Award], award_id: Any) -> Award:
    found = next((r for r in rows if valid_id(award_id) and r.id == award_id), None)
    if found is None:
        raise NotFound(_("This award no longer exists: another organiser may have changed the list."))
    return found


def update_award(challenge: Challenge, actor: Any, award_id: Any, *, name: Any, amount: Any = None) -> Award:
    """Rename an award or change its amount (the same checks as ``add_award``; 404 for an award
    that is not this challenge's)."""
    challenge, rows = _locked(challenge, actor)
    award = _award(rows, award_id)
    problems: dict[str, str] = {}
    item = _clean_award({"idea_id": award.idea_id, "name": name, "amount": amount}, lambda field: field, problems)
    if problems or item is None:
        raise ValidationFailed(fields=problems)
    _check_budget(challenge, [r.amount for r in rows],
                  [item["amount"] if r is award else r.amount for r in rows])
    before = _snapshot(rows)
    award.name, award.amount = item["name"], item["amount"]
    _save(challenge, actor, before, rows)
    return award


def remove_award(challenge: Challenge, actor: Any, award_id: Any) -> None:
    """Take one award back (organisers, while judging); the others keep their order."""
    challenge, rows = _locked(challenge, actor)
    award = _award(rows, award_id)
    before = _snapshot(rows)
    db.session.delete(award)
    _save(challenge, actor, before, [r for r in rows if r is not award])


# --- the funding proposal --------------------------------------------------------------------

def funding_proposal(challenge: Challenge) -> FundingPlan:
    """Fund the ranked entries in rank order with what they requested, within the budget left by
    the awards that are not funding (the funding awards are what applying the proposal replaces).

    Without a budget there is nothing to propose (no lines). A constant number of queries.
    """
    ranking = challenge_ranking(challenge, details=False)
    ids = [entry["idea_id"] for entry in ranking["entries"]]
    ideas = {row.id: row for row in db.session.execute(
        select(Idea.id, Idea.title, Idea.budget_requested, Team.name.label("team"))
        .join(Team, Team.id == Idea.team_id).where(Idea.id.in_(ids)))} if ids else {}
    awards = db.session.execute(select(Award.idea_id, Award.amount, Award.source)
                                .where(Award.challenge_id == challenge.id)).all()
    elsewhere = rules.awards_total(a.amount for a in awards if a.source != "funding")
    current = {a.idea_id: a.amount for a in awards if a.source == "funding"}
    if challenge.budget_total is None:
        return FundingPlan(None, elsewhere, None, [], current)
    available = max(Decimal(challenge.budget_total) - elsewhere, Decimal(0))
    candidates = [rules.Candidate(entry["idea_id"], entry["rank"], ideas[entry["idea_id"]].budget_requested)
                  for entry in ranking["entries"]]
    lines = [FundingLine(p.idea_id, p.rank, ideas[p.idea_id].title, ideas[p.idea_id].team, p.requested, p.outcome,
                         p.amount, p.remaining_after) for p in rules.propose_funding(candidates, available)]
    return FundingPlan(Decimal(challenge.budget_total), elsewhere, available, lines, current)


def apply_funding_proposal(challenge: Challenge, actor: Any, amounts: Mapping[int, Any], name: Any) -> list[Award]:
    """Replace the funding awards with one award named ``name`` per entry given an amount above 0
    (in the order of ``amounts``: rank order from the funding page), after the other awards.

    The organiser may have edited the proposed amounts; the same rules as every award apply,
    the budget included (422 on ``awards``). Errors name the entry: ``amounts.<idea_id>``.
    """
    challenge, rows = _locked(challenge, actor)
    problems: dict[str, str] = {}
    try:
        award_name = clean_name(name)
    except ValueError as error:
        problems["name"] = str(error)
    items = []
    for idea_id, raw in amounts.items():
        key = f"amounts.{idea_id}"
        if not valid_id(idea_id):
            problems[key] = _("Choose an entry of this challenge.")
            continue
        try:
            amount = clean_amount(raw)
        except ValueError as error:
            problems[key] = str(error)
            continue
        if amount:  # no amount, or 0: that entry is not funded
            items.append({"idea_id": idea_id, "amount": amount})
    if problems:
        raise ValidationFailed(fields=problems)
    _check_entries(challenge, [(f"amounts.{item['idea_id']}", item["idea_id"]) for item in items])
    others = [r for r in rows if r.source != "funding"]
    _check_budget(challenge, (r.amount for r in rows),
                  [r.amount for r in others] + [item["amount"] for item in items])
    before = _snapshot(rows)
    new = [_new(challenge, actor, {**item, "name": award_name}, "funding") for item in items]
    for row in rows:
        if row.source == "funding":
            db.session.delete(row)
    db.session.flush()
    db.session.add_all(new)
    _save(challenge, actor, before, others + new)
    return new

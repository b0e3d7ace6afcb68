"""Promoting a published challenge's entry into the portfolio.

The rules:
- only organisers of the entry's challenge (and administrators) promote: someone who cannot see
  the entry gets 404, someone who sees it without organising the challenge 403;
- the results must be published (409 ``not_published``) and the entry submitted or not retained
  (409 ``not_promotable``); an entry is promoted once (409 ``already_promoted``, also when two
  organisers click at the same moment: the unique ``origin_idea_id`` decides);
- the project starts at ``incubation`` when the entry won an award, else at ``idea``; the
  organiser may choose idea, incubation or pilot (422 otherwise);
- it copies the entry's content, and freezes its origin (challenge, entry, team, awards) for good;
- the team members who agreed to be named become its contacts (names only, never addresses);
  every member follows it, named or not, since following is private.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.challenges.models import Challenge, ChallengeOrganiser, Track
from app.core import audit, clock
from app.core.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.portfolio.models import Follow, PortfolioProject, ProjectContact
from app.portfolio.project_rules import clean_promotion_stage
from app.portfolio.services import insert_project
from app.results.models import Award, Publication
from app.submissions.access import can_view_idea, challenge_of, visible_idea
from app.submissions.models import Idea
from app.teams.models import Team, TeamMember

PUBLISHED = ("published", "archived")
PROMOTABLE = ("submitted", "not_retained")


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    named: bool


@dataclass
class PromotionPlan:
    """What promoting an entry would write: shown on the check-your-answers page, then written."""

    idea: Idea
    challenge: Challenge
    team: str
    title: str
    summary: str
    description: str
    organisation: str
    themes: list[str]
    budget: Decimal | None
    currency: str
    awards: list[dict[str, Any]]
    members: list[Member]
    default_stage: str
    project_id: int | None  # the project it already became, if any

    @property
    def contacts(self) -> list[str]:
        return [m.name for m in self.members if m.named]

    @property
    def unnamed(self) -> int:
        return sum(1 for m in self.members if not m.named)


def idea_to_promote(idea_id: Any, user: Any) -> Idea:
    """The entry, for someone who may promote it: 404 when they cannot see it, 403 when they see
    it without organising its challenge."""
    idea = visible_idea(idea_id, user)
    if not challenge_of(idea).is_organiser(user):
        raise Forbidden(_("Only the organisers of this challenge can promote its entries."))
    return idea


def _awards(challenge: Challenge, idea: Idea) -> list[dict[str, Any]]:
    """The entry's awards as published (the frozen snapshot), else as stored."""
    publication = db.session.get(Publication, challenge.id)
    if publication is not None:
        return [{"name": a["name"], "amount": a.get("amount")} for a in publication.awards
                if a.get("idea_id") == idea.id]
    rows = db.session.execute(select(Award.name, Award.amount).where(Award.idea_id == idea.id)
                              .order_by(Award.position, Award.id))
    return [{"name": name, "amount": None if amount is None else float(amount)} for name, amount in rows]


def _organisation(challenge: Challenge) -> str:
    """The organisation of the challenge's longest-standing organiser who gave one."""
    names = db.session.scalars(select(User.organisation).join(ChallengeOrganiser, ChallengeOrganiser.user_id == User.id)
                               .where(ChallengeOrganiser.challenge_id == challenge.id, User.organisation != "")
                               .order_by(ChallengeOrganiser.added_at, ChallengeOrganiser.user_id).limit(1)).all()
    return names[0].strip() if names else ""


def _description(idea: Idea) -> str:
    parts = [(_("Problem"), idea.problem), (_("Solution"), idea.solution), (_("Who benefits"), idea.beneficiaries)]
    return "\n\n".join(f"### {heading}\n\n{body.strip()}" for heading, body in parts if (body or "").strip())


def promotion_plan(idea: Idea) -> PromotionPlan:
    """What the entry would become; a constant number of queries whatever the team's size."""
    challenge = challenge_of(idea)
    team_name = db.session.scalar(select(Team.name).where(Team.id == idea.team_id)) or ""
    track = db.session.scalar(select(Track.name).where(Track.id == idea.track_id)) if idea.track_id else None
    rows = db.session.execute(select(TeamMember.user_id, TeamMember.show_name, User.name, User.erased_at)
                              .join(User, User.id == TeamMember.user_id).where(TeamMember.team_id == idea.team_id)
                              .order_by(TeamMember.joined_at, TeamMember.id))
    members = [Member(r.user_id, r.name, bool(r.show_name)) for r in rows if r.erased_at is None]
    awards = _awards(challenge, idea)
    existing = db.session.scalar(select(PortfolioProject.id).where(PortfolioProject.origin_idea_id == idea.id))
    return PromotionPlan(
        idea=idea, challenge=challenge, team=team_name, title=idea.title or _("Untitled entry"),
        summary=idea.summary or "", description=_description(idea), organisation=_organisation(challenge),
        themes=[track] if track else [], budget=idea.budget_requested, currency=challenge.currency or "EUR",
        awards=awards, members=members, default_stage="incubation" if awards else "idea", project_id=existing)


def check_promotable(plan: PromotionPlan) -> None:
    """409 ``not_published``, ``not_promotable`` or ``already_promoted`` when it cannot be promoted now."""
    if plan.challenge.status not in PUBLISHED:
        raise Conflict(_("Entries can be promoted once the challenge's results are published."), code="not_published")
    if plan.idea.status not in PROMOTABLE:
        raise Conflict(_("Only submitted entries can be promoted."), code="not_promotable")
    if plan.project_id is not None:
        raise _already()


def _already() -> Conflict:
    return Conflict(_("This entry is already in the portfolio."), code="already_promoted")


def promote(idea: Idea, actor: Any, stage: str | None = None) -> PortfolioProject:
    """Promote the entry (the rules are in this module's docstring)."""
    if not can_view_idea(idea, actor):
        raise NotFound()
    if not challenge_of(idea).is_organiser(actor):
        raise Forbidden(_("Only the organisers of this challenge can promote its entries."))
    idea_id = idea.id
    plan = promotion_plan(idea)
    check_promotable(plan)
    chosen = clean_promotion_stage(stage, plan.default_stage)
    plans: list[PromotionPlan] = []

    def build() -> PortfolioProject:
        # Read again under the lock: another organiser may have promoted it meanwhile.
        plan = promotion_plan(db.session.get(Idea, idea_id))
        check_promotable(plan)
        plans.append(plan)
        now = clock.now()
        origin = {"challenge_id": plan.challenge.id, "challenge_title": plan.challenge.title, "idea_id": idea_id,
                  "idea_title": plan.idea.title, "team": plan.team, "awards": plan.awards}
        return PortfolioProject(
            title=plan.title, summary=plan.summary, description=plan.description, organisation=plan.organisation,
            stage=chosen, stopped_reason="", themes=plan.themes, partners=[], budget=plan.budget,
            currency=plan.currency, programme_id=plan.challenge.programme_id, origin_challenge_id=plan.challenge.id,
            origin_idea_id=idea_id, origin=origin, created_at=now, updated_at=now, created_by_id=actor.id, version=1)

    def after(project: PortfolioProject) -> None:
        plan = plans[-1]
        now = clock.now()
        named = [m for m in plan.members if m.named]
        for position, member in enumerate(named):
            db.session.add(ProjectContact(project_id=project.id, user_id=member.user_id, name=member.name,
                                          position=position))
        for member in plan.members:
            db.session.add(Follow(project_id=project.id, user_id=member.user_id, created_at=now))
        audit.record("project.promoted", actor=actor, subject_type="portfolio_project", subject_id=project.id,
                     challenge_id=plan.challenge.id, idea_id=idea_id, reference=project.reference,
                     stage=project.stage, contacts=len(plan.contacts), followers=len(plan.members))

    def duplicate() -> Conflict | None:
        found = db.session.scalar(select(PortfolioProject.id).where(PortfolioProject.origin_idea_id == idea_id))
        return _already() if found is not None else None

    return insert_project(build, after, duplicate)

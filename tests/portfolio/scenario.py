"""A small published portfolio to test against (needs an app context).

Built on ``tests.results.scenario.judged``: the challenge "Smart Health City Iași 2026" gets two
awards (Alpha: "First prize", 25,000; Beta: "Jury mention", no amount) and its results are
published. Then:

- ``promoted``: Alpha's entry, promoted by the organiser (olga@) at the suggested stage
  ``incubation``. Andrei Alpha (a2@) chose not to be named, so the only contact is Ana Alpha;
  both follow the project.
- Beta (awarded), Gamma and Delta (not awarded) are published entries still free to promote.
- ``local``: three local initiatives entered by the administrator (admin@), by title:
  "Telemedicine for rural Iași" (pilot, PNRR + municipal budget, located in Iași with coordinates),
  "Diabetes screening in Copou" (deployed, EU4Health, located in "Copou" without coordinates),
  "Paper-free referrals" (stopped, with a reason).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from app.extensions import db as database
from tests.factories import make_user
from tests.results.scenario import Judged, judged

LOCAL = [
    {"title": "Telemedicine for rural Iași", "summary": "Village clinics consult city specialists by video.",
     "description": "Family doctors in **rural** communes book video consultations.",
     "organisation": "Direcția de Sănătate Publică Iași", "stage": "pilot",
     "themes": ["Telemedicine", "Rural health"], "partners": ["Spitalul Județean Iași", "UMF Iași"],
     "funding_sources": [{"programme": "PNRR", "amount": "120000", "currency": "EUR", "starts_on": "2026-01-01",
                          "ends_on": "2027-12-31"}, "Municipal budget"],
     "budget": "150000", "location": {"name": "Iași", "latitude": 47.1585, "longitude": 27.6014},
     "starts_on": "2026-01-01", "ends_on": "2027-12-31", "contact_name": "Dana Popescu",
     "contact_email": "dana@dsp-iasi.example.org", "website": "https://dsp-iasi.example.org/telemedicine"},
    {"title": "Diabetes screening in Copou", "summary": "Pharmacies screen adults for type 2 diabetes.",
     "organisation": "Asociația Diabet Iași", "stage": "deployed", "themes": ["Prevention"],
     "funding_sources": ["EU4Health"], "location": "Copou"},
    {"title": "Paper-free referrals", "summary": "Electronic referrals between GPs and the county hospital.",
     "organisation": "Primăria Iași", "stage": "stopped",
     "stopped_reason": "The national e-referral system replaced it."},
]


@dataclass
class Portfolio:
    world: Judged
    admin: Any
    promoted: Any
    local: dict[str, Any] = field(default_factory=dict)

    @property
    def challenge(self) -> Any:
        return self.world.challenge

    @property
    def organiser(self) -> Any:
        return self.world.organiser

    @property
    def ideas(self) -> dict[str, Any]:
        return self.world.ideas


def published(db: Any = None) -> tuple[Judged, Any]:
    """The judged challenge with its awards given and its results published; answers it and an
    administrator (admin@example.org)."""
    from app.results.awards import replace_awards
    from app.results.publication import publish_results
    from app.teams.models import TeamMember

    world = judged()
    admin = make_user("admin@example.org", name="Ada Admin", admin=True)
    replace_awards(world.challenge, world.organiser, [
        {"idea_id": world.ideas["Alpha"].id, "name": "First prize", "amount": Decimal("25000")},
        {"idea_id": world.ideas["Beta"].id, "name": "Jury mention"}])
    andrei = world.members["Alpha"][1]
    database.session.execute(update(TeamMember).where(TeamMember.user_id == andrei.id).values(show_name=False))
    database.session.commit()
    publish_results(world.challenge, world.organiser)
    return world, admin


def portfolio(db: Any = None) -> Portfolio:
    """Build the whole scenario (see the module's docstring)."""
    from app.portfolio.services import create_project, promote_idea

    world, admin = published(db)
    promoted = promote_idea(world.ideas["Alpha"], world.organiser)
    local = {data["title"]: create_project(admin, data) for data in LOCAL}
    return Portfolio(world, admin, promoted, local)

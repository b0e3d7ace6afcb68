"""A small judging challenge whose ranking was worked out by hand (see test_ranking_service.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team, make_user


@dataclass
class HandCase:
    challenge: Any
    organiser: Any
    jurors: list[Any]
    ideas: dict[str, Any]
    conflicted: Any


def hand_case(db) -> HandCase:
    """Criteria: Relevance (weight 2) and Feasibility (1), both 1–5; jurors Jana and Kai.

    r per review: A: Jana 5, Kai 3 · B: Jana 3, Kai 2 · C: Jana 3. Lea works at the same hospital as
    team A's captain: her review of A is a conflict and never counts. A draft idea and a withdrawn
    one carry reviews that must not count either.
    """
    organiser = make_user("olga@example.org", name="Olga Organiser")
    challenge = make_challenge(status="judging", organisers=[organiser], title="Telemedicine pilots")
    relevance, feasibility = (c.id for c in challenge.criteria)
    jana = make_user("jana@example.org", name="Jana Juror", organisation="Region Syddanmark")
    kai = make_user("kai@example.org", name="Kai Juror", organisation="Odense Kommune")
    lea = make_user("lea@example.org", name="Lea Juror", organisation="OUH Odense")
    for juror in (jana, kai, lea):
        make_juror(challenge, juror)
    teams = {name: make_team(challenge, make_user(f"{name.lower()}@example.org", name=f"Captain {name}",
                                                  organisation=" ouh  ODENSE " if name == "A" else "Elsewhere"),
                             name=f"Team {name}")
             for name in ("A", "B", "C", "D", "W")}
    ideas = {name: make_idea(teams[name], status="submitted", title=f"Idea {name}") for name in ("A", "B", "C")}
    ideas["D"] = make_idea(teams["D"], status="draft", title="Idea D")
    ideas["W"] = make_idea(teams["W"], status="withdrawn", title="Idea W")

    def review(idea, juror, rel, fea):
        make_review(ideas[idea], juror, {relevance: rel, feasibility: fea})

    review("A", jana, 5, 5)
    review("A", kai, 4, 1)
    review("B", jana, 3, 3)
    review("B", kai, 2, 2)
    review("C", jana, 4, 1)
    review("A", lea, 1, 1)  # conflicted
    review("D", jana, 1, 1)  # a draft
    review("W", kai, 5, 5)  # withdrawn
    return HandCase(challenge, organiser, [jana, kai, lea], ideas, lea)

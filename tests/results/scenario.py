"""A judged challenge ready for results: four submitted entries with reviews, a draft and a
withdrawn one, three jurors (one conflicted with a team), a budget and requested amounts.

Ranks (raw means, criteria Relevance ×2 and Feasibility ×1, scale 1–5):
    Alpha 4.0+ · Beta · Gamma · Delta — see ``judged`` for the exact scores.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team, make_user


@dataclass
class Judged:
    challenge: Any
    organiser: Any
    outsider: Any
    jurors: list[Any]
    teams: dict[str, Any]
    ideas: dict[str, Any]
    members: dict[str, list[Any]] = field(default_factory=dict)


def judged(db: Any = None, *, budget: Decimal | None = Decimal("100000"), blind: bool = False,
           visibility: str = "full", title: str = "Smart Health City Iași 2026") -> Judged:
    """Build the scenario (needs an app context). Emails: olga@ (organiser), juror1..3@, a1@, a2@
    (team Alpha), b1@ (Beta), c1@ (Gamma), d1@ (Delta), e1@ (Epsilon, draft), w1@ (withdrawn),
    out@ (a registered outsider). Juror 3 works at Delta's organisation: conflicted."""
    organiser = make_user("olga@example.org", name="Olga Organiser")
    outsider = make_user("out@example.org", name="Otto Outsider")
    challenge = make_challenge(status="judging", organisers=[organiser], title=title, kind="call",
                               opens_in=dt.timedelta(days=-30), deadline_in=dt.timedelta(days=-2),
                               budget_total=budget, blind_review=blind, results_visibility=visibility)
    relevance, feasibility = (c.id for c in challenge.criteria)
    jurors = [make_user(f"juror{n}@example.org", name=f"Juror {n}",
                        organisation="Spitalul Județean" if n == 3 else f"Org {n}", locale=("en", "ro", "fr")[n - 1])
              for n in (1, 2, 3)]
    for juror in jurors:
        make_juror(challenge, juror)
    people = {
        "Alpha": [make_user("a1@example.org", name="Ana Alpha", locale="ro"),
                  make_user("a2@example.org", name="Andrei Alpha", locale="en")],
        "Beta": [make_user("b1@example.org", name="Bea Beta", locale="fr")],
        "Gamma": [make_user("c1@example.org", name="Carla Gamma", locale="it")],
        "Delta": [make_user("d1@example.org", name="Dan Delta", organisation="spitalul  județean", locale="da")],
        "Epsilon": [make_user("e1@example.org", name="Eva Epsilon")],
        "Withdrawn": [make_user("w1@example.org", name="Walt Withdrawn")],
    }
    teams = {name: make_team(challenge, *members, name=f"Team {name}") for name, members in people.items()}
    requested = {"Alpha": Decimal("60000"), "Beta": Decimal("50000"), "Gamma": Decimal("30000"), "Delta": None}
    ideas = {name: make_idea(teams[name], status="submitted", title=f"Idea {name}", budget_requested=amount,
                             summary=f"Summary of {name}.")
             for name, amount in requested.items()}
    ideas["Epsilon"] = make_idea(teams["Epsilon"], status="draft", title="Idea Epsilon")
    ideas["Withdrawn"] = make_idea(teams["Withdrawn"], status="withdrawn", title="Idea Withdrawn")
    j1, j2, j3 = jurors
    scores = {  # (relevance, feasibility) per juror
        "Alpha": {j1: (5, 5), j2: (5, 4), j3: (4, 4)},
        "Beta": {j1: (4, 4), j2: (4, 3), j3: (4, 3)},
        "Gamma": {j1: (3, 3), j2: (3, 2), j3: (2, 2)},
        "Delta": {j1: (2, 2), j2: (1, 2)},
    }
    for name, by_juror in scores.items():
        for juror, (rel, fea) in by_juror.items():
            make_review(ideas[name], juror, {relevance: rel, feasibility: fea},
                        comment=f"Comment from {juror.name} on {name}.",
                        private_note=f"PRIVATE note of {juror.name} on {name}.")
    return Judged(challenge, organiser, outsider, jurors, teams, ideas, people)

"""The funding proposal built from the ranking and the budget, and applying it (edited or not)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.errors import DomainError
from app.extensions import db as database
from app.results import awards
from tests.results.scenario import judged

D = Decimal


@pytest.fixture
def world(db, frozen_clock):
    return judged(db)


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    database.session.rollback()
    return caught.value


def rows(world):
    return [(a.title, a.name, a.amount, a.source) for a in awards.awards_of(world.challenge.id)]


def test_the_proposal_funds_in_rank_order_and_says_what_it_skips(db, world):
    plan = awards.funding_proposal(world.challenge)
    assert (plan.budget, plan.awarded_elsewhere, plan.available, plan.current) == (D("100000"), D("0"), D("100000"), {})
    assert [(line.rank, line.title, line.team, line.requested, line.outcome, line.amount, line.remaining_after)
            for line in plan.lines] == [
        (1, "Idea Alpha", "Team Alpha", D("60000"), "funded", D("60000"), D("40000")),
        (2, "Idea Beta", "Team Beta", D("50000"), "too_big", None, D("40000")),
        (3, "Idea Gamma", "Team Gamma", D("30000"), "funded", D("30000"), D("10000")),
        (4, "Idea Delta", "Team Delta", None, "no_request", None, D("10000")),
    ]


def test_other_awards_take_their_share_of_the_budget_first(db, world):
    awards.add_award(world.challenge, world.organiser, idea_id=world.ideas["Delta"].id, name="Mention",
                     amount=D("20000"))
    awards.add_award(world.challenge, world.organiser, idea_id=world.ideas["Beta"].id, name="Old funding",
                     amount=D("50000"), source="funding")
    plan = awards.funding_proposal(world.challenge)
    assert (plan.awarded_elsewhere, plan.available) == (D("20000"), D("80000"))
    assert plan.current == {world.ideas["Beta"].id: D("50000")}
    assert [line.outcome for line in plan.lines] == ["funded", "too_big", "too_big", "no_request"]


def test_without_a_budget_there_is_nothing_to_propose(db, frozen_clock):
    world = judged(db, budget=None)
    plan = awards.funding_proposal(world.challenge)
    assert plan.budget is None and plan.available is None and plan.lines == []


def test_applying_replaces_the_funding_awards_and_keeps_the_others(db, world):
    alpha, beta, gamma, delta = (world.ideas[n].id for n in ("Alpha", "Beta", "Gamma", "Delta"))
    awards.add_award(world.challenge, world.organiser, idea_id=delta, name="Mention")
    awards.add_award(world.challenge, world.organiser, idea_id=beta, name="Old funding", amount=1, source="funding")
    plan = awards.funding_proposal(world.challenge)
    amounts = {line.idea_id: line.amount for line in plan.lines}
    awards.apply_funding_proposal(world.challenge, world.organiser, amounts, " Funding ")
    assert rows(world) == [("Idea Delta", "Mention", None, "organiser"),
                           ("Idea Alpha", "Funding", D("60000.00"), "funding"),
                           ("Idea Gamma", "Funding", D("30000.00"), "funding")]
    # The organiser edits the proposal: less for Alpha, Beta funded after all, Gamma not (0).
    awards.apply_funding_proposal(world.challenge, world.organiser,
                                  {alpha: "40000", beta: D("50000"), gamma: 0, delta: None}, "Grant")
    assert rows(world) == [("Idea Delta", "Mention", None, "organiser"),
                           ("Idea Alpha", "Grant", D("40000.00"), "funding"),
                           ("Idea Beta", "Grant", D("50000.00"), "funding")]
    details = database.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "awards.changed")
                                       .order_by(AuditEvent.id.desc())).first()
    assert [a["name"] for a in details["before"]] == ["Mention", "Funding", "Funding"]
    assert [(a["name"], a["amount"]) for a in details["after"]] == [("Mention", None), ("Grant", "40000.00"),
                                                                   ("Grant", "50000.00")]


def test_edited_amounts_still_may_not_exceed_the_budget(db, world):
    alpha, beta = world.ideas["Alpha"].id, world.ideas["Beta"].id
    awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="Prize", amount=D("10000"))
    error = refused(lambda: awards.apply_funding_proposal(world.challenge, world.organiser,
                                                          {alpha: D("60000"), beta: D("30000.01")}, "Funding"))
    assert error.status == 422 and set(error.fields) == {"awards"}
    assert error.fields["awards"].startswith("Budget exceeded")
    assert rows(world) == [("Idea Alpha", "Prize", D("10000.00"), "organiser")]
    awards.apply_funding_proposal(world.challenge, world.organiser, {alpha: D("60000"), beta: D("30000")}, "Funding")
    assert sum(a.amount for a in awards.awards_of(world.challenge.id)) == D("100000")


def test_bad_amounts_names_and_entries_are_refused_by_entry(db, world):
    alpha, epsilon = world.ideas["Alpha"].id, world.ideas["Epsilon"].id
    error = refused(lambda: awards.apply_funding_proposal(world.challenge, world.organiser,
                                                          {alpha: D("-1"), 0: D("1")}, ""))
    assert error.fields == {"name": "This field is required.",
                            f"amounts.{alpha}": "Must be an amount from 0 to 999,999,999,999.99.",
                            "amounts.0": "Choose an entry of this challenge."}
    error = refused(lambda: awards.apply_funding_proposal(world.challenge, world.organiser, {epsilon: 5}, "Funding"))
    assert error.fields == {f"amounts.{epsilon}": "Only submitted entries can win an award."}
    # An entry left without an amount is not checked: it gets nothing.
    awards.apply_funding_proposal(world.challenge, world.organiser, {epsilon: None, alpha: 5}, "Funding")
    assert rows(world) == [("Idea Alpha", "Funding", D("5.00"), "funding")]


def test_only_organisers_apply_a_proposal(db, world):
    error = refused(lambda: awards.apply_funding_proposal(world.challenge, world.jurors[0],
                                                          {world.ideas["Alpha"].id: 1}, "Funding"))
    assert error.status == 403 and rows(world) == []

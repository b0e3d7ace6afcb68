"""The funding proposal and the awards total, on hand-made examples (no database)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.results.rules import Candidate, Proposal, awards_total, propose_funding

D = Decimal


def plan(budget, *requests):
    """Candidates ranked 1, 2, 3… with these requests; answers (outcome, amount, remaining) per rank."""
    candidates = [Candidate(idea_id=100 + rank, rank=rank, requested=None if r is None else D(r))
                  for rank, r in enumerate(requests, start=1)]
    return [(p.outcome, p.amount, p.remaining_after) for p in propose_funding(candidates, D(budget))]


def test_skips_what_no_longer_fits_then_funds_a_smaller_one_further_down():
    assert plan("100000", "60000", "50000", "30000", None) == [
        ("funded", D("60000"), D("40000")),
        ("too_big", None, D("40000")),  # 50 000 no longer fits: skipped, said so
        ("funded", D("30000"), D("10000")),  # a smaller request further down still fits
        ("no_request", None, D("10000")),
    ]


def test_an_entry_without_a_request_is_not_funded_and_takes_nothing():
    assert plan("1000", None, "0", "400") == [
        ("no_request", None, D("1000")),
        ("no_request", None, D("1000")),
        ("funded", D("400"), D("600")),
    ]


def test_an_exact_fit_is_funded_and_leaves_nothing_for_the_next():
    assert plan("100", "60", "40", "0.01") == [
        ("funded", D("60"), D("40")),
        ("funded", D("40"), D("0")),
        ("too_big", None, D("0")),
    ]


def test_a_zero_budget_funds_nothing():
    assert plan("0", "1", None, "0.01") == [("too_big", None, D("0")), ("no_request", None, D("0")),
                                            ("too_big", None, D("0"))]


def test_an_empty_ranking_proposes_nothing():
    assert propose_funding([], D("500")) == []


def test_entries_are_taken_in_rank_order_whatever_the_order_given():
    candidates = [Candidate(3, 3, D("10")), Candidate(1, 1, D("80")), Candidate(2, 2, D("30"))]
    proposals = propose_funding(candidates, D("100"))
    assert [p.idea_id for p in proposals] == [1, 2, 3]
    assert [p.outcome for p in proposals] == ["funded", "too_big", "funded"]
    assert proposals[2] == Proposal(3, 3, D("10"), "funded", D("10"), D("10"))


def test_cents_add_up_exactly():
    # In floating point 0.1 + 0.2 > 0.3; money in Decimal fits to the cent.
    assert plan("0.30", "0.10", "0.20") == [("funded", D("0.10"), D("0.20")), ("funded", D("0.20"), D("0.00"))]


def test_the_budget_may_be_given_as_a_whole_number():
    proposals = propose_funding([Candidate(1, 1, D("5"))], 10)
    assert proposals[0].remaining_after == D("5")


@pytest.mark.parametrize("amounts, total", [
    ([], D("0")),
    ([None, None], D("0")),
    ([D("10.50"), None, D("0.50")], D("11.00")),
    ([D("999999999999.99"), D("0.01")], D("1000000000000.00")),
])
def test_awards_total_ignores_prizes_without_money(amounts, total):
    assert awards_total(amounts) == total

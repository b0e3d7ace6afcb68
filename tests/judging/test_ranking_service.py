"""The ranking service against a case worked out by hand, and what it leaves out.

The hand case (tests/judging/ranking_helpers.py), criteria Relevance ×2 and Feasibility ×1:
    A: Jana (5,5) r=5, Kai (4,1) r=3      → raw mean 4,   spread 2 (≥ 40 % of 4: discuss)
    B: Jana (3,3) r=3, Kai (2,2) r=2      → raw mean 2.5, spread 1
    C: Jana (4,1) r=3                     → raw mean 3,   spread 0
Jana: mean 11/3, σ = √8/3; Kai: mean 2.5, σ = 0.5.
normalized: A (√2 + 1)/2, B (−1/√2 − 1)/2, C −1/√2.
Calibrated, with μ = 3.2: (D + I − C)·b = residuals gives [[2, −1], [−1, 2]]·b = [1.5, −1.5], so
b = (+0.5, −0.5) and A 4.0, B 2.5, C 2.5 — a tie that the raw mean breaks: A, C, B.
ICC(1): MSB = 1.15, MSW = 1.25, k₀ = 1.6 → −0.1 / 1.9.
"""
import math

import pytest
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.judging.models import Assignment, Conflict, SafetyFlag
from app.judging.ranking import certainty, challenge_ranking, contract_view, resolve_round
from tests.factories import make_assignment, make_idea, make_review, make_team, make_user
from tests.judging.ranking_helpers import hand_case

APPROX = dict(abs=1e-9)


def ids(case, *names):
    return [case.ideas[name].id for name in names]


def test_hand_computed_calibrated_ranking(db):
    case = hand_case(db)
    ranking = challenge_ranking(case.challenge)
    assert ranking["method"] == "calibrated"
    assert [e["idea_id"] for e in ranking["entries"]] == ids(case, "A", "C", "B")
    assert [e["rank"] for e in ranking["entries"]] == [1, 2, 3]
    a, c, b = ranking["entries"]
    assert (a["raw_mean"], b["raw_mean"], c["raw_mean"]) == pytest.approx((4, 2.5, 3), **APPROX)
    assert (a["spread"], b["spread"], c["spread"]) == pytest.approx((2, 1, 0), **APPROX)
    assert (a["reviews"], b["reviews"], c["reviews"]) == (2, 2, 1)
    assert (a["calibrated"], b["calibrated"], c["calibrated"]) == pytest.approx((4, 2.5, 2.5), **APPROX)
    assert a["normalized"] == pytest.approx((math.sqrt(2) + 1) / 2, **APPROX)
    assert b["normalized"] == pytest.approx((-1 / math.sqrt(2) - 1) / 2, **APPROX)
    assert c["normalized"] == pytest.approx(-1 / math.sqrt(2), **APPROX)
    assert a["title"] == "Idea A" and a["team_id"] == case.ideas["A"].team_id
    jana, kai, _lea = case.jurors
    assert [j["juror_id"] for j in ranking["jurors"]] == [jana.id, kai.id]
    first, second = ranking["jurors"]
    assert (first["reviews"], first["mean"], first["sd"], first["offset"]) == pytest.approx(
        (3, 11 / 3, math.sqrt(8) / 3, 0.5), **APPROX)
    assert (second["reviews"], second["mean"], second["sd"], second["offset"]) == pytest.approx(
        (2, 2.5, 0.5, -0.5), **APPROX)
    assert ranking["reliability"]["icc1"] == pytest.approx(-0.1 / 1.9, **APPROX)


@pytest.mark.parametrize("method, order", [("raw", "ACB"), ("normalized", "ACB"), ("calibrated", "ACB")])
def test_other_methods_rank_by_their_score(db, method, order):
    case = hand_case(db)
    ranking = challenge_ranking(case.challenge, method=method)
    assert ranking["method"] == method
    assert [e["idea_id"] for e in ranking["entries"]] == ids(case, *order)


def test_the_challenges_method_is_the_default(db):
    case = hand_case(db)
    case.challenge.ranking_method = "raw"
    db.session.commit()
    assert challenge_ranking(case.challenge)["method"] == "raw"
    with pytest.raises(ValidationFailed) as refused:
        challenge_ranking(case.challenge, method="alphabetical")
    assert "method" in refused.value.fields


def test_conflicted_draft_and_withdrawn_reviews_do_not_count(db):
    case = hand_case(db)
    ranking = challenge_ranking(case.challenge)
    lea = case.conflicted
    assert lea.id not in {j["juror_id"] for j in ranking["jurors"]}
    assert {e["idea_id"] for e in ranking["entries"]} == set(ids(case, "A", "B", "C"))
    # Jana's review of the draft and Kai's of the withdrawn idea leave their statistics alone.
    assert ranking["jurors"][0]["reviews"] == 3 and ranking["jurors"][1]["reviews"] == 2
    assert ranking["progress"]["jurors"][2] == {"juror_id": lea.id, "name": "Lea Juror", "assigned": 0, "scored": 0}


def test_a_recorded_conflict_removes_the_review_from_the_ranking(db):
    case = hand_case(db)
    jana = case.jurors[0]
    db.session.add(Conflict(challenge_id=case.challenge.id, juror_user_id=jana.id,
                            team_id=case.ideas["C"].team_id, source="organiser", reason="Former colleague"))
    db.session.commit()
    ranking = challenge_ranking(case.challenge)
    # C had only Jana's review: it is no longer ranked.
    assert [e["idea_id"] for e in ranking["entries"]] == ids(case, "A", "B")
    entry = {e["idea_id"]: e for e in ranking["progress"]["entries"]}[case.ideas["C"].id]
    assert entry["assigned"] == 0 and entry["scored"] == 0


def test_an_incomplete_review_and_a_review_of_another_round_do_not_count(db):
    case = hand_case(db)
    relevance, _feasibility = (c.id for c in case.challenge.criteria)
    extra = make_user("max@example.org", name="Max Juror")
    make_review(case.ideas["C"], extra, {relevance: 1})
    make_review(case.ideas["C"], extra, {c.id: 1 for c in case.challenge.criteria}, round_=2)
    ranking = challenge_ranking(case.challenge)
    assert extra.id not in {j["juror_id"] for j in ranking["jurors"]}
    assert {e["idea_id"]: e["reviews"] for e in ranking["entries"]}[case.ideas["C"].id] == 1


def test_a_past_round_ranks_the_ideas_submitted_in_it(db):
    case = hand_case(db)
    case.challenge.round = 2
    case.ideas["B"].status = "not_retained"
    case.ideas["A"].round = 2
    db.session.commit()
    past = challenge_ranking(case.challenge, 1)
    assert past["round"] == 1
    assert [e["idea_id"] for e in past["entries"]] == ids(case, "A", "C", "B")
    current = challenge_ranking(case.challenge)
    assert current["round"] == 2 and current["entries"] == []
    assert [e["idea_id"] for e in current["progress"]["entries"]] == ids(case, "A")
    for bad in (0, 3, -1, True):
        with pytest.raises(ValidationFailed):
            resolve_round(case.challenge, bad)


def test_console_details(db):
    case = hand_case(db)
    jana, kai, _lea = case.jurors
    make_assignment(case.ideas["C"], kai)  # assigned, not scored yet
    db.session.add(SafetyFlag(challenge_id=case.challenge.id, idea_id=case.ideas["B"].id, raised_by_id=kai.id,
                              kind="data_protection", reason="Video calls through a consumer app."))
    db.session.add(SafetyFlag(challenge_id=case.challenge.id, idea_id=case.ideas["A"].id, raised_by_id=kai.id,
                              kind="patient_safety", reason="Settled", cleared=True))
    db.session.commit()
    ranking = challenge_ranking(case.challenge)
    assert ranking["disagreements"] == ids(case, "A")
    assert ranking["scale"] == {"min": 1.0, "max": 5.0}
    assert ranking["icc1_reading"] == "poor"
    assert [a["name"] for a in ranking["alpha"]] == ["Relevance", "Feasibility"]
    assert all(a["reading"] in ("poor", "moderate", "good", "excellent", None) for a in ranking["alpha"])
    assert ranking["top3"] == {idea_id: 1.0 for idea_id in ids(case, "A", "B", "C")}  # three entries: all in
    by_juror = {row["juror_id"]: (row["assigned"], row["scored"]) for row in ranking["progress"]["jurors"]}
    assert by_juror[jana.id] == (3, 3) and by_juror[kai.id] == (3, 2)
    by_entry = {row["idea_id"]: (row["assigned"], row["scored"]) for row in ranking["progress"]["entries"]}
    assert by_entry == {case.ideas["A"].id: (2, 2), case.ideas["B"].id: (2, 2), case.ideas["C"].id: (2, 1)}
    assert [(f.idea_title, f.kind, f.raised_by) for f in ranking["flags"]] == [
        ("Idea B", "data_protection", "Kai Juror")]
    assert sorted(ranking["juror_scores"][jana.id]) == pytest.approx([3, 3, 5])
    assert ranking["entry_ranges"][case.ideas["A"].id] == pytest.approx((3, 5))
    assert set(contract_view(ranking)) == {"method", "entries", "jurors", "reliability"}
    # The conflicted juror's assignment to A is not counted as work to do.
    assert db.session.scalar(select(Assignment.id).where(Assignment.juror_user_id == case.conflicted.id)) is not None


def test_the_bootstrap_separates_solid_places_from_coin_tosses(db):
    case = hand_case(db)
    relevance, feasibility = (c.id for c in case.challenge.criteria)
    jana, kai, _lea = case.jurors
    for n, (jana_score, kai_score) in enumerate([(5, 1), (2, 2), (1, 1), (4, 4), (1, 5)]):
        team = make_team(case.challenge, make_user(f"extra{n}@example.org"), name=f"Extra {n}")
        idea = make_idea(team, status="submitted", title=f"Extra {n}")
        make_review(idea, jana, {relevance: jana_score, feasibility: jana_score})
        make_review(idea, kai, {relevance: kai_score, feasibility: kai_score})
    ranking = challenge_ranking(case.challenge, method="raw")
    assert ranking["top3"] == challenge_ranking(case.challenge, method="raw")["top3"]  # a fixed seed
    assert sum(ranking["top3"].values()) == pytest.approx(3)
    worst = ranking["entries"][-1]["idea_id"]
    assert ranking["top3"][worst] == 0 and certainty(ranking["top3"][worst]) == "solid"


@pytest.mark.parametrize("p, reading", [(1.0, "solid"), (0.9, "solid"), (0.1, "solid"), (0.0, "solid"),
                                        (0.85, "uncertain"), (0.2, "uncertain"), (0.7, "coin_toss"),
                                        (0.5, "coin_toss"), (0.3, "coin_toss")])
def test_certainty_words(p, reading):
    assert certainty(p) == reading


def test_no_review_yet_gives_an_empty_ranking(db):
    organiser = make_user("olga@example.org")
    from tests.factories import make_challenge

    challenge = make_challenge(status="judging", organisers=[organiser])
    make_idea(make_team(challenge, make_user("t@example.org")), status="submitted")
    ranking = challenge_ranking(challenge)
    assert ranking["entries"] == [] and ranking["jurors"] == [] and ranking["reliability"] == {"icc1": None}
    assert ranking["top3"] == {} and ranking["disagreements"] == [] and len(ranking["progress"]["entries"]) == 1

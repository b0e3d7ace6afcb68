"""Reliability of the jury and solidity of the ranking: Krippendorff's alpha, readings, bootstrap."""
from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.judging.scoring import METHODS, Criterion, Entry, Review, rank
from app.judging.statistics import (
    alpha_per_criterion, bootstrap_top_k, krippendorff_alpha_interval, reliability_reading,
)

T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
ONE = [Criterion("q", 1, 1, 10)]

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with missing
# values: 4 observers (rows) × 12 units (columns); None where an observer gave no value.
_ = None
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


# --- Krippendorff's alpha, interval metric ---------------------------------------------------------

def test_alpha_of_the_2011_example_is_0_849():
    units = {u: [row[u] for row in KRIPPENDORFF_2011] for u in range(12)}
    # Unit 12 has one value and is not pairable: n = 40 pairable values in 11 units.
    # Disagreeing units (Σ_{i≠j} δ² / (mᵤ − 1)): unit 2 (2, 2, 3, 2): 2·3·1 / 3 = 2;
    # unit 6 (1, 2, 3, 4): 2·(1 + 4 + 9 + 1 + 4 + 1) / 3 = 40/3; unit 8 (1, 1, 2, 1): 2.
    # D_o = (2 + 40/3 + 2) / 40 = 13/30.
    # Values: nine 1s, thirteen 2s, ten 3s, five 4s, three 5s; Σ_{i≠j} δ² = 4480, so
    # D_e = 4480 / (40·39) = 112/39 and α = 1 − (13/30)·(39/112) = 951/1120 ≈ 0.849.
    alpha = krippendorff_alpha_interval(units)
    assert alpha == pytest.approx(951 / 1120, abs=1e-12)
    assert round(alpha, 3) == 0.849  # the published value


def test_alpha_by_hand_on_two_units():
    # Units (1, 2) and (3, 5), n = 4. D_o = (2·1/1 + 2·4/1) / 4 = 2.5.
    # Pairs over 1, 2, 3, 5: 1 + 4 + 16 + 1 + 9 + 4 = 35, both orders 70: D_e = 70/12.
    # α = 1 − 2.5 · 12/70 = 4/7.
    assert krippendorff_alpha_interval({"a": [1, 2], "b": [3, 5]}) == pytest.approx(4 / 7, abs=1e-12)
    # A unit with one value and missing values change nothing.
    assert krippendorff_alpha_interval({"a": [1, None, 2], "b": [3, 5, math.nan], "c": [9]}) == pytest.approx(4 / 7)


def test_alpha_of_perfect_agreement_is_1():
    assert krippendorff_alpha_interval({"a": [3, 3, 3], "b": [5, 5], "c": [1, 1]}) == 1.0


@pytest.mark.parametrize("units", [
    {},
    {"a": [3], "b": [4]},  # nothing pairable
    {"a": [3, None], "b": [None, 4]},
    {"a": [3, 3], "b": [3, 3, 3]},  # no variation at all
])
def test_alpha_is_none_when_not_computable(units):
    assert krippendorff_alpha_interval(units) is None


def coincidence_alpha(units):
    """The textbook route, exactly: the coincidence matrix o_ck = Σᵤ (c–k pairs in u)/(mᵤ − 1),
    D_o = Σ o_ck·δ²_ck / n, D_e = Σ n_c·n_k·δ²_ck / (n(n − 1))."""
    pairable = [[v for v in values if v is not None] for values in units.values()]
    pairable = [values for values in pairable if len(values) >= 2]
    coincidences: dict[tuple[int, int], Fraction] = {}
    for values in pairable:
        for a in range(len(values)):
            for b in range(len(values)):
                if a != b:
                    key = (values[a], values[b])
                    coincidences[key] = coincidences.get(key, Fraction(0)) + Fraction(1, len(values) - 1)
    margins: dict[int, Fraction] = {}
    for (c, _k), o in coincidences.items():
        margins[c] = margins.get(c, Fraction(0)) + o
    n = sum(margins.values())
    observed = sum(o * (c - k) ** 2 for (c, k), o in coincidences.items()) / n
    expected = sum(margins[c] * margins[k] * (c - k) ** 2 for c in margins for k in margins) / (n * (n - 1))
    return 1 - observed / expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(0, 20), st.lists(st.one_of(st.none(), st.integers(1, 7)), max_size=5),
                       max_size=10))
def test_alpha_equals_the_coincidence_matrix_computation(units):
    values = [v for vs in units.values() if len([x for x in vs if x is not None]) >= 2 for v in vs if v is not None]
    alpha = krippendorff_alpha_interval(units)
    if len(set(values)) < 2:
        assert alpha is None
    else:
        assert alpha == pytest.approx(float(coincidence_alpha(units)), abs=1e-9)


def test_alpha_per_criterion_shows_the_vague_criterion():
    criteria = [Criterion("clear", 1, 1, 10), Criterion("vague", 1, 1, 10), Criterion("rare", 1, 1, 10)]
    table = [
        Review("A", "j1", {"clear": 9, "vague": 2}), Review("A", "j2", {"clear": 9, "vague": 9, "rare": 4}),
        Review("B", "j1", {"clear": 3, "vague": 8}), Review("B", "j2", {"clear": 3, "vague": 1}),
    ]
    alphas = alpha_per_criterion(table, criteria)
    assert list(alphas) == ["clear", "vague", "rare"]
    assert alphas["clear"] == 1.0
    # vague: units (2, 9), (8, 1): D_o = (2·49 + 2·49)/4 = 49; values 1, 2, 8, 9: Σ_{i<j} δ² =
    # 1 + 49 + 64 + 36 + 49 + 1 = 200, D_e = 400/12; α = 1 − 49·12/400 = −0.47.
    assert alphas["vague"] == pytest.approx(-0.47, abs=1e-12)
    assert alphas["rare"] is None  # one value only
    assert reliability_reading(alphas["vague"]) == "poor"


# --- plain-language reading ----------------------------------------------------------------------

@pytest.mark.parametrize("value, code", [
    (None, "poor"), (math.nan, "poor"), (-0.3, "poor"), (0.0, "poor"), (0.4999, "poor"),
    (0.5, "moderate"), (0.7499, "moderate"), (0.75, "good"), (0.8999, "good"), (0.9, "excellent"), (1.0, "excellent"),
])
def test_reliability_reading(value, code):
    assert reliability_reading(value) == code


# --- bootstrap of the top k ------------------------------------------------------------------------

def test_bootstrap_probability_by_hand():
    # A: reviews 9 and 1; B: one review of 5. Method raw, k = 1. A resample of A is (9, 9), (9, 1),
    # (1, 9) or (1, 1): mean 9 with p = 1/4, 5 with p = 1/2, 1 with p = 1/4. At 5 it ties with B on
    # score and raw mean, and A was submitted first: P(A first) = 1/4 + 1/2 = 3/4.
    given = [Entry("A", minutes(0)), Entry("B", minutes(1))]
    table = [Review("A", "j1", {"q": 9}), Review("A", "j2", {"q": 1}), Review("B", "j1", {"q": 5})]
    top = bootstrap_top_k(given, table, ONE, "raw", k=1, samples=20_000, seed=1)
    assert top["A"] == pytest.approx(0.75, abs=0.015)  # 20,000 draws: sd ≈ 0.003
    assert top["A"] + top["B"] == pytest.approx(1.0)


def challenge():
    """Six ideas, four jurors of different severity; B is clearly best, F clearly worst."""
    given = [Entry(i, minutes(n)) for n, i in enumerate("ABCDEF")]
    scores = {"A": (6, 7, 5), "B": (9, 10, 9), "C": (7, 4, 6), "D": (5, 6, 7), "E": (6, 5, 8), "F": (1, 2, 1)}
    jurors = {"A": "123", "B": "234", "C": "341", "D": "412", "E": "123", "F": "234"}
    table = [Review(i, j, {"q": s}) for i in scores for j, s in zip(jurors[i], scores[i])]
    return given, table


@pytest.mark.parametrize("method", METHODS)
def test_bootstrap_is_deterministic_and_its_probabilities_add_up_to_k(method):
    given, table = challenge()
    first = bootstrap_top_k(given, table, ONE, method, k=3, samples=500, seed=7)
    assert first == bootstrap_top_k(given, table, ONE, method, k=3, samples=500, seed=7)
    assert list(first) == list("ABCDEF")
    assert sum(first.values()) == pytest.approx(3.0)
    assert all(0 <= p <= 1 for p in first.values())
    # Clear cases stay clear (z-scores can still wobble: a resample may leave a juror with one value).
    assert first["B"] >= 0.95 and first["F"] <= 0.05


def test_bootstrap_agrees_with_the_ranking_when_resampling_cannot_change_anything():
    # Single reviews (and identical ones) resample to themselves: the top 2 of the ranking, surely.
    given = [Entry(i, minutes(n)) for n, i in enumerate("ABCD")]
    table = [Review("A", "j1", {"q": 5}), Review("B", "j2", {"q": 7}), Review("C", "j1", {"q": 7}),
             Review("C", "j1", {"q": 7}), Review("D", "j2", {"q": 2})]
    for method in METHODS:
        top2 = {e.idea_id for e in rank(given, table, ONE, method).entries[:2]}
        top = bootstrap_top_k(given, table, ONE, method, k=2, samples=50)
        assert top == {i: (1.0 if i in top2 else 0.0) for i in "ABCD"}


def test_bootstrap_edges():
    given, table = challenge()
    assert set(bootstrap_top_k(given, table, ONE, "raw", k=10, samples=20).values()) == {1.0}
    assert bootstrap_top_k(given, [], ONE, "raw") == {}
    for kwargs in ({"method": "mode"}, {"k": 0}, {"samples": 0}, {"lam": 0}):
        with pytest.raises(ValueError):
            bootstrap_top_k(given, table, ONE, **{"method": "calibrated", **kwargs})

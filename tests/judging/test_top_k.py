"""The bootstrap's short way to the first k places gives exactly what a full ranking gives, ties
and chains of near-ties included; and large challenges get fewer resamples, within bounds."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.judging.scoring import TOLERANCE, Criterion, Entry, Review, rank_order, top_k_order
from app.judging.statistics import BOOTSTRAP_WORK, bootstrap_samples, bootstrap_top_k


def full(score: np.ndarray, raw: np.ndarray, k: int) -> np.ndarray:
    return rank_order(score, raw)[:, :k]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("levels", [3, 12, 40, 1000])
def test_top_k_matches_the_full_ranking_on_tied_tables(seed, levels):
    # Few distinct values: most rows have a tie across the k-th place, often a wide one.
    rng = np.random.default_rng(seed)
    score = rng.integers(0, levels, size=(40, 300)) / 7
    raw = rng.integers(0, 5, size=score.shape) / 3
    for k in (1, 3, 10):
        assert np.array_equal(top_k_order(score, raw, k), full(score, raw, k))


def test_top_k_follows_a_chain_of_near_ties_past_the_candidates():
    # Steps of TOLERANCE/2 chain 200 ideas into one tie group: the raw mean then decides.
    n = 400
    score = np.concatenate([10 - np.arange(200) * TOLERANCE / 2, np.linspace(5, 1, n - 200)])[None, :]
    raw = np.zeros((1, n))
    raw[0, 150] = 9.0  # deep in the chain, yet first
    order = top_k_order(score, raw, 3)
    assert np.array_equal(order, full(score, raw, 3)) and order[0, 0] == 150


def test_top_k_of_equal_scores_goes_by_raw_mean_then_position():
    score = np.ones((3, 200))
    raw = np.zeros((3, 200))
    raw[1, [50, 7]] = 1.0
    assert top_k_order(score, raw, 3).tolist() == [[0, 1, 2], [7, 50, 0], [0, 1, 2]]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(70, 200), st.integers(1, 5))
def test_top_k_matches_the_full_ranking_on_random_tables(seed, n, k):
    rng = np.random.default_rng(seed)
    score = np.round(rng.normal(size=(8, n)), int(rng.integers(0, 3)))
    raw = np.round(rng.normal(size=(8, n)), 1)
    assert np.array_equal(top_k_order(score, raw, k), full(score, raw, k))


def test_small_rows_are_ranked_whole():
    score = np.array([[1.0, 3.0, 2.0]])
    assert top_k_order(score, np.zeros_like(score), 5).tolist() == [[1, 2, 0]]


def test_the_number_of_resamples_shrinks_with_the_reviews_within_bounds():
    assert bootstrap_samples(0) == bootstrap_samples(30) == bootstrap_samples(2_000) == 1000
    assert bootstrap_samples(3_000) == BOOTSTRAP_WORK // 3_000 == 666
    assert bootstrap_samples(9_000) == 222
    assert bootstrap_samples(10**6) == 200


def test_a_large_bootstrap_stays_deterministic_and_adds_up_to_k():
    rng = np.random.default_rng(3)
    t0 = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
    entries = [Entry(i, t0 + dt.timedelta(minutes=i % 13)) for i in range(600)]
    quality = rng.normal(6, 1.5, 600)
    reviews = [Review(i, (3 * i + step) % 40, {"q": int(np.clip(round(quality[i] + rng.normal()), 1, 10))})
               for i in range(600) for step in range(3)]
    criteria = [Criterion("q", 1, 1, 10)]
    for method in ("calibrated", "normalized", "raw"):
        first = bootstrap_top_k(entries, reviews, criteria, method, samples=200, seed=2026)
        assert first == bootstrap_top_k(entries, reviews, criteria, method, samples=200, seed=2026)
        assert sum(first.values()) == pytest.approx(3.0)

"""The ranking maths of the contract, on hand-computed examples and as properties."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.judging.scoring import (
    METHODS, Criterion, Entry, Review, build_design, calibrated_scores, disagreements, icc1, rank, rank_order,
    review_raw, weighted_scale,
)

T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
ONE = [Criterion("q", 1, 1, 10)]  # one criterion of weight 1: r is the score itself


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def entries(*idea_ids) -> list[Entry]:
    """Entries submitted one minute apart, in the order given."""
    return [Entry(idea_id, minutes(n)) for n, idea_id in enumerate(idea_ids)]


def reviews(table: dict) -> list[Review]:
    """{(idea, juror): score} with the single criterion ONE."""
    return [Review(idea, juror, {"q": score}) for (idea, juror), score in table.items()]


def by_idea(ranking):
    return {e.idea_id: e for e in ranking.entries}


def order(ranking):
    return [e.idea_id for e in ranking.entries]


def juror(ranking, juror_id):
    return next(j for j in ranking.jurors if j.juror_id == juror_id)


# --- the raw score of a review ----------------------------------------------------------------

def test_review_raw_is_the_weighted_mean_of_the_scores():
    criteria = [Criterion(1, 3, 1, 10), Criterion(2, 2, 1, 10), Criterion(3, 1, 0, 5)]
    # (3·8 + 2·6 + 1·4) / (3 + 2 + 1) = 40 / 6
    assert review_raw({1: 8, 2: 6, 3: 4}, criteria) == pytest.approx(40 / 6, abs=1e-12)
    # a score for a criterion that is not listed does not count
    assert review_raw({1: 8, 2: 6, 3: 4, 99: 10}, criteria) == pytest.approx(40 / 6, abs=1e-12)


@pytest.mark.parametrize("scores, criteria", [
    ({1: 5}, [Criterion(1, 1, 1, 10), Criterion(2, 1, 1, 10)]),  # criterion 2 not scored
    ({1: 5}, [Criterion(1, 0, 1, 10)]),  # weights sum to 0
    ({1: 5}, [Criterion(1, -1, 1, 10), Criterion(1, 2, 1, 10)]),  # negative weight
    ({}, []),  # no criteria
])
def test_review_raw_refuses_what_has_no_weighted_mean(scores, criteria):
    with pytest.raises(ValueError):
        review_raw(scores, criteria)


def test_weighted_scale_is_the_weighted_mean_of_the_criteria_scales():
    # min (3·1 + 1·0)/4 = 0.75, max (3·10 + 1·4)/4 = 8.5: width 7.75 = (3·9 + 1·4)/4
    assert weighted_scale([Criterion(1, 3, 1, 10), Criterion(2, 1, 0, 4)]) == pytest.approx((0.75, 8.5))


# --- hand-computed rankings ---------------------------------------------------------------------

def test_a_severe_and_a_lenient_juror_seeing_the_same_ideas():
    # True qualities A 7, B 5, C 3; L scores one point above, S one point below.
    table = {("A", "L"): 8, ("B", "L"): 6, ("C", "L"): 4, ("A", "S"): 6, ("B", "S"): 4, ("C", "S"): 2}
    result = rank(entries("A", "B", "C"), reviews(table), ONE)
    ideas = by_idea(result)
    # The severity is in the raw scores: L's mean 6, S's mean 4, both sd √((4 + 0 + 4)/3) = √(8/3).
    assert (juror(result, "L").mean, juror(result, "S").mean) == pytest.approx((6, 4))
    assert juror(result, "L").sd == pytest.approx(np.sqrt(8 / 3)) == juror(result, "S").sd
    # z-scores remove it: both jurors give A (8−6)/√(8/3) = √1.5 and (6−4)/√(8/3) = √1.5, B 0, C −√1.5.
    assert [ideas[i].normalized for i in "ABC"] == pytest.approx([np.sqrt(1.5), 0, -np.sqrt(1.5)], abs=1e-12)
    # Calibrated: residuals from the idea means are +1 for L, −1 for S on each idea, so the right-hand
    # side is (3, −3); the system is (nⱼ + λ − Σ 1/nᵢ) = 3 + 1 − 3/2 = 2.5 on the diagonal and −3/2 off
    # it: 2.5·b − 1.5·(−b) = 3 → b_L = 0.75 = −b_S (the true ±1 shrunk by n/(n + λ) = 3/4).
    assert juror(result, "L").offset == pytest.approx(0.75, abs=1e-12)
    assert juror(result, "S").offset == pytest.approx(-0.75, abs=1e-12)
    # Each idea's calibrated score is its mean minus the mean offset of its jurors (0): 7, 5, 3.
    assert [ideas[i].calibrated for i in "ABC"] == pytest.approx([7, 5, 3], abs=1e-12)
    assert [ideas[i].raw_mean for i in "ABC"] == [7, 5, 3]
    assert [ideas[i].spread for i in "ABC"] == [2, 2, 2]
    for method in METHODS:
        assert order(rank(entries("A", "B", "C"), reviews(table), ONE, method)) == ["A", "B", "C"]


def test_severity_misleads_raw_but_not_calibrated_or_normalized():
    # True qualities X 4, Y 7, P 5, Q 6; lenient L = q + 1 sees X, Y, P; severe S = q − 1 sees X, Y, Q.
    table = {("X", "L"): 5, ("X", "S"): 3, ("Y", "L"): 8, ("Y", "S"): 6, ("P", "L"): 6, ("Q", "S"): 5}
    given_entries = entries("X", "Y", "P", "Q")
    result = rank(given_entries, reviews(table), ONE)
    ideas = by_idea(result)
    # Raw means: X 4, Y 7, P 6, Q 5 — P, seen only by the lenient juror, passes Q.
    assert order(rank(given_entries, reviews(table), ONE, "raw")) == ["Y", "P", "Q", "X"]
    # Calibrated. Residuals from idea means: X, Y give L +1 and S −1; P, Q (single reviews) 0,
    # so the right-hand side is (2, −2). nⱼ = 3; C_LL = ½ + ½ + 1 = 2 = C_SS, C_LS = ½ + ½ = 1.
    # (3 + 1 − 2)·b_L − 1·b_S = 2 and −b_L + 2·b_S = −2 → b_L = 2/3 = −b_S.
    assert juror(result, "L").offset == pytest.approx(2 / 3, abs=1e-12)
    assert juror(result, "S").offset == pytest.approx(-2 / 3, abs=1e-12)
    # μ + fᵢ = r̄ᵢ − mean offset of i's jurors: X 4, Y 7, P 6 − 2/3 = 16/3, Q 5 + 2/3 = 17/3.
    assert [ideas[i].calibrated for i in "XYPQ"] == pytest.approx([4, 7, 16 / 3, 17 / 3], abs=1e-12)
    assert order(result) == ["Y", "Q", "P", "X"]
    # Normalized. L: r 5, 8, 6, μ 19/3, deviations −4/3, 5/3, −1/3, σ = √((16 + 25 + 1)/27) = √14/3;
    # S: r 3, 6, 5, μ 14/3, deviations −5/3, 4/3, 1/3, σ = √14/3. So z(P) = −1/√14, z(Q) = 1/√14,
    # X = (−4 − 5)/(2√14), Y = (5 + 4)/(2√14).
    s14 = np.sqrt(14)
    assert [ideas[i].normalized for i in "XYPQ"] == pytest.approx([-4.5 / s14, 4.5 / s14, -1 / s14, 1 / s14])
    assert order(rank(given_entries, reviews(table), ONE, "normalized")) == ["Y", "Q", "P", "X"]


def test_per_track_jurors_calibrated_keeps_the_true_order_where_z_scores_distort_it():
    # Track A (strong ideas a1 = 8, a2 = 7) is judged by j1, j2; track B (b1 = 4, b2 = 3) by j3, j4;
    # every juror scores the true quality.
    table = {}
    for idea, quality, jurors in [("a1", 8, "j1 j2"), ("a2", 7, "j1 j2"), ("b1", 4, "j3 j4"), ("b2", 3, "j3 j4")]:
        for j in jurors.split():
            table[(idea, j)] = quality
    given_entries = entries("a1", "a2", "b1", "b2")
    result = rank(given_entries, reviews(table), ONE)
    # Every review equals its idea's mean: the right-hand side is 0, so b = 0 and calibrated = raw.
    assert [j.offset for j in result.jurors] == pytest.approx([0, 0, 0, 0], abs=1e-12)
    assert order(result) == ["a1", "a2", "b1", "b2"]
    assert [e.calibrated for e in result.entries] == pytest.approx([8, 7, 4, 3], abs=1e-12)
    # z-scores centre every juror on their own track: j1 sees 8, 7 (μ 7.5, σ 0.5) → +1, −1, and j3
    # sees 4, 3 → +1, −1 as well. b1 (true 4) ties with a1 (8) and passes a2 (7); the tie goes to the
    # higher raw mean.
    normalized = rank(given_entries, reviews(table), ONE, "normalized")
    assert [e.normalized for e in normalized.entries] == pytest.approx([1, 1, -1, -1], abs=1e-12)
    assert order(normalized) == ["a1", "b1", "a2", "b2"]


def test_a_juror_with_one_review_and_a_juror_without_variation_have_z_0():
    # j1 scores A 8, B 4; j2 scores A 6, B 6 (σ = 0); K only A 9 (one review, σ = 0).
    table = {("A", "j1"): 8, ("B", "j1"): 4, ("A", "j2"): 6, ("B", "j2"): 6, ("A", "K"): 9}
    result = rank(entries("A", "B"), reviews(table), ONE)
    ideas = by_idea(result)
    assert (juror(result, "K").reviews, juror(result, "K").mean, juror(result, "K").sd) == (1, 9, 0)
    assert juror(result, "j2").sd == 0
    # j1: μ 6, σ 2 → z(A) = 1, z(B) = −1; j2 and K give z = 0. A = (1 + 0 + 0)/3, B = (−1 + 0)/2.
    assert ideas["A"].normalized == pytest.approx(1 / 3, abs=1e-12)
    assert ideas["B"].normalized == pytest.approx(-1 / 2, abs=1e-12)
    # Calibrated. Means A 23/3, B 5. Residuals: A: j1 1/3, j2 −5/3, K 4/3; B: j1 −1, j2 +1.
    # Right-hand side (j1, j2, K) = (−2/3, −2/3, 4/3). C: A adds 1/3 to every pair of j1, j2, K; B adds
    # 1/2 to every pair of j1, j2. System rows: j1: (2 + 1 − 5/6)·x − 5/6·x − 1/3·y = −2/3, i.e.
    # 4x − y = −2 (with b_j1 = b_j2 = x by symmetry); K: (1 + 1 − 1/3)·y − 2/3·x = 4/3, i.e.
    # −2x + 5y = 4 → x = −1/3, y = 2/3.
    assert [j.juror_id for j in result.jurors] == ["K", "j1", "j2"]
    assert [j.offset for j in result.jurors] == pytest.approx([2 / 3, -1 / 3, -1 / 3], abs=1e-12)
    # A = 23/3 − (−1/3 − 1/3 + 2/3)/3 = 23/3; B = 5 − (−1/3 − 1/3)/2 = 16/3.
    assert ideas["A"].calibrated == pytest.approx(23 / 3, abs=1e-12)
    assert ideas["B"].calibrated == pytest.approx(16 / 3, abs=1e-12)
    assert (ideas["A"].raw_mean, ideas["A"].spread, ideas["A"].reviews) == (pytest.approx(23 / 3), 3, 3)


@pytest.mark.parametrize("method", METHODS)
def test_equal_scores_fall_back_to_submission_time_then_idea_id(method):
    # Every review is 5: every score ties and every raw mean ties.
    given = [Entry(3, minutes(2)), Entry(1, minutes(5)), Entry(2, minutes(2)), Entry(4, minutes(0))]
    table = {(idea, juror): 5 for idea in (1, 2, 3, 4) for juror in ("j1", "j2")}
    result = rank(given, reviews(table), ONE, method)
    # 4 submitted first; 2 and 3 at the same minute, the smaller id first; 1 last.
    assert order(result) == [4, 2, 3, 1]
    assert [e.rank for e in result.entries] == [1, 2, 3, 4]


def test_a_tie_on_the_score_goes_to_the_raw_mean_then_to_the_earlier_submission():
    # Scores that differ by rounding noise tie; raw means decide; equal raw means go to index order
    # (the design's order: earlier submission first).
    score = np.array([[1.0, 1.0 + 1e-12, 0.5, 1.0 - 1e-12]])
    raw = np.array([[3.0, 4.0, 5.0, 3.0 + 1e-12]])
    assert rank_order(score, raw).tolist() == [[1, 0, 3, 2]]
    # A real difference is no tie.
    assert rank_order(np.array([[1.0, 1.0 + 1e-6]]), np.array([[9.0, 0.0]])).tolist() == [[1, 0]]


def test_tie_on_normalized_broken_by_raw_mean_in_a_full_ranking():
    # j1 sees A 9, B 7 (z +1, −1); j2 sees C 4, D 2 (z +1, −1). A and C tie on +1: A's mean is higher.
    table = {("C", "j2"): 4, ("D", "j2"): 2, ("A", "j1"): 9, ("B", "j1"): 7}
    result = rank(entries("C", "D", "A", "B"), reviews(table), ONE, "normalized")
    assert order(result) == ["A", "C", "B", "D"]


# --- icc1 ---------------------------------------------------------------------------------------

def test_icc1_by_hand():
    # A (8, 6), B (4, 2), C (6): n = 3, N = 5, r̄ = 26/5 = 5.2, means 7, 3, 6.
    # MSB = (2·1.8² + 2·2.2² + 1·0.8²)/2 = (6.48 + 9.68 + 0.64)/2 = 8.4
    # MSW = (1 + 1 + 1 + 1 + 0)/(5 − 3) = 2
    # k₀ = (5 − (4 + 4 + 1)/5)/2 = 1.6
    # icc1 = (8.4 − 2)/(8.4 + 0.6·2) = 6.4/9.6 = 2/3
    table = {("A", "j1"): 8, ("A", "j2"): 6, ("B", "j1"): 4, ("B", "j3"): 2, ("C", "j2"): 6}
    assert rank(entries("A", "B", "C"), reviews(table), ONE).icc1 == pytest.approx(2 / 3, abs=1e-12)
    assert icc1(np.array([0, 0, 1, 1, 2]), np.array([8.0, 6, 4, 2, 6])) == pytest.approx(2 / 3, abs=1e-12)


def test_icc1_of_balanced_perfect_agreement_is_1_and_of_no_signal_is_negative():
    assert icc1(np.array([0, 0, 1, 1]), np.array([8.0, 8, 3, 3])) == pytest.approx(1.0)
    # Means equal (MSB = 0): (0 − MSW)/(0 + (2 − 1)·MSW) = −1.
    assert icc1(np.array([0, 0, 1, 1]), np.array([8.0, 2, 2, 8])) == pytest.approx(-1.0)


@pytest.mark.parametrize("table", [
    {("A", "j1"): 8, ("A", "j2"): 6},  # one idea: n < 2
    {("A", "j1"): 8, ("B", "j2"): 6},  # one review per idea: N = n
    {("A", "j1"): 5, ("A", "j2"): 5, ("B", "j1"): 5, ("B", "j2"): 5},  # no variation: denominator 0
])
def test_icc1_is_none_when_undefined(table):
    assert rank(entries("A", "B"), reviews(table), ONE).icc1 is None


# --- what is ranked -------------------------------------------------------------------------------

def test_only_reviewed_entries_rank_and_only_their_reviews_count():
    table = {("A", "j1"): 8, ("B", "j1"): 4, ("draft", "j1"): 1}  # "draft" is not among the entries
    result = rank(entries("A", "B", "C"), reviews(table), ONE)
    assert order(result) == ["A", "B"]  # C has no review
    assert juror(result, "j1").reviews == 2 and juror(result, "j1").mean == 6


def test_no_reviews_no_ranking():
    result = rank(entries("A"), [], ONE, "raw")
    assert (result.method, result.entries, result.jurors, result.icc1) == ("raw", [], [], None)


@pytest.mark.parametrize("kwargs", [{"method": "median"}, {"lam": 0}, {"lam": -1}])
def test_rank_refuses_unknown_methods_and_a_non_positive_lambda(kwargs):
    with pytest.raises(ValueError):
        rank(entries("A"), reviews({("A", "j1"): 5}), ONE, **kwargs)


def test_duplicate_entries_are_refused():
    with pytest.raises(ValueError):
        rank([Entry("A", T0), Entry("A", T0)], [], ONE)


def test_numbers_are_plain_floats_and_ints():
    entry = rank(entries("A"), reviews({("A", "j1"): 5, ("A", "j2"): 7}), ONE).entries[0]
    assert type(entry.raw_mean) is float and type(entry.calibrated) is float and type(entry.reviews) is int


# --- disagreements ----------------------------------------------------------------------------

def test_disagreements_flag_a_spread_of_40_percent_of_the_scale():
    # Scale 1–10, width 9: the threshold is 3.6. Weights 1 and 4 give r in steps of 0.2.
    criteria = [Criterion("a", 1, 1, 10), Criterion("b", 4, 1, 10)]
    table = [
        Review("wide", "j1", {"a": 1, "b": 8}), Review("wide", "j2", {"a": 9, "b": 10}),  # 6.6 and 9.8: 3.2
        Review("edge", "j1", {"a": 3, "b": 2}), Review("edge", "j2", {"a": 1, "b": 7}),  # 2.2 and 5.8: 3.6
        Review("calm", "j1", {"a": 6, "b": 6}), Review("calm", "j2", {"a": 7, "b": 6}),  # 6.0 and 6.2: 0.2
    ]
    result = rank(entries("wide", "edge", "calm"), table, criteria)
    assert by_idea(result)["edge"].spread == pytest.approx(3.6)
    assert disagreements(result, *weighted_scale(criteria)) == ["edge"]
    assert disagreements(result, 1, 10, threshold=0.35) == ["wide", "edge"]  # 3.15: rank order
    with pytest.raises(ValueError):
        disagreements(result, 5, 5)


# --- the exact solver against the contract's iteration and a plain least-squares fit -------------

def alternating(given_reviews, criteria, lam=1.0, tol=1e-14, max_rounds=200_000):
    """The contract's iteration: fᵢ = mean(r − μ − bⱼ); bⱼ = Σ(r − μ − fᵢ)/(nⱼ + λ), to convergence."""
    ideas = sorted({rv.idea_id for rv in given_reviews})
    jurors = sorted({rv.juror_id for rv in given_reviews})
    i = np.array([ideas.index(rv.idea_id) for rv in given_reviews])
    j = np.array([jurors.index(rv.juror_id) for rv in given_reviews])
    r = np.array([review_raw(rv.scores, criteria) for rv in given_reviews])
    mu, n_i, n_j = r.mean(), np.bincount(i), np.bincount(j)
    f, b = np.zeros(len(ideas)), np.zeros(len(jurors))
    for _ in range(max_rounds):
        f_next = np.bincount(i, weights=r - mu - b[j]) / n_i
        b_next = np.bincount(j, weights=r - mu - f_next[i]) / (n_j + lam)
        change = max(np.abs(f_next - f).max(), np.abs(b_next - b).max())
        f, b = f_next, b_next
        if change < tol:
            break
    else:
        raise AssertionError("the iteration did not converge")
    return dict(zip(ideas, mu + f)), dict(zip(jurors, b))


def least_squares(given_reviews, criteria, lam=1.0):
    """The minimiser as a stacked least-squares problem [A B; 0 √λ·I]·(f, b) ≈ (r − μ, 0)."""
    ideas = sorted({rv.idea_id for rv in given_reviews})
    jurors = sorted({rv.juror_id for rv in given_reviews})
    r = np.array([review_raw(rv.scores, criteria) for rv in given_reviews])
    design = np.zeros((len(r) + len(jurors), len(ideas) + len(jurors)))
    for row, rv in enumerate(given_reviews):
        design[row, ideas.index(rv.idea_id)] = 1
        design[row, len(ideas) + jurors.index(rv.juror_id)] = 1
    design[len(r):, len(ideas):] = np.sqrt(lam) * np.eye(len(jurors))
    solution = np.linalg.lstsq(design, np.concatenate([r - r.mean(), np.zeros(len(jurors))]), rcond=None)[0]
    return dict(zip(ideas, r.mean() + solution[:len(ideas)])), dict(zip(jurors, solution[len(ideas):]))


def assert_matches(result, expected):
    calibrated, offsets = expected
    assert {e.idea_id: e.calibrated for e in result.entries} == pytest.approx(calibrated, abs=1e-9)
    assert {j.juror_id: j.offset for j in result.jurors} == pytest.approx(offsets, abs=1e-9)


def random_challenge(seed, ideas, jurors, per_idea):
    rng = np.random.default_rng(seed)
    criteria = [Criterion(1, 2, 1, 10), Criterion(2, 1, 1, 5)]
    table = [Review(i, int(j), {1: int(rng.integers(1, 11)), 2: int(rng.integers(1, 6))})
             for i in range(ideas) for j in rng.choice(jurors, size=rng.integers(1, per_idea + 1), replace=False)]
    return [Entry(i, T0) for i in range(ideas)], table, criteria


@pytest.mark.parametrize("lam", [1.0, 0.25, 5.0])
def test_exact_solution_matches_the_iteration_and_least_squares_at_medium_size(lam):
    given, table, criteria = random_challenge(7, ideas=120, jurors=15, per_idea=4)
    result = rank(given, table, criteria, lam=lam)
    assert_matches(result, alternating(table, criteria, lam))
    assert_matches(result, least_squares(table, criteria, lam))


def test_the_juror_system_is_positive_definite_with_eigenvalues_at_least_lambda():
    given, table, criteria = random_challenge(3, ideas=40, jurors=8, per_idea=3)
    design = build_design(given, table, criteria)
    # Rebuild the system the solver uses from its pieces: diag(nⱼ) + λI − C.
    jurors = len(design.juror_ids)
    cells = np.zeros((jurors, jurors))
    np.add.at(cells, (design.juror[design.pair_a], design.juror[design.pair_b]), design.pair_weight)
    system = np.diag(np.bincount(design.juror, minlength=jurors) + 1.0) - cells
    assert np.allclose(system, system.T)
    assert np.linalg.eigvalsh(system).min() >= 1.0 - 1e-9
    # … and the solver's offsets solve it.
    _, offsets = calibrated_scores(design, design.juror[None, :], design.r[None, :], 1.0)
    residual = design.r - np.bincount(design.idea, weights=design.r)[design.idea] / design.counts[design.idea]
    assert system @ offsets[0] == pytest.approx(np.bincount(design.juror, weights=residual), abs=1e-9)


# --- properties -----------------------------------------------------------------------------------

@st.composite
def challenges(draw, complete=False):
    """Up to 7 ideas, 5 jurors, 3 criteria; each idea reviewed by a non-empty set of jurors (all of
    them when ``complete``); submission times from 3 minutes, so times tie often."""
    criteria = [Criterion(c, draw(st.integers(1, 3)), 1, 10) for c in range(draw(st.integers(1, 3)))]
    jurors = list(range(100, 100 + draw(st.integers(1, 5))))
    ideas = list(range(1, draw(st.integers(1, 7)) + 1))
    given = [Entry(i, minutes(draw(st.integers(0, 2)))) for i in ideas]
    table = []
    for i in ideas:
        panel = jurors if complete else draw(st.lists(st.sampled_from(jurors), min_size=1, unique=True))
        for j in panel:
            table.append(Review(i, j, {c.id: draw(st.integers(1, 10)) for c in criteria}))
    return given, table, criteria


def shifted(table, juror_id, constant):
    return [Review(rv.idea_id, rv.juror_id, {c: s + constant for c, s in rv.scores.items()})
            if rv.juror_id == juror_id else rv for rv in table]


PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(challenges(), st.data())
def test_normalized_is_invariant_to_a_constant_added_to_one_juror(challenge, data):
    given_entries, table, criteria = challenge
    juror_id = data.draw(st.sampled_from(sorted({rv.juror_id for rv in table})))
    constant = data.draw(st.integers(-5, 5))
    before = {e.idea_id: e.normalized for e in rank(given_entries, table, criteria, "normalized").entries}
    after = {e.idea_id: e.normalized for e in rank(given_entries, shifted(table, juror_id, constant), criteria,
                                                     "normalized").entries}
    assert after == pytest.approx(before, abs=1e-9)


@PROPERTY
@given(challenges(complete=True), st.data())
def test_calibrated_ranking_is_invariant_to_a_constant_added_to_one_juror_who_sees_everything(challenge, data):
    given_entries, table, criteria = challenge
    jurors = sorted({rv.juror_id for rv in table})
    juror_id = data.draw(st.sampled_from(jurors))
    constant = data.draw(st.integers(-5, 5))
    before = rank(given_entries, table, criteria)
    after = rank(given_entries, shifted(table, juror_id, constant), criteria)
    assert order(after) == order(before)
    # Every idea moves by the same amount, constant / J.
    moved = [a.calibrated - b.calibrated for a, b in zip(after.entries, before.entries)]
    assert moved == pytest.approx([constant / len(jurors)] * len(moved), abs=1e-9)


@PROPERTY
@given(challenges())
def test_raw_ranking_is_the_order_of_the_raw_means_with_the_tie_breaks(challenge):
    given_entries, table, criteria = challenge
    total = sum(c.weight for c in criteria)
    exact: dict[int, list[Fraction]] = {}
    for rv in table:
        exact.setdefault(rv.idea_id, []).append(Fraction(sum(c.weight * rv.scores[c.id] for c in criteria), total))
    submitted = {e.idea_id: e.submitted_at for e in given_entries}
    expected = sorted(exact, key=lambda i: (-sum(exact[i]) / len(exact[i]), submitted[i], i))
    result = rank(given_entries, table, criteria, "raw")
    assert order(result) == expected
    assert [e.raw_mean for e in result.entries] == pytest.approx(
        [float(sum(exact[i]) / len(exact[i])) for i in expected], abs=1e-12)


@PROPERTY
@given(challenges(), st.sampled_from([1.0, 0.5, 3.0]))
def test_calibrated_is_the_minimiser_the_iteration_converges_to(challenge, lam):
    given_entries, table, criteria = challenge
    result = rank(given_entries, table, criteria, lam=lam)
    assert_matches(result, alternating(table, criteria, lam))
    assert_matches(result, least_squares(table, criteria, lam))


@PROPERTY
@given(challenges(), st.sampled_from(METHODS))
def test_ranks_are_a_permutation_of_1_to_n_and_every_reviewed_idea_ranks(challenge, method):
    given_entries, table, criteria = challenge
    result = rank(given_entries, table, criteria, method)
    assert [e.rank for e in result.entries] == list(range(1, len(result.entries) + 1))
    assert sorted(order(result)) == sorted({rv.idea_id for rv in table})
    scores = [getattr(e, method if method != "raw" else "raw_mean") for e in result.entries]
    assert all(a >= b - 1e-9 for a, b in zip(scores, scores[1:]))
    assert sum(j.reviews for j in result.jurors) == len(table) == sum(e.reviews for e in result.entries)

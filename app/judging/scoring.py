"""The ranking of a challenge (GET /challenges/{id}/ranking): pure functions of reviews and criteria.

The rules, from the contract:

- A review's raw score is r = Σ wᶜ·sᶜ / Σ wᶜ over the criteria.
- For each idea i: ``raw_mean`` (mean of its r), ``spread`` (max − min), ``reviews`` (count).
- ``normalized`` = mean over the idea's reviews of z = (r − μⱼ) / σⱼ, with μⱼ and σⱼ the mean and
  population standard deviation of juror j's r in the challenge; z = 0 when σⱼ = 0.
- ``calibrated`` = μ + fᵢ, where μ is the mean of all r and the idea effects f and juror offsets b
  minimise Σ (r − μ − fᵢ − bⱼ)² + λ·Σ bⱼ² (λ = 1). Each juror's ``offset`` is bⱼ.
- The chosen method's score ranks, descending; ties go to the higher ``raw_mean``, then to the
  earlier ``submitted_at`` (then the smaller idea id, so the order never depends on input order).
  Ranks are 1, 2, 3, … and never shared.
- ``icc1``: the one-way intraclass correlation of the ideas' r, None when it is undefined.

Only entries passed in count (the caller passes the submitted ideas); reviews of other ideas are
ignored and entries without reviews are not ranked.

Floating point: two scores closer than ``TOLERANCE`` are equal (for ties, and σⱼ below it is 0), so
an ordering never hangs on rounding noise.

The kernels below work on a batch of S score tables at once (S = 1 for :func:`rank`, S = the number
of resamples for the bootstrap in ``statistics.py``): arrays of shape (S, N) for the N reviews, whose
positions are grouped by idea and keep their idea in every table.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Hashable, Mapping, Sequence

import numpy as np

TOLERANCE = 1e-9
METHODS = ("calibrated", "normalized", "raw")


@dataclass(frozen=True)
class Criterion:
    """A scoring criterion: its weight in the raw score and its integer scale."""

    id: Hashable
    weight: float
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class Review:
    """One juror's scores of one idea, by criterion id."""

    idea_id: Hashable
    juror_id: Hashable
    scores: Mapping[Hashable, int]


@dataclass(frozen=True)
class Entry:
    """A submitted idea; ``submitted_at`` breaks the last ties (earlier first)."""

    idea_id: Hashable
    submitted_at: dt.datetime


@dataclass(frozen=True)
class RankedEntry:
    rank: int
    idea_id: Hashable
    raw_mean: float
    normalized: float
    calibrated: float
    reviews: int
    spread: float


@dataclass(frozen=True)
class JurorStats:
    """A juror's count, mean and population standard deviation of r, and ridge offset bⱼ."""

    juror_id: Hashable
    reviews: int
    mean: float
    sd: float
    offset: float


@dataclass(frozen=True)
class Ranking:
    method: str
    entries: list[RankedEntry]
    jurors: list[JurorStats]
    icc1: float | None


def _weights(criteria: Sequence[Criterion]) -> np.ndarray:
    weights = np.array([float(c.weight) for c in criteria])
    if weights.size == 0 or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("criteria need non-negative weights with a positive sum")
    return weights


def _raw_scores(score_rows: Sequence[Mapping[Hashable, int]], criteria: Sequence[Criterion]) -> np.ndarray:
    """r = Σ wᶜ·sᶜ / Σ wᶜ for each row; a score for a criterion not listed does not count."""
    weights = _weights(criteria)
    table = np.empty((len(score_rows), len(criteria)))
    for row, scores in enumerate(score_rows):
        for col, criterion in enumerate(criteria):
            if criterion.id not in scores:
                raise ValueError(f"a review has no score for criterion {criterion.id!r}")
            table[row, col] = scores[criterion.id]
    return table @ weights / weights.sum()


def review_raw(scores: Mapping[Hashable, int], criteria: Sequence[Criterion]) -> float:
    """A review's raw score r = Σ wᶜ·sᶜ / Σ wᶜ over the criteria (every criterion must be scored)."""
    return float(_raw_scores([scores], criteria)[0])


def weighted_scale(criteria: Sequence[Criterion]) -> tuple[float, float]:
    """The range of r: the weighted means of the scale minima and maxima. Its width is the
    weighted mean of the criteria's widths, which is what a spread is compared with."""
    weights = _weights(criteria)
    low = np.array([c.scale_min for c in criteria], dtype=float) @ weights / weights.sum()
    high = np.array([c.scale_max for c in criteria], dtype=float) @ weights / weights.sum()
    return float(low), float(high)


# --- the design: reviews as arrays ----------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """Ranked ideas (in tie-break order: earlier submission, then idea id) and their reviews.

    ``idea``/``juror`` give each review's idea and juror index; a review's position keeps its idea,
    and an idea's reviews are contiguous from ``starts[i]``, ``counts[i]`` of them.
    """

    idea_ids: list[Hashable]
    juror_ids: list[Hashable]
    idea: np.ndarray
    juror: np.ndarray
    r: np.ndarray
    counts: np.ndarray
    starts: np.ndarray
    pair_a: np.ndarray  # every ordered pair of positions within one idea …
    pair_b: np.ndarray
    pair_weight: np.ndarray  # … weighted 1 / nᵢ: the idea block of the normal equations
    # The same block, compactly: for each idea size nᵢ, the pairs of distinct positions a < b
    # (each stands for (a, b) and (b, a)); the pairs (a, a) are 1 / nᵢ for each review.
    distinct_pairs: tuple[tuple[int, np.ndarray, np.ndarray], ...]
    self_weight: np.ndarray


def _sorted_ids(ids: Sequence[Hashable]) -> list[Hashable]:
    unique = list(dict.fromkeys(ids))
    try:
        return sorted(unique)  # type: ignore[type-var]
    except TypeError:  # ids of mixed types: first appearance is still deterministic
        return unique


def build_design(entries: Sequence[Entry], reviews: Sequence[Review], criteria: Sequence[Criterion]) -> Design:
    """Arrays of a ranking: only reviews of the given entries count, entries without one drop out."""
    submitted = {e.idea_id: e for e in entries}
    if len(submitted) != len(entries):
        raise ValueError("an idea appears twice among the entries")
    counted = [rv for rv in reviews if rv.idea_id in submitted]
    reviewed = {rv.idea_id for rv in counted}
    ranked = sorted((e for e in entries if e.idea_id in reviewed), key=lambda e: (e.submitted_at, e.idea_id))
    idea_ids = [e.idea_id for e in ranked]
    juror_ids = _sorted_ids([rv.juror_id for rv in counted])
    idea_index = {idea_id: i for i, idea_id in enumerate(idea_ids)}
    juror_index = {juror_id: j for j, juror_id in enumerate(juror_ids)}
    idea = np.array([idea_index[rv.idea_id] for rv in counted], dtype=np.int64)
    juror = np.array([juror_index[rv.juror_id] for rv in counted], dtype=np.int64)
    r = _raw_scores([rv.scores for rv in counted], criteria) if counted else np.empty(0)
    order = np.argsort(idea, kind="stable")
    idea, juror, r = idea[order], juror[order], r[order]
    counts = np.bincount(idea, minlength=len(idea_ids))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    pair_a, pair_b, pair_weight = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)], [np.empty(0)]
    distinct = []
    for size in np.unique(counts):
        first = starts[counts == size][:, None]
        a, b = np.divmod(np.arange(size * size), size)
        pair_a.append((first + a).ravel())
        pair_b.append((first + b).ravel())
        pair_weight.append(np.full(first.size * size * size, 1.0 / size))
        upper = a < b
        if upper.any():
            distinct.append((int(size), (first + a[upper]).ravel(), (first + b[upper]).ravel()))
    return Design(idea_ids, juror_ids, idea, juror, r, counts, starts,
                  np.concatenate(pair_a), np.concatenate(pair_b), np.concatenate(pair_weight), tuple(distinct),
                  1.0 / counts[idea] if idea.size else np.empty(0))


# --- kernels on (S, N) batches ---------------------------------------------------------------


def idea_means(design: Design, values: np.ndarray) -> np.ndarray:
    """Mean over each idea's reviews, (S, N) → (S, n)."""
    return np.add.reduceat(values, design.starts, axis=1) / design.counts


def juror_moments(design: Design, juror: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and population standard deviation of each juror's r, each (S, J)."""
    samples, jurors = r.shape[0], len(design.juror_ids)
    flat = (juror + (np.arange(samples) * jurors)[:, None]).ravel()
    count = np.bincount(flat, minlength=samples * jurors).reshape(samples, jurors)
    safe = np.maximum(count, 1)
    mean = np.bincount(flat, weights=r.ravel(), minlength=samples * jurors).reshape(samples, jurors) / safe
    deviation = r - np.take_along_axis(mean, juror, axis=1)  # two passes: no cancellation
    var = np.bincount(flat, weights=(deviation**2).ravel(), minlength=samples * jurors).reshape(samples, jurors)
    return count, mean, np.sqrt(var / safe)


def normalized_scores(design: Design, juror: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Mean over each idea's reviews of z = (r − μⱼ)/σⱼ; z = 0 when σⱼ = 0 (below TOLERANCE)."""
    _, mean, sd = juror_moments(design, juror, r)
    sd_k = np.take_along_axis(sd, juror, axis=1)
    flat_sd = sd_k <= TOLERANCE
    z = (r - np.take_along_axis(mean, juror, axis=1)) / np.where(flat_sd, 1.0, sd_k)
    return idea_means(design, np.where(flat_sd, 0.0, z))


def calibrated_scores(design: Design, juror: np.ndarray, r: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """μ + fᵢ and bⱼ, the unique minimiser of Σ (r − μ − fᵢ − bⱼ)² + λ·Σ bⱼ², each (S, n), (S, J).

    With y = r − μ, setting the gradient to zero gives fᵢ = mean over i's reviews of (y − bⱼ) and
    (nⱼ + λ)·bⱼ + Σ_{reviews of j} fᵢ = Σ_{reviews of j} y. Substituting f leaves a J × J system:
        (D + λI − C)·b = Σ_{reviews of j} (r − r̄ᵢ),   C_jk = Σᵢ m_ij·m_ik / nᵢ,
    with D = diag(nⱼ) and m_ij the number of j's reviews of i. D − C = Bᵀ(I − P)B, where B maps
    reviews to jurors and P averages within ideas (a projection), so D − C is positive
    semi-definite and D + λI − C is positive definite for λ > 0: the solution exists and is unique
    (μ cancels from this system). A juror absent from a table has the row λ·bⱼ = 0.
    """
    samples, jurors = r.shape[0], len(design.juror_ids)
    rows = np.arange(samples)[:, None]
    flat = (juror + rows * jurors).ravel()
    count = np.bincount(flat, minlength=samples * jurors).reshape(samples, jurors)
    residual = r - idea_means(design, r)[:, design.idea]
    rhs = np.bincount(flat, weights=residual.ravel(), minlength=samples * jurors).reshape(samples, jurors)
    # C from the pairs of distinct reviews of each idea, one way round, then symmetrised; the
    # pairs of a review with itself add Σ 1/nᵢ to the diagonal. Unweighted counts per idea size
    # are much cheaper than one weighted count over every ordered pair.
    cells = samples * jurors * jurors
    offset = (rows * (jurors * jurors)).astype(np.int64)
    half = np.zeros(cells)
    for size, a, b in design.distinct_pairs:
        half += np.bincount((offset + juror[:, a] * jurors + juror[:, b]).ravel(), minlength=cells) / size
    half = half.reshape(samples, jurors, jurors)
    system = -(half + half.transpose(0, 2, 1))
    own = np.bincount(flat, weights=np.broadcast_to(design.self_weight, r.shape).ravel(), minlength=samples * jurors)
    diagonal = np.arange(jurors)
    system[:, diagonal, diagonal] += count + lam - own.reshape(samples, jurors)
    offsets = np.linalg.solve(system, rhs[..., None])[..., 0]
    mu = r.mean(axis=1, keepdims=True)
    effects = idea_means(design, r - mu - np.take_along_axis(offsets, juror, axis=1))
    return mu + effects, offsets


def method_scores(design: Design, juror: np.ndarray, r: np.ndarray, method: str, lam: float) -> np.ndarray:
    """The score that ranks under ``method``, (S, n)."""
    if method == "raw":
        return idea_means(design, r)
    if method == "normalized":
        return normalized_scores(design, juror, r)
    return calibrated_scores(design, juror, r, lam)[0]


def _groups(sorted_values: np.ndarray, previous: np.ndarray | None = None) -> np.ndarray:
    """Group labels along each row of descending values: a new group where the step exceeds
    TOLERANCE (or where ``previous`` labels change). Chained, so a group is well defined."""
    step = sorted_values[:, :-1] - sorted_values[:, 1:] > TOLERANCE
    if previous is not None:
        step |= previous[:, :-1] != previous[:, 1:]
    return np.concatenate([np.zeros((step.shape[0], 1), dtype=np.int64), np.cumsum(step, axis=1)], axis=1)


def rank_order(score: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Idea indices in rank order per row: score descending, ties (within TOLERANCE) by raw mean
    descending, then by index (the design's order: earlier submission, then idea id)."""
    samples, n = score.shape
    if n == 0:
        return np.empty((samples, 0), dtype=np.int64)
    rows = np.repeat(np.arange(samples), n)
    by_score = np.argsort(-score, axis=1, kind="stable")
    score_group = np.empty_like(by_score)
    np.put_along_axis(score_group, by_score, _groups(np.take_along_axis(score, by_score, axis=1)), axis=1)
    by_raw = (np.lexsort((-raw.ravel(), score_group.ravel(), rows)) % n).reshape(samples, n)
    raw_group = np.empty_like(by_raw)
    labels = _groups(np.take_along_axis(raw, by_raw, axis=1), np.take_along_axis(score_group, by_raw, axis=1))
    np.put_along_axis(raw_group, by_raw, labels, axis=1)
    index = np.tile(np.arange(n), samples)
    return (np.lexsort((index, raw_group.ravel(), rows)) % n).reshape(samples, n)


TOP_K_CANDIDATES = 64  # at most this many ideas share the k-th place in a row ranked the short way


def top_k_order(score: np.ndarray, raw: np.ndarray, k: int) -> np.ndarray:
    """The first k columns of :func:`rank_order`, without sorting whole rows.

    Only the ideas scoring at least the k-th best score − TOLERANCE can take the first k places.
    When the best score left out is more than TOLERANCE below the worst one kept, those ideas are
    whole tie groups (ties chain only through steps within TOLERANCE), so ranking them alone gives
    the same first k places. Rows where that does not hold, or where more than
    ``TOP_K_CANDIDATES`` ideas qualify, are ranked whole.
    """
    samples, n = score.shape
    if n <= max(2 * k, TOP_K_CANDIDATES):
        return rank_order(score, raw)[:, :k]
    kth = -np.partition(-score, k - 1, axis=1)[:, k - 1]
    candidate = score >= (kth - TOLERANCE)[:, None]
    count = candidate.sum(axis=1)
    best_left = np.where(candidate, -np.inf, score).max(axis=1)
    worst_kept = np.where(candidate, score, np.inf).min(axis=1)
    short = (worst_kept - best_left > TOLERANCE) & (count <= TOP_K_CANDIDATES)
    order = np.empty((samples, k), dtype=np.int64)
    rows = np.flatnonzero(short)
    if rows.size:
        width = int(count[rows].max())
        part_score = score[rows]
        # The ``width`` best of each row, in the design's order (which breaks the last ties); those
        # beyond a row's own candidates go last, one step below everything.
        kept = np.sort(np.argpartition(-part_score, width - 1, axis=1)[:, :width], axis=1)
        inside = np.take_along_axis(candidate[rows], kept, axis=1)
        kept_score = np.where(inside, np.take_along_axis(part_score, kept, axis=1), part_score.min() - 1)
        kept_raw = np.where(inside, np.take_along_axis(raw[rows], kept, axis=1), raw.min() - 1)
        order[rows] = np.take_along_axis(kept, rank_order(kept_score, kept_raw)[:, :k], axis=1)
    rest = np.flatnonzero(~short)
    if rest.size:
        order[rest] = rank_order(score[rest], raw[rest])[:, :k]
    return order


# --- the ranking -------------------------------------------------------------------------------


def icc1(idea: np.ndarray, r: np.ndarray) -> float | None:
    """One-way ICC: (MSB − MSW) / (MSB + (k₀ − 1)·MSW), with n ideas, N reviews,
    MSB = Σ nᵢ(r̄ᵢ − r̄)² / (n − 1), MSW = Σ (r − r̄ᵢ)² / (N − n), k₀ = (N − Σ nᵢ²/N) / (n − 1).
    None when n < 2, N = n, or the denominator is 0 (all r equal: nothing to tell apart).
    ``idea`` holds each review's idea index, ``r`` its raw score."""
    counts = np.bincount(idea)
    present = counts > 0
    ideas, total = int(present.sum()), r.size
    if ideas < 2 or total == ideas or np.ptp(r) <= TOLERANCE:
        return None
    means = np.bincount(idea, weights=r) / np.maximum(counts, 1)
    msb = float(np.sum(counts[present] * (means[present] - r.mean()) ** 2) / (ideas - 1))
    msw = float(np.sum((r - means[idea]) ** 2) / (total - ideas))
    k0 = (total - float(np.sum(counts**2)) / total) / (ideas - 1)
    denominator = msb + (k0 - 1) * msw
    if denominator == 0:
        return None
    return (msb - msw) / denominator


def rank(entries: Sequence[Entry], reviews: Sequence[Review], criteria: Sequence[Criterion],
         method: str = "calibrated", lam: float = 1.0) -> Ranking:
    """The ranking of the contract (see the module docstring), entries in rank order, jurors by id."""
    if method not in METHODS:
        raise ValueError(f"unknown ranking method {method!r}")
    if not lam > 0:
        raise ValueError("λ must be positive: without it the juror offsets are not identified")
    design = build_design(entries, reviews, criteria)
    if not design.idea_ids:
        return Ranking(method, [], [], None)
    juror, r = design.juror[None, :], design.r[None, :]
    raw = idea_means(design, r)
    normalized = normalized_scores(design, juror, r)
    calibrated, offsets = calibrated_scores(design, juror, r, lam)
    score = {"raw": raw, "normalized": normalized, "calibrated": calibrated}[method]
    order = rank_order(score, raw)[0]
    spread = np.maximum.reduceat(design.r, design.starts) - np.minimum.reduceat(design.r, design.starts)
    ranked = [RankedEntry(rank=place, idea_id=design.idea_ids[i], raw_mean=float(raw[0, i]),
                          normalized=float(normalized[0, i]), calibrated=float(calibrated[0, i]),
                          reviews=int(design.counts[i]), spread=float(spread[i]))
              for place, i in enumerate(order, start=1)]
    count, mean, sd = juror_moments(design, juror, r)
    jurors = [JurorStats(juror_id, int(count[0, j]), float(mean[0, j]), float(sd[0, j]), float(offsets[0, j]))
              for j, juror_id in enumerate(design.juror_ids)]
    return Ranking(method, ranked, jurors, icc1(design.idea, design.r))


def disagreements(ranking: Ranking, scale_min: float, scale_max: float, threshold: float = 0.4) -> list[Hashable]:
    """Ideas (in rank order) whose reviews disagree: spread ≥ threshold × (scale_max − scale_min),
    the scale of r (see :func:`weighted_scale` when criteria have different scales)."""
    width = scale_max - scale_min
    if width <= 0:
        raise ValueError("the scale needs scale_max > scale_min")
    return [e.idea_id for e in ranking.entries if e.spread >= threshold * width - TOLERANCE]

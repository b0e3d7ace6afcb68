"""How far a jury agrees and how solid a ranking is: pure functions beside ``scoring.py``.

- Krippendorff's alpha (interval metric) per criterion shows which criteria jurors cannot score
  consistently.
- :func:`reliability_reading` turns a reliability coefficient into a plain-language code.
- :func:`bootstrap_top_k` tells, for each ranked idea, how often it stays in the top k when each
  idea's reviews are resampled, so a coin-toss place is visible as one.
"""
from __future__ import annotations

import math
from typing import Hashable, Mapping, Sequence

import numpy as np

from app.judging.scoring import (
    METHODS, TOLERANCE, Criterion, Entry, Review, build_design, idea_means, method_scores, top_k_order,
)

# Cells of the (S × J × J) juror systems a bootstrap batch may hold at once (about 32 MB).
_BATCH_CELLS = 4_000_000
# Review draws one bootstrap makes at most beyond its first 200 resamples: a few tenths of a
# second on a small server, whatever the size of the challenge.
BOOTSTRAP_WORK = 2_000_000


def krippendorff_alpha_interval(units: Mapping[Hashable, Sequence[float | None]]) -> float | None:
    """Krippendorff's alpha with the interval metric δ² = (v − v')², α = 1 − D_o / D_e.

    Only pairable values count: those of units with at least two values (None or NaN is a missing
    value). With n pairable values, mᵤ of them in unit u:
        D_o = (1/n) · Σᵤ Σ_{i≠j in u} δ² / (mᵤ − 1),   D_e = Σ_{i≠j among all n} δ² / (n(n − 1)).
    Over m values, Σ_{i≠j} (vᵢ − vⱼ)² = 2m · Σ (vᵢ − v̄)², which is how both sums are taken.
    None when no unit is pairable or the pairable values do not vary at all (D_e = 0).
    """
    kept = [[float(v) for v in values if v is not None and not math.isnan(v)] for values in units.values()]
    kept = [values for values in kept if len(values) >= 2]
    if not kept:
        return None
    sizes = np.array([len(values) for values in kept])
    values = np.concatenate([np.asarray(v) for v in kept])
    if np.ptp(values) <= TOLERANCE:
        return None
    unit = np.repeat(np.arange(sizes.size), sizes)
    unit_means = np.bincount(unit, weights=values) / sizes
    within = np.bincount(unit, weights=(values - unit_means[unit]) ** 2)
    total = values.size
    observed = float(np.sum(2 * sizes * within / (sizes - 1))) / total
    expected = 2 * total * float(np.sum((values - values.mean()) ** 2)) / (total * (total - 1))
    return 1 - observed / expected


def alpha_per_criterion(reviews: Sequence[Review], criteria: Sequence[Criterion]) -> dict[Hashable, float | None]:
    """Krippendorff's interval alpha of each criterion's scores, with ideas as units and the
    jurors' scores of that criterion as values (a review without that score adds nothing)."""
    result: dict[Hashable, float | None] = {}
    for criterion in criteria:
        units: dict[Hashable, list[float | None]] = {}
        for review in reviews:
            if criterion.id in review.scores:
                units.setdefault(review.idea_id, []).append(review.scores[criterion.id])
        result[criterion.id] = krippendorff_alpha_interval(units)
    return result


def reliability_reading(value: float | None) -> str:
    """A code for a reliability coefficient: "poor" below 0.5 (or unknown), "moderate" below 0.75,
    "good" below 0.9, else "excellent" (the usual bands for ICCs, Koo & Li 2016)."""
    if value is None or math.isnan(value) or value < 0.5:
        return "poor"
    if value < 0.75:
        return "moderate"
    if value < 0.9:
        return "good"
    return "excellent"


def bootstrap_samples(reviews: int, most: int = 1000, least: int = 200) -> int:
    """How many resamples a bootstrap of this many reviews makes: ``most`` up to 2,000 reviews,
    then fewer so that the draws stay within ``BOOTSTRAP_WORK``, but never fewer than ``least``
    (the standard error of a probability is then at most 0.5/√200 ≈ 3.5 points)."""
    return max(least, min(most, BOOTSTRAP_WORK // max(reviews, 1)))


def bootstrap_top_k(entries: Sequence[Entry], reviews: Sequence[Review], criteria: Sequence[Criterion],
                    method: str = "calibrated", k: int = 3, samples: int = 1000, seed: int = 0,
                    lam: float = 1.0) -> dict[Hashable, float]:
    """For each ranked idea, the share of resamples in which it ranks in the top k.

    A resample draws each idea's reviews with replacement (the same number as it has), recomputes
    the method's scores from those reviews alone (juror means and deviations, or the calibrated
    model, included) and ranks with the usual tie-breaks. Deterministic for a seed.
    """
    if method not in METHODS:
        raise ValueError(f"unknown ranking method {method!r}")
    if k < 1 or samples < 1 or not lam > 0:
        raise ValueError("k and samples must be at least 1 and λ positive")
    design = build_design(entries, reviews, criteria)
    ideas, reviews_count, jurors = len(design.idea_ids), design.r.size, len(design.juror_ids)
    if ideas == 0:
        return {}
    rng = np.random.default_rng(seed)
    pairs = sum(a.size for _size, a, _b in design.distinct_pairs)
    batch = max(1, _BATCH_CELLS // (jurors * jurors + pairs + reviews_count))
    first = design.starts[design.idea]
    width = design.counts[design.idea]
    hits = np.zeros(ideas)
    done = 0
    while done < samples:
        size = min(batch, samples - done)
        # floor(u·w) for u uniform in [0, 1): a position among the idea's w reviews, drawn faster
        # than with integers() and its bound per column.
        picks = first + (rng.random((size, reviews_count)) * width).astype(np.int64)
        juror, r = design.juror[picks], design.r[picks]
        order = top_k_order(method_scores(design, juror, r, method, lam), idea_means(design, r), k)
        hits += np.bincount(order.ravel(), minlength=ideas)
        done += size
    return {idea_id: float(hits[i] / samples) for i, idea_id in enumerate(design.idea_ids)}

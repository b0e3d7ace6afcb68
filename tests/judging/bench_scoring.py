"""Benchmark of the ranking at the size the issue names: 3,000 ideas × 150 jurors × 3 reviews.

Each idea has a true quality, each juror a severity, and every score some noise; three criteria of
different weights. Also times the bootstrap of the top 3 for a 50-idea challenge, and at full size
with the number of resamples the judging console uses there. Run from the
repository root:

    .venv/bin/python tests/judging/bench_scoring.py

Not collected by pytest (the name does not start with test_): timings depend on the machine.
"""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.judging.scoring import METHODS, Criterion, Entry, Review, rank  # noqa: E402
from app.judging.statistics import alpha_per_criterion, bootstrap_samples, bootstrap_top_k  # noqa: E402

IDEAS, JURORS, REVIEWS = 3000, 150, 3
T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
CRITERIA = [Criterion(1, 3, 1, 10), Criterion(2, 2, 1, 10), Criterion(3, 1, 0, 5)]


def challenge(ideas: int, jurors: int, reviews: int, seed: int = 5):
    """Entries and reviews: juror load balanced (idea i goes to jurors i·r … i·r + r − 1 mod J)."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(6, 1.5, ideas)
    severity = rng.normal(0, 1, jurors)
    entries = [Entry(i, T0 + dt.timedelta(minutes=i % 97)) for i in range(ideas)]
    rows = []
    for i in range(ideas):
        for step in range(reviews):
            j = (i * reviews + step) % jurors
            base = quality[i] + severity[j] + rng.normal(0, 1)
            scores = {c.id: int(np.clip(round(base * c.scale_max / 10), c.scale_min, c.scale_max)) for c in CRITERIA}
            rows.append(Review(i, j, scores))
    return entries, rows


def timed(label: str, call, repeat: int = 3) -> float:
    """The best of ``repeat`` runs, so a busy machine disturbs the figure less."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<64} {best:7.3f} s")
    return best


def benchmark() -> dict[str, float]:
    entries, reviews = challenge(IDEAS, JURORS, REVIEWS)
    figures = {}
    for method in METHODS:
        figures[method] = timed(f"rank() {IDEAS} × {JURORS} × {REVIEWS}, {method}",
                                lambda m=method: rank(entries, reviews, CRITERIA, m))
    figures["alpha"] = timed("alpha_per_criterion() at the same size",
                             lambda: alpha_per_criterion(reviews, CRITERIA))
    small_entries, small_reviews = challenge(50, 30, 3)
    for method in METHODS:
        figures[f"bootstrap {method}"] = timed(
            f"bootstrap_top_k() 50 ideas × 30 jurors, 1000 samples, {method}",
            lambda m=method: bootstrap_top_k(small_entries, small_reviews, CRITERIA, m))
    samples = bootstrap_samples(len(reviews))  # as the judging console asks for
    for method in METHODS:
        figures[f"bootstrap large {method}"] = timed(
            f"bootstrap_top_k() {IDEAS} × {JURORS}, {samples} samples, {method}",
            lambda m=method: bootstrap_top_k(entries, reviews, CRITERIA, m, samples=samples))
    return figures


if __name__ == "__main__":
    benchmark()

"""Benchmark of the jury assignment at the size the issue names: 3,000 ideas × 150 jurors × 3 reviews.

About 2 % of juror–idea pairs are conflicts; ideas fall in 3 tracks and a third of the jurors judge
one track only. Run from the repository root:

    .venv/bin/python tests/judging/bench_assignment.py

Not collected by pytest (the name does not start with test_): timings depend on the machine.
"""
from __future__ import annotations

import random
import statistics
import sys
from collections import Counter
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.judging.assignment import IdeaSlot, JurorSlot, plan_assignments  # noqa: E402

IDEAS, JURORS, REVIEWS, TRACKS = 3000, 150, 3, 3
CONFLICT_RATE = 0.02


def instance(seed: int = 5):
    rng = random.Random(seed)
    ideas = [IdeaSlot(idea_id=n, track_id=rng.randint(1, TRACKS)) for n in range(1, IDEAS + 1)]
    jurors = [
        JurorSlot(juror_id=n, track_ids=frozenset({rng.randint(1, TRACKS)}) if n % 3 == 0 else None)
        for n in range(1, JURORS + 1)
    ]
    conflicts = {
        (juror.juror_id, idea.idea_id)
        for juror in jurors for idea in ideas if rng.random() < CONFLICT_RATE
    }
    return rng, ideas, jurors, conflicts


def timed(label: str, ideas, jurors, conflicts, existing, runs: int = 1):
    """Run ``runs`` times; print the median time, the loads (of existing pairs alone, then in total)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        plan = plan_assignments(ideas, jurors, conflicts, existing, REVIEWS)
        times.append(time.perf_counter() - started)
    before = Counter(juror_id for juror_id, _ in existing)
    held = [before[j.juror_id] for j in jurors]
    loads = plan.per_juror.values()
    print(f"{label:<44} {statistics.median(times):6.2f} s   new {len(plan.new):>5}   "
          f"existing loads {min(held)}–{max(held)}   loads {min(loads)}–{max(loads)}   "
          f"understaffed {len(plan.understaffed)}")
    return plan


def main() -> None:
    rng, ideas, jurors, conflicts = instance()
    print(f"{IDEAS} ideas × {JURORS} jurors × {REVIEWS} reviews, {len(conflicts)} conflicts "
          f"({CONFLICT_RATE:.0%}), {TRACKS} tracks, {sum(j.track_ids is not None for j in jurors)} "
          "track-restricted jurors")
    plan = timed("from scratch (median of 5)", ideas, jurors, conflicts, set(), runs=5)
    timed("again with existing + new (idempotent)", ideas, jurors, conflicts, set(plan.new))

    # A realistic second run: some reviews were declared conflicts and removed, and 20 jurors
    # joined late, so the repair has to move work towards them.
    kept = {pair for pair in plan.new if rng.random() > 0.05}
    late = [JurorSlot(juror_id=JURORS + n, track_ids=None) for n in range(1, 21)]
    timed("5 % removed, 20 late jurors, existing kept", ideas, jurors + late, conflicts, kept)

    # Everything left to the repair: the first half of the jury already holds every review.
    half = [juror for juror in jurors if juror.track_ids is None][:50]
    first = plan_assignments(ideas, half, conflicts, set(), REVIEWS)
    sample = set(rng.sample(first.new, len(first.new) // 2))
    timed("half the reviews already on 50 jurors", ideas, jurors, conflicts, sample)

    # Uneven tracks: track 1 has a tenth of the ideas but 40 jurors of its own, who cannot reach
    # the others' level; everybody else shares the rest evenly.
    uneven_ideas = [IdeaSlot(idea.idea_id, 1 if idea.idea_id <= IDEAS // 10 else rng.randint(2, TRACKS))
                    for idea in ideas]
    uneven_jurors = [JurorSlot(n, frozenset({1}) if n <= 40 else None) for n in range(1, JURORS + 1)]
    timed("uneven tracks (40 jurors for 10 % of ideas)", uneven_ideas, uneven_jurors, conflicts, set())


if __name__ == "__main__":
    main()

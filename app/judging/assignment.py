"""Jury assignment: every idea gets its reviewers, never a conflicted one, and jurors share the work evenly.

The rule (POST /challenges/{id}/assignments):

- An idea receives jurors until it has ``reviews_per_entry`` distinct ones, existing assignments
  included. Existing assignments are kept as they are (the caller has already removed the ones that
  became conflicts) and count for their idea and their juror.
- A new pair is never a conflict, never a juror already on that idea, and respects the juror's
  tracks: a juror with tracks only takes ideas of those tracks; an idea without a track may go to
  anyone.
- An idea whose eligible jurors are too few takes all of them and is reported as understaffed.
- Among all plans that staff every idea as fully as possible, the loads (existing + new per juror)
  are *decreasingly minimal*: the largest load is as small as possible, then the second largest,
  and so on. Such a plan also has the largest possible smallest load and the smallest sum of
  squared loads; having both the smallest maximum and the largest minimum, it has the smallest
  max − min of all, so max − min ≤ 1 whenever any plan reaches it. Existing pairs never move, so a
  juror who already holds much work may stay above the others.

How: a greedy pass gives each idea its least-loaded eligible jurors (ties by id), starting with the
ideas that must take every eligible juror, then the others in a fixed shuffled order. A repair pass
then moves new assignments along chains (juror a hands idea i to b, b hands idea i' to c, …) from a
juror to one at least two assignments lighter, until no such chain exists. A plan without such a
chain is decreasingly minimal, because the reachable load vectors form an M-convex
set (Frank & Murota, "Discrete decreasing minimization, Part I", 2022); each move lowers the sum of
squared loads by at least 2, so the repair ends. The tests check the result against an exhaustive
search on small juries.
"""
from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass
from typing import Collection, Sequence

Pair = tuple[int, int]  # (juror_id, idea_id)
SHUFFLE_SEED = 5  # fixed: the same input always gives the same plan


@dataclass(frozen=True)
class IdeaSlot:
    """An idea to staff; ``track_id`` None means it belongs to no track and any juror may take it."""

    idea_id: int
    track_id: int | None = None


@dataclass(frozen=True)
class JurorSlot:
    """A juror; ``track_ids`` None means every track, otherwise only ideas of these tracks (or of none)."""

    juror_id: int
    track_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class AssignmentPlan:
    """``new``: pairs to create, sorted; ``per_juror``: load including existing pairs, for every juror
    passed in; ``understaffed``: sorted ids of ideas left with fewer than ``reviews_per_entry`` jurors."""

    new: list[Pair]
    per_juror: dict[int, int]
    understaffed: list[int]


def plan_assignments(
    ideas: Sequence[IdeaSlot],
    jurors: Sequence[JurorSlot],
    conflicts: Collection[Pair],
    existing: Collection[Pair],
    reviews_per_entry: int,
) -> AssignmentPlan:
    """Plan the new assignments under the rule of this module.

    Existing pairs naming an idea or a juror that was not passed in count only for the side that
    was (a juror keeps the load of work already given to them). The result depends only on the
    content of the arguments, not on their order, and running again with ``existing`` + ``new``
    plans nothing more.
    """
    if reviews_per_entry < 0:
        raise ValueError("reviews_per_entry must be at least 0")
    idea_ids = sorted(slot.idea_id for slot in ideas)
    juror_ids = sorted(slot.juror_id for slot in jurors)
    if len(set(idea_ids)) != len(idea_ids) or len(set(juror_ids)) != len(juror_ids):
        raise ValueError("idea and juror ids must be unique")
    # Work on positions in id order, so that ties break by id and input order never matters.
    ix = {idea_id: n for n, idea_id in enumerate(idea_ids)}
    jx = {juror_id: n for n, juror_id in enumerate(juror_ids)}

    load = [0] * len(juror_ids)
    held = [0] * len(idea_ids)  # existing jurors per idea, known to this call or not
    on: list[set[int]] = [set() for _ in idea_ids]  # known jurors currently on each idea
    for juror_id, idea_id in set(existing):
        j, i = jx.get(juror_id), ix.get(idea_id)
        if j is not None:
            load[j] += 1
        if i is not None:
            held[i] += 1
            if j is not None:
                on[i].add(j)

    elig = _eligible(ideas, jurors, ix, jx, conflicts, on)
    need = [max(0, reviews_per_entry - h) for h in held]
    take = [min(n, len(e)) for n, e in zip(need, elig)]

    new_of: list[set[int]] = [set() for _ in juror_ids]  # ideas newly given to each juror
    width = len(juror_ids)
    for i in _greedy_order(elig, take):
        for j in heapq.nsmallest(take[i], elig[i], key=lambda j: load[j] * width + j):
            load[j] += 1
            new_of[j].add(i)
            on[i].add(j)

    while (chain := _heavy_to_light_chain(load, new_of, on, elig)) is not None:
        _shift(chain, load, new_of, on)

    return AssignmentPlan(
        new=sorted((juror_ids[j], idea_ids[i]) for j, mine in enumerate(new_of) for i in mine),
        per_juror={juror_ids[j]: load[j] for j in range(len(juror_ids))},
        understaffed=[idea_ids[i] for i in range(len(idea_ids)) if take[i] < need[i]],
    )


def _greedy_order(elig: list[set[int]], take: list[int]) -> list[int]:
    """Ideas that must take every eligible juror go first, so that the loads they impose are known
    before any choice is made; the others follow in a fixed shuffled order. Shuffling interleaves
    tracks and similar ideas: handled in blocks (by id or by number of eligible jurors), the first
    blocks load the unrestricted jurors before the jurors of later tracks get any work, and the
    repair pass has far more to do (487 moves instead of 2 in tests/judging/bench_assignment.py)."""
    forced = [i for i in range(len(take)) if take[i] and take[i] == len(elig[i])]
    free = [i for i in range(len(take)) if take[i] and take[i] < len(elig[i])]
    random.Random(SHUFFLE_SEED).shuffle(free)  # nosec B311 - a fixed order that balances loads, not a secret
    return forced + free


def _eligible(
    ideas: Sequence[IdeaSlot],
    jurors: Sequence[JurorSlot],
    ix: dict[int, int],
    jx: dict[int, int],
    conflicts: Collection[Pair],
    on: list[set[int]],
) -> list[set[int]]:
    """For each idea position, the juror positions that may newly take it: track allowed, no
    conflict, not on it already."""
    everyone = set(jx.values())
    pools: dict[int | None, set[int]] = {None: everyone}
    for slot in ideas:
        if slot.track_id not in pools:
            pools[slot.track_id] = {
                jx[juror.juror_id] for juror in jurors
                if juror.track_ids is None or slot.track_id in juror.track_ids
            }
    blocked: list[set[int]] = [set() for _ in on]
    for juror_id, idea_id in conflicts:
        if juror_id in jx and idea_id in ix:
            blocked[ix[idea_id]].add(jx[juror_id])
    elig: list[set[int]] = [set() for _ in on]
    for slot in ideas:
        i = ix[slot.idea_id]
        elig[i] = pools[slot.track_id] - blocked[i] - on[i]
    return elig


Chain = list[tuple[int, int, int]]  # moves (from juror, idea, to juror), source first


def _heavy_to_light_chain(
    load: list[int], new_of: list[set[int]], on: list[set[int]], elig: list[set[int]]
) -> Chain | None:
    """A chain of moves of new assignments from a juror to one at least two assignments lighter,
    or None when there is none (the loads are then decreasingly minimal).

    One breadth-first search serves every level: it starts from the heaviest jurors and adds the
    next level's jurors as sources when the previous level is exhausted, so the jurors visited
    while handling level L are exactly those reachable from a juror of load ≥ L. An idea is
    expanded once: from whichever holder comes first, it reaches every juror that could take it.
    """
    by_level: dict[int, list[int]] = {}
    for j, value in enumerate(load):
        by_level.setdefault(value, []).append(j)
    lightest = min(by_level, default=0)
    visited = bytearray(len(load))
    expanded = bytearray(len(on))
    parent: list[tuple[int, int] | None] = [None] * len(load)
    queue: deque[int] = deque()
    for level in sorted(by_level, reverse=True):
        if level - 2 < lightest:
            break
        for source in by_level[level]:
            if not visited[source]:
                visited[source] = 1
                queue.append(source)
        while queue:
            a = queue.popleft()
            # Sorted, so the chain found depends on the content of the sets, not on their history.
            for i in sorted(new_of[a]):
                if expanded[i]:
                    continue
                expanded[i] = 1
                for k in sorted(elig[i] - on[i]):
                    if visited[k]:
                        continue
                    visited[k] = 1
                    parent[k] = (a, i)
                    if load[k] <= level - 2:
                        return _unwind(parent, k)
                    queue.append(k)
    return None


def _unwind(parent: list[tuple[int, int] | None], end: int) -> Chain:
    moves: Chain = []
    k = end
    while (step := parent[k]) is not None:
        a, i = step
        moves.append((a, i, k))
        k = a
    moves.reverse()
    return moves


def _shift(chain: Chain, load: list[int], new_of: list[set[int]], on: list[set[int]]) -> None:
    """Apply the moves; only the chain's first juror loses one and its last gains one. Each idea
    appears once in a chain (it is expanded once per search), so every move stays valid."""
    for a, i, k in chain:
        new_of[a].remove(i)
        on[i].remove(a)
        new_of[k].add(i)
        on[i].add(k)
    load[chain[0][0]] -= 1
    load[chain[-1][2]] += 1

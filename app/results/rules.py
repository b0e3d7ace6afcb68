"""Pure rules of results: the digest anyone can recompute, the funding proposal, and the public
vote's eligibility and warning signs."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Sequence


def digest(awards: list[dict[str, Any]], ranking: list[dict[str, Any]]) -> str:
    """The contract's digest: SHA-256 of the canonical JSON of both arrays exactly as answered."""
    payload = json.dumps({"awards": awards, "ranking": ranking}, sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Candidate:
    idea_id: int
    rank: int
    requested: Decimal | None


@dataclass(frozen=True)
class Proposal:
    idea_id: int
    rank: int
    requested: Decimal | None
    # "funded", "too_big" (skipped: no longer fits the remaining budget), "no_request" (no amount asked)
    outcome: str
    amount: Decimal | None
    remaining_after: Decimal


def propose_funding(candidates: Iterable[Candidate], budget: Decimal) -> list[Proposal]:
    """Fund entries in rank order while the budget lasts, each with the amount it requested.

    An entry whose request no longer fits is skipped (and said so) and the next one is tried, so a
    smaller request further down can still be funded; an entry that asked for nothing is not funded.
    """
    remaining = Decimal(budget)
    proposals = []
    for candidate in sorted(candidates, key=lambda c: c.rank):
        requested = candidate.requested
        if requested is None or requested <= 0:
            proposals.append(Proposal(candidate.idea_id, candidate.rank, requested, "no_request", None, remaining))
        elif requested <= remaining:
            remaining -= requested
            proposals.append(Proposal(candidate.idea_id, candidate.rank, requested, "funded", requested, remaining))
        else:
            proposals.append(Proposal(candidate.idea_id, candidate.rank, requested, "too_big", None, remaining))
    return proposals


def awards_total(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((Decimal(a) for a in amounts if a is not None), Decimal(0))


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def may_vote_with(email: str, allowed_domains: Sequence[str]) -> bool:
    """An address may vote when no domain is required, or its domain (or a parent) is allowed:
    ``ana@spital.iasi.ro`` votes where ``iasi.ro`` is allowed. Both sides are compared lower-case,
    without a leading "@" or a trailing dot, so a domain typed as ``@Iasi.RO`` still matches."""
    wanted = [d.strip().lower().lstrip("@").rstrip(".") for d in allowed_domains]
    wanted = [d for d in wanted if d]
    if not wanted:
        return True
    if "@" not in email:
        return False
    domain = email_domain(email).rstrip(".")
    return bool(domain) and any(domain == d or domain.endswith("." + d) for d in wanted)


@dataclass(frozen=True)
class VoteRow:
    idea_id: int
    user_id: int
    voted_at: dt.datetime
    account_created_at: dt.datetime


@dataclass(frozen=True)
class Burst:
    idea_id: int
    votes: int
    starts_at: dt.datetime
    ends_at: dt.datetime


def suspicious_bursts(votes: Iterable[VoteRow], *, window: dt.timedelta = dt.timedelta(minutes=10),
                      new_account_age: dt.timedelta = dt.timedelta(days=1), threshold: int = 5) -> list[Burst]:
    """Entries that received ``threshold`` or more votes from accounts created less than
    ``new_account_age`` before voting, all within one ``window``: the pattern of an organised push
    with fresh accounts. Each entry reports its largest such burst."""
    fresh: dict[int, list[dt.datetime]] = {}
    for vote in votes:
        if vote.voted_at - vote.account_created_at < new_account_age:
            fresh.setdefault(vote.idea_id, []).append(vote.voted_at)
    bursts = []
    for idea_id, times in fresh.items():
        times.sort()
        best: tuple[int, int] | None = None
        start = 0
        for end in range(len(times)):
            while times[end] - times[start] > window:
                start += 1
            size = end - start + 1
            if size >= threshold and (best is None or size > best[1] - best[0] + 1):
                best = (start, end)
        if best is not None:
            bursts.append(Burst(idea_id, best[1] - best[0] + 1, times[best[0]], times[best[1]]))
    return sorted(bursts, key=lambda b: (-b.votes, b.idea_id))

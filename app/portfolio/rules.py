"""Pure rules of the portfolio: reference codes, stages, progress, search text and aggregates."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from app.portfolio.models import STAGES

PIPELINE = ("idea", "incubation", "pilot", "deployed", "scaled")
REFERENCE_PREFIX = "SH"
REFERENCE_RE = re.compile(r"^[A-Z]{2,5}-(\d{4})-(\d{3,})$")


def reference(year: int, number: int, prefix: str = REFERENCE_PREFIX) -> str:
    """The project's public code, e.g. ``SH-2026-014``: the year it entered and its order in that year."""
    return f"{prefix}-{year:04d}-{number:03d}"


def next_reference_number(existing: Iterable[str], year: int) -> int:
    """One more than the highest number already given in ``year`` (gaps are never reused)."""
    highest = 0
    for code in existing:
        match = REFERENCE_RE.match(code)
        if match and int(match.group(1)) == year:
            highest = max(highest, int(code.rsplit("-", 1)[1]))
    return highest + 1


def fold(text: str) -> str:
    """Lower-case text without diacritics, so that "Iasi" finds "Iași" and "Sanatate" finds "Sănătate"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters that do not decompose into a base letter and a mark.
    stripped = stripped.translate(str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss",
                                                 "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"}))
    return " ".join(stripped.casefold().split())


def search_text(*parts: str | Sequence[str] | None) -> str:
    words: list[str] = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, str):
            words.append(part)
        else:
            words.extend(str(p) for p in part)
    return fold(" ".join(words))


def query_terms(query: str) -> list[str]:
    """The folded words of a search box; every one must appear (at most 10 are kept)."""
    return fold(query).split()[:10]


def is_valid_stage_change(current: str, new: str) -> bool:
    """Any stage may follow any other (projects go back to pilot, or restart after a stop);
    only a change to the same stage is not a change."""
    return new in STAGES and new != current


@dataclass(frozen=True)
class MilestoneState:
    done: bool
    planned_on: dt.date | None = None


def progress(milestones: Sequence[MilestoneState]) -> int | None:
    """Whole per cent of milestones done; None when there are none (no bar rather than 0 %)."""
    if not milestones:
        return None
    done = sum(1 for m in milestones if m.done)
    return round(100 * done / len(milestones))


def overdue(milestones: Sequence[MilestoneState], today: dt.date) -> int:
    return sum(1 for m in milestones if not m.done and m.planned_on is not None and m.planned_on < today)


def normalise_themes(themes: Iterable[str]) -> list[str]:
    """Trimmed, single-spaced, without duplicates (compared case- and accent-insensitively), in order."""
    seen: set[str] = set()
    kept = []
    for theme in themes:
        clean = " ".join(str(theme).split())
        key = fold(clean)
        if clean and key not in seen:
            seen.add(key)
            kept.append(clean)
    return kept


def assessment_summary(values: Iterable[tuple[int, int]]) -> dict[str, float | int | None]:
    """Count and means of (usefulness, progress_visible) pairs."""
    pairs = list(values)
    if not pairs:
        return {"count": 0, "usefulness": None, "progress_visible": None}
    return {"count": len(pairs), "usefulness": sum(p[0] for p in pairs) / len(pairs),
            "progress_visible": sum(p[1] for p in pairs) / len(pairs)}

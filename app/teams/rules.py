"""Pure team rules: names, sizes and who becomes captain."""
from __future__ import annotations

import datetime as dt
import re
from typing import Sequence


def team_name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip()).casefold()


def has_room(member_count: int, max_size: int) -> bool:
    return member_count < max_size


def next_captain(members: Sequence[tuple[int, dt.datetime, int]], leaving_user_id: int) -> int | None:
    """The longest-standing remaining member (joined first; ties by membership id), or None."""
    remaining = [m for m in members if m[0] != leaving_user_id]
    if not remaining:
        return None
    return min(remaining, key=lambda m: (m[1], m[2]))[0]


def has_nul(text: str) -> bool:
    """A NUL character, which PostgreSQL can neither store nor compare: refused as invalid input."""
    return "\x00" in text

"""Pure rules of the jury: who may judge which team's idea."""
from __future__ import annotations

from collections.abc import Collection, Iterable


def automatically_conflicted(juror_user_id: int, juror_organisation_key: str,
                             members: Iterable[tuple[int, str]]) -> bool:
    """A juror may not judge a team they belong to, or one with a member of their organisation.

    ``members`` are (user id, organisation key) pairs; organisation keys are compared as
    normalised by ``accounts.rules.organisation_key`` and an empty organisation never matches.
    """
    for user_id, organisation_key in members:
        if user_id == juror_user_id:
            return True
        if juror_organisation_key and organisation_key == juror_organisation_key:
            return True
    return False


def judges_track(juror_track_ids: Collection[int] | None, idea_track_id: int | None) -> bool:
    """A juror limited to some tracks judges only ideas of those tracks (ideas without a track: anyone)."""
    return juror_track_ids is None or idea_track_id is None or idea_track_id in juror_track_ids

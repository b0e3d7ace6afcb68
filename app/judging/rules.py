"""Pure rules of the jury: who may judge which team's idea, and what a blind juror may read."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

# A one-letter part of a name (an initial) names no one, and would blank nearly every file name.
MIN_NAME_PART = 2


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


def _folded(text: str) -> str:
    """Letters and digits only, case and accents folded: "Ana-Maria Ştefan" → "anamariastefan",
    so a name hides neither behind capitals nor behind "_", "-" or "." in a file name."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def identifying_terms(team_name: str, people: Iterable[tuple[str, str]]) -> set[str]:
    """What would name a team in a file name, folded: the team's whole name, and for each person
    (name, e-mail) their whole name, each part of it and their e-mail's local part and its parts.
    Parts shorter than ``MIN_NAME_PART`` are left out; the team's name counts at any length."""
    terms = {_folded(team_name)}
    for name, email in people:
        local = (email or "").rsplit("@", 1)[0]
        pieces = [name or "", local, *re.split(r"[\W_]+", name or ""), *re.split(r"[\W_]+", local)]
        terms.update(folded for folded in map(_folded, pieces) if len(folded) >= MIN_NAME_PART)
    terms.discard("")
    return terms


def names_someone(filename: str, terms: Iterable[str]) -> bool:
    """Whether a file name carries any of the (folded) terms, whatever its case, accents and separators."""
    folded = _folded(filename)
    return any(term and term in folded for term in terms)


def blind_filename(filename: str, number: int, extension: str, terms: Iterable[str]) -> str:
    """The name a juror sees for an idea's ``number``-th file when the review is blind: its own
    name when that carries no team or member name (see :func:`identifying_terms`), otherwise the
    neutral "attachment-<number>.<extension>"."""
    if names_someone(filename, terms):
        return f"attachment-{number}.{extension.lstrip('.') or 'bin'}"
    return filename

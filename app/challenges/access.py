"""Loading a challenge for a user: 404 when absent or hidden, 403 when seen but not theirs to change.

Teams and submissions load challenges through these functions too, so every feature answers
the same way for the same situation.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _

from app.challenges import rules
from app.challenges.models import Challenge
from app.core import clock
from app.core.errors import Conflict, Forbidden, NotFound
from app.extensions import db


MAX_ID = 2**31 - 1


def valid_id(value: Any) -> bool:
    """Whether ``value`` can be a row id: a URL may carry any integer, PostgreSQL takes 32 bits."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def visible_challenge(challenge_id: int, user: Any) -> Challenge:
    challenge = db.session.get(Challenge, challenge_id) if valid_id(challenge_id) else None
    if challenge is None or not challenge.can_view(user):
        raise NotFound()
    return challenge


def organised_challenge(challenge_id: int, user: Any) -> Challenge:
    """A challenge the user organises (administrators organise all)."""
    challenge = visible_challenge(challenge_id, user)
    if not challenge.is_organiser(user):
        raise Forbidden(_("Only the organisers of this challenge can do this."))
    return challenge


def team_deadline(challenge: Challenge, team: Any = None) -> Any:
    """The deadline that applies to a team: the challenge's, or a later one granted to it."""
    deadline = challenge.submission_deadline
    exception = getattr(team, "deadline_exception", None)
    if exception is not None and (deadline is None or exception > deadline):
        return exception
    return deadline


def assert_submissions_open(challenge: Challenge, team: Any = None) -> dt.datetime:
    """Refuse (409 submissions_closed) any team or idea write outside the submission window.

    The window is judged on the server, in UTC, to the second: open status and
    opens_at ≤ now < deadline, where a team's granted exception replaces the deadline.
    Returns the instant it judged, for the write to be dated with: a write accepted just
    before the deadline must never carry a time after it.
    """
    now = clock.now()
    if not rules.submissions_open(challenge.status, challenge.opens_at, team_deadline(challenge, team), now):
        if challenge.status == "open" and challenge.opens_at and now < challenge.opens_at:
            message = _("Submissions have not opened yet.")
        else:
            message = _("Submissions are closed for this challenge: nothing was changed.")
        raise Conflict(message, code="submissions_closed")
    return now

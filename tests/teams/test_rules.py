"""Pure team rules: name keys, room left, and who takes over as captain."""
import datetime as dt

import pytest

from app.teams import rules

T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("a, b", [
    ("Heart Beats", "heart beats"),
    ("  Heart   Beats ", "HEART BEATS"),
    ("Heart\tBeats", "heart beats"),
    ("STRASSE", "strasse"),
    ("Straße", "STRASSE"),  # casefold, not lower
])
def test_names_that_are_the_same_team_name(a, b):
    assert rules.team_name_key(a) == rules.team_name_key(b)


@pytest.mark.parametrize("a, b", [("Heart Beats", "HeartBeats"), ("Team 1", "Team 2"), ("Ana", "Ană")])
def test_names_that_differ(a, b):
    assert rules.team_name_key(a) != rules.team_name_key(b)


@pytest.mark.parametrize("members, max_size, room", [(0, 1, True), (3, 4, True), (4, 4, False), (5, 4, False)])
def test_has_room(members, max_size, room):
    assert rules.has_room(members, max_size) is room


def test_next_captain_is_the_longest_standing_remaining_member():
    members = [(1, T0, 1), (2, T0 + dt.timedelta(hours=2), 2), (3, T0 + dt.timedelta(hours=1), 3)]
    assert rules.next_captain(members, leaving_user_id=1) == 3


def test_next_captain_ties_go_to_the_earlier_membership():
    members = [(1, T0, 1), (7, T0 + dt.timedelta(minutes=5), 9), (8, T0 + dt.timedelta(minutes=5), 4)]
    assert rules.next_captain(members, leaving_user_id=1) == 8


def test_no_next_captain_when_nobody_remains():
    assert rules.next_captain([(1, T0, 1)], leaving_user_id=1) is None
    assert rules.next_captain([], leaving_user_id=1) is None


@pytest.mark.parametrize("text, bad", [("ok", False), ("", False), ("a\x00b", True)])
def test_nul_characters_are_refused(text, bad):
    assert rules.has_nul(text) is bad

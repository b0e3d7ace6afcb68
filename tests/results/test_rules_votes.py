"""The public vote's pure rules: who may vote by e-mail domain, and the warning sign of many new
accounts voting for one entry within minutes."""
from __future__ import annotations

import datetime as dt

import pytest

from app.results.rules import Burst, VoteRow, may_vote_with, suspicious_bursts

T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("email, domains, allowed", [
    ("ana@example.org", [], True),
    ("ana@iasi.ro", ["iasi.ro"], True),
    ("ana@spital.iasi.ro", ["iasi.ro"], True),
    ("Ana@IASI.RO", ["iasi.ro"], True),
    ("ana@iasi.ro", ["IASI.ro"], True),
    ("ana@iasi.ro", ["@iasi.ro"], True),
    ("ana@iasi.ro", [" iasi.ro. "], True),
    ("ana@iasi.ro", ["umfiasi.ro", "iasi.ro"], True),
    ("ana@notiasi.ro", ["iasi.ro"], False),  # a suffix, not a parent domain
    ("ana@iasi.ro.evil.com", ["iasi.ro"], False),
    ("ana@gmail.com", ["iasi.ro"], False),
    ("iasi.ro", ["iasi.ro"], False),  # no address at all
    ("ana@", ["iasi.ro"], False),
    ("ana@iasi.ro", ["", "  "], True),  # blank entries restrict nothing
])
def test_who_may_vote_by_domain(email, domains, allowed):
    assert may_vote_with(email, domains) is allowed


def row(idea: int, user: int, minutes: float, account_age: dt.timedelta = dt.timedelta(hours=2)) -> VoteRow:
    voted = T0 + dt.timedelta(minutes=minutes)
    return VoteRow(idea, user, voted, voted - account_age)


def test_five_new_accounts_within_ten_minutes_for_one_entry_is_a_burst():
    votes = [row(1, user, minutes) for user, minutes in enumerate([0, 2, 4, 6, 10])]
    assert suspicious_bursts(votes) == [Burst(1, 5, T0, T0 + dt.timedelta(minutes=10))]


def test_four_are_not_enough_and_old_accounts_do_not_count():
    votes = [row(1, user, user) for user in range(4)]
    votes += [row(1, 10 + user, 5, account_age=dt.timedelta(days=30)) for user in range(10)]
    assert suspicious_bursts(votes) == []


def test_an_account_a_day_old_is_no_longer_new():
    votes = [row(1, user, user, account_age=dt.timedelta(days=1)) for user in range(6)]
    assert suspicious_bursts(votes) == []
    votes = [row(1, user, user, account_age=dt.timedelta(hours=23, minutes=59)) for user in range(6)]
    assert [b.votes for b in suspicious_bursts(votes)] == [6]


def test_votes_spread_over_more_than_the_window_are_not_a_burst():
    # One new-account vote every 3 minutes: never 5 within 10 minutes.
    votes = [row(1, user, 3 * user) for user in range(10)]
    assert suspicious_bursts(votes) == []


def test_each_entry_reports_its_largest_burst_and_the_largest_come_first():
    votes = [row(1, user, 0.5 * user) for user in range(5)]             # 5 in 2 minutes
    votes += [row(1, 100 + user, 60 + user) for user in range(7)]       # 7 an hour later
    votes += [row(2, 200 + user, 30 + user / 10) for user in range(6)]  # 6 for another entry
    votes += [row(3, 300 + user, user) for user in range(5)]            # 5 for a third entry
    found = suspicious_bursts(votes)
    assert [(b.idea_id, b.votes) for b in found] == [(1, 7), (2, 6), (3, 5)]
    assert found[0].starts_at == T0 + dt.timedelta(minutes=60)
    assert found[0].ends_at == T0 + dt.timedelta(minutes=66)


def test_the_order_of_the_rows_does_not_matter():
    votes = [row(1, user, minutes) for user, minutes in enumerate([9, 0, 7, 3, 1, 40])]
    assert suspicious_bursts(reversed(votes)) == suspicious_bursts(votes) == [
        Burst(1, 5, T0, T0 + dt.timedelta(minutes=9))]


def test_window_threshold_and_age_are_parameters():
    votes = [row(1, user, user) for user in range(3)]
    assert suspicious_bursts(votes, threshold=3, window=dt.timedelta(minutes=2)) == [
        Burst(1, 3, T0, T0 + dt.timedelta(minutes=2))]
    assert suspicious_bursts(votes, threshold=3, new_account_age=dt.timedelta(hours=1)) == []

"""The pure rules of a challenge's life: phases to the second, and what opening needs."""
import datetime as dt

import pytest

from app.challenges import rules

UTC = dt.timezone.utc
OPENS = dt.datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
DEADLINE = dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)
TICK = dt.timedelta(microseconds=1)

PHASE_TABLE = [
    # status, opens_at, deadline, now, phase
    ("draft", OPENS, DEADLINE, OPENS - SECOND, "upcoming"),
    ("draft", OPENS, DEADLINE, OPENS + SECOND, "upcoming"),
    ("draft", OPENS, DEADLINE, DEADLINE + SECOND, "upcoming"),
    ("open", OPENS, DEADLINE, OPENS - SECOND, "upcoming"),
    ("open", OPENS, DEADLINE, OPENS - TICK, "upcoming"),
    ("open", OPENS, DEADLINE, OPENS, "submissions_open"),  # exactly at opening: open
    ("open", OPENS, DEADLINE, OPENS + SECOND, "submissions_open"),
    ("open", OPENS, DEADLINE, DEADLINE - SECOND, "submissions_open"),
    ("open", OPENS, DEADLINE, DEADLINE - TICK, "submissions_open"),
    ("open", OPENS, DEADLINE, DEADLINE, "submissions_closed"),  # exactly at the deadline second: closed
    ("open", OPENS, DEADLINE, DEADLINE + SECOND, "submissions_closed"),
    ("open", None, DEADLINE, OPENS - dt.timedelta(days=30), "submissions_open"),
    ("open", None, DEADLINE, DEADLINE, "submissions_closed"),
    ("open", OPENS, None, OPENS + SECOND, "submissions_open"),
    ("judging", OPENS, DEADLINE, OPENS - SECOND, "judging"),
    ("judging", OPENS, DEADLINE, DEADLINE, "judging"),
    ("judging", OPENS, DEADLINE, DEADLINE + dt.timedelta(days=9), "judging"),
    ("published", OPENS, DEADLINE, DEADLINE - SECOND, "results"),
    ("published", OPENS, DEADLINE, DEADLINE + SECOND, "results"),
    ("archived", OPENS, DEADLINE, DEADLINE + dt.timedelta(days=400), "results"),
]


@pytest.mark.parametrize("status, opens_at, deadline, now, expected", PHASE_TABLE)
def test_phase(status, opens_at, deadline, now, expected):
    assert rules.phase(status, opens_at, deadline, now) == expected


SUBMISSION_TABLE = [
    ("open", OPENS, DEADLINE, OPENS - SECOND, False),
    ("open", OPENS, DEADLINE, OPENS, True),
    ("open", OPENS, DEADLINE, DEADLINE - TICK, True),
    ("open", OPENS, DEADLINE, DEADLINE, False),
    ("open", None, DEADLINE, DEADLINE - SECOND, True),
    ("open", OPENS, None, OPENS + SECOND, False),  # no deadline: nothing can be submitted
    ("draft", OPENS, DEADLINE, OPENS + SECOND, False),
    ("judging", OPENS, DEADLINE, OPENS + SECOND, False),
    ("published", OPENS, DEADLINE, OPENS + SECOND, False),
]


@pytest.mark.parametrize("status, opens_at, deadline, now, expected", SUBMISSION_TABLE)
def test_submissions_open(status, opens_at, deadline, now, expected):
    assert rules.submissions_open(status, opens_at, deadline, now) is expected


def test_phases_are_the_contract_names():
    assert rules.PHASES == ("upcoming", "submissions_open", "submissions_closed", "judging", "results")


def problems(**overrides):
    values = dict(title="Iași health", description="Digital care", opens_at=OPENS, deadline=DEADLINE,
                  team_min=1, team_max=5, reviews_per_entry=3,
                  criteria=[rules.CriterionSpec("Relevance", 2.0, 1, 5)], now=OPENS - SECOND)
    values.update(overrides)
    return rules.opening_problems(**values)


def test_complete_setup_has_no_problems():
    assert problems() == {}


@pytest.mark.parametrize("overrides, expected", [
    ({"title": "  "}, {"title": "missing"}),
    ({"description": ""}, {"description": "missing"}),
    ({"deadline": None}, {"submission_deadline": "missing"}),
    ({"now": DEADLINE}, {"submission_deadline": "in_past"}),
    ({"now": DEADLINE + SECOND}, {"submission_deadline": "in_past"}),
    ({"opens_at": DEADLINE}, {"submission_deadline": "before_opening"}),
    ({"team_min": 4, "team_max": 3}, {"team_max_size": "sizes"}),
    ({"team_min": 0}, {"team_max_size": "sizes"}),
    ({"reviews_per_entry": 0}, {"reviews_per_entry": "too_small"}),
    ({"criteria": []}, {"criteria": "missing"}),
    ({"criteria": [rules.CriterionSpec("Zero", 0.0, 1, 5)]}, {"criteria": "invalid"}),
    ({"criteria": [rules.CriterionSpec("Flat", 1.0, 3, 3)]}, {"criteria": "invalid"}),
])
def test_opening_problems(overrides, expected):
    assert problems(**overrides) == expected


def test_every_problem_at_once():
    found = problems(title="", description="", deadline=None, team_min=3, team_max=2, reviews_per_entry=0,
                     criteria=[])
    assert set(found) == {"title", "description", "submission_deadline", "team_max_size", "reviews_per_entry",
                          "criteria"}

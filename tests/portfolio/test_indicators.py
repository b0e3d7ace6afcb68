"""Indicators keep their history: a new value is added, never written over, and the current value
is the latest measurement."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.portfolio import indicators, lifecycle
from app.portfolio.models import Indicator, IndicatorValue
from tests.portfolio.lifecycle_support import events_of, lifecycle_world, make_project


@pytest.fixture
def world(db, frozen_clock):
    return lifecycle_world()


def new_indicator(world, **data):
    return indicators.add_indicator(world.project, world.admin, {"name": "Patients followed at home",
                                                                 "unit": "patients", "baseline": 0, "target": 200,
                                                                 **data})


def test_an_indicator_starts_at_its_baseline(db, world):
    indicator = new_indicator(world, baseline="12,5")
    assert (indicator.name, indicator.unit, indicator.baseline, indicator.target, indicator.current) == \
        ("Patients followed at home", "patients", 12.5, 200.0, 12.5)
    assert lifecycle.page_context(world.project)["indicators"][0].history == []


def test_new_values_are_added_to_the_history_never_written_over(db, world, frozen_clock):
    indicator = new_indicator(world)
    indicators.record_value(world.project, world.organiser, indicator.id, {"value": 40, "recorded_on": "2026-09-30"})
    indicators.record_value(world.project, world.organiser, indicator.id, {"value": "85"})
    # A value entered late for an earlier month joins the history without becoming the current one.
    late = indicators.record_value(world.project, world.organiser, indicator.id,
                                   {"value": 60, "recorded_on": "2026-10-31"})
    assert late.recorded_by_id == world.organiser.id
    view = lifecycle.page_context(world.project)["indicators"][0]
    assert view.history == [(dt.date(2026, 9, 30), 40.0), (dt.date(2026, 10, 31), 60.0), (dt.date(2026, 11, 20), 85.0)]
    assert view.current == 85.0 and db.session.get(Indicator, indicator.id).current == 85.0
    assert round(view.towards_target, 3) == 42.5
    assert view.chart is not None and "<title" in view.chart and "<script" not in view.chart
    assert db.session.query(IndicatorValue).count() == 3


def test_a_value_on_the_same_day_as_another_keeps_both(db, world):
    indicator = new_indicator(world)
    for value in (10, 11):
        indicators.record_value(world.project, world.admin, indicator.id, {"value": value, "recorded_on": "2026-11-01"})
    view = lifecycle.page_context(world.project)["indicators"][0]
    assert [v for _d, v in view.history] == [10.0, 11.0] and view.current == 11.0


def test_followers_hear_of_a_new_value(db, world):
    indicator = new_indicator(world)
    indicators.record_value(world.project, world.admin, indicator.id, {"value": 42})
    kind, summary = events_of(world.project.id)[-1]
    assert kind == "progress"
    assert summary["indicator"] == "Patients followed at home" and summary["value"] == 42.0
    assert summary["previous"] == 0.0 and summary["current"] == 42.0 and summary["recorded_on"] == "2026-11-20"


@pytest.mark.parametrize("data, fields", [
    ({}, {"value"}),
    ({"value": "many"}, {"value"}),
    ({"value": True}, {"value"}),
    ({"value": "nan"}, {"value"}),
    ({"value": "inf"}, {"value"}),
    ({"value": 1e16}, {"value"}),
    ({"value": 1, "recorded_on": "2026-11-21"}, {"recorded_on"}),
    ({"value": 1, "recorded_on": "yesterday"}, {"recorded_on"}),
])
def test_values_are_numbers_measured_by_today(db, world, data, fields):
    indicator = new_indicator(world)
    with pytest.raises(ValidationFailed) as refused:
        indicators.record_value(world.project, world.admin, indicator.id, data)
    assert set(refused.value.fields) == fields


@pytest.mark.parametrize("data, fields", [
    ({"name": ""}, {"name"}),
    ({"name": "x" * 201}, {"name"}),
    ({"name": "Ok", "unit": "u" * 51}, {"unit"}),
    ({"name": "Ok", "baseline": "low"}, {"baseline"}),
    ({"name": "Ok", "target": [1]}, {"target"}),
])
def test_indicators_refuse_bad_values(db, world, data, fields):
    with pytest.raises(ValidationFailed) as refused:
        indicators.add_indicator(world.project, world.admin, data)
    assert set(refused.value.fields) == fields


def test_name_unit_and_target_change_but_the_baseline_and_history_stay(db, world):
    indicator = new_indicator(world)
    indicators.record_value(world.project, world.admin, indicator.id, {"value": 30})
    changed = indicators.update_indicator(world.project, world.admin, indicator.id,
                                          {"name": "Patients at home", "unit": "people", "target": None})
    assert (changed.name, changed.unit, changed.target, changed.baseline, changed.current) == \
        ("Patients at home", "people", None, 0.0, 30.0)
    with pytest.raises(ValidationFailed) as refused:
        indicators.update_indicator(world.project, world.admin, indicator.id, {"baseline": 5})
    assert set(refused.value.fields) == {"baseline"}
    db.session.rollback()
    assert lifecycle.page_context(world.project)["indicators"][0].history[0][1] == 30.0


def test_only_an_indicator_without_history_can_be_removed(db, world):
    measured, spare = new_indicator(world), new_indicator(world, name="Spare")
    indicators.record_value(world.project, world.admin, measured.id, {"value": 1})
    with pytest.raises(Conflict) as refused:
        indicators.remove_indicator(world.project, world.admin, measured.id)
    assert refused.value.code == "indicator_has_history"
    db.session.rollback()
    indicators.remove_indicator(world.project, world.admin, spare.id)
    assert [i.name for i in lifecycle.page_context(world.project)["indicators"]] == ["Patients followed at home"]


def test_an_indicator_of_another_project_is_not_found(db, world):
    other = make_project(title="Other", origin_challenge=world.challenge)
    foreign = indicators.add_indicator(other, world.admin, {"name": "Theirs"})
    with pytest.raises(NotFound):
        indicators.record_value(world.project, world.admin, foreign.id, {"value": 1})


@pytest.mark.parametrize("who", ["participant", "other_organiser"])
def test_only_editors_touch_indicators(db, world, who):
    indicator = new_indicator(world)
    person = getattr(world, who)
    with pytest.raises(Forbidden):
        indicators.record_value(world.project, person, indicator.id, {"value": 1})
    with pytest.raises(Forbidden):
        indicators.add_indicator(world.project, person, {"name": "Mine"})
    assert db.session.query(IndicatorValue).count() == 0

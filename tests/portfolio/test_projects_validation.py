"""Checking a project's fields (``project_rules.clean_project``): the same judgement for the form and
the API, a message per field, and the rules that span fields judged on the result of a change."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.core.errors import ValidationFailed
from app.portfolio.project_rules import clean_project, clean_promotion_stage

NEW = {"title": " Mobile clinic ", "summary": "A van.", "organisation": "Primăria Iași", "stage": "idea"}


def fields_of(data, current=None):
    with pytest.raises(ValidationFailed) as refused:
        clean_project(data, current)
    return refused.value.fields


def test_a_new_project_is_cleaned(app_ctx):
    clean = clean_project({**NEW, "themes": "Telemedicine, telemedicine , Prevenție", "partners": ["  UMF  Iași "],
                           "budget": "1500.5", "currency": "ron", "starts_on": "2026-03-01",
                           "location": {"name": "Iași", "latitude": "47.1", "longitude": 27},
                           "funding_sources": ["ESF", {"programme": "PNRR", "amount": 10, "currency": "eur"}],
                           "website": "https://example.org/x", "programme_id": None})
    assert clean["title"] == "Mobile clinic"
    assert clean["themes"] == ["Telemedicine", "Prevenție"] and clean["partners"] == ["UMF Iași"]
    assert (clean["budget"], clean["currency"]) == (Decimal("1500.50"), "RON")
    assert clean["starts_on"] == dt.date(2026, 3, 1)
    assert (clean["location"], clean["latitude"], clean["longitude"]) == ("Iași", 47.1, 27.0)
    assert clean["funding_sources"] == [
        {"programme": "ESF", "amount": None, "currency": "EUR", "starts_on": None, "ends_on": None},
        {"programme": "PNRR", "amount": Decimal("10.00"), "currency": "EUR", "starts_on": None, "ends_on": None}]


def test_an_edit_cleans_only_what_it_carries(app_ctx):
    assert clean_project({"summary": "Shorter."}, {"stage": "pilot"}) == {"summary": "Shorter."}
    assert clean_project({"organisation": ""}, {"stage": "idea"}) == {"organisation": ""}  # promoted: may be empty


def test_a_place_name_alone_clears_the_coordinates(app_ctx):
    assert clean_project({"location": "Copou"}, {}) == {"location": "Copou", "latitude": None, "longitude": None}
    assert clean_project({"location": None}, {}) == {"location": "", "latitude": None, "longitude": None}


def test_stopping_is_judged_on_the_result(app_ctx):
    assert set(fields_of({"stage": "stopped"}, {"stage": "pilot", "stopped_reason": ""})) == {"stopped_reason"}
    assert set(fields_of({"stopped_reason": " "}, {"stage": "stopped", "stopped_reason": "Old"})) == {
        "stopped_reason"}
    assert clean_project({"stage": "stopped", "stopped_reason": "No funds."}, {"stage": "pilot"})["stage"] == "stopped"


def test_dates_are_judged_against_the_stored_ones(app_ctx):
    stored = {"starts_on": dt.date(2026, 5, 1), "ends_on": None}
    assert set(fields_of({"ends_on": "2026-04-30"}, stored)) == {"ends_on"}
    assert clean_project({"ends_on": "2026-05-01"}, stored)["ends_on"] == dt.date(2026, 5, 1)


def test_every_problem_is_told_at_once(app_ctx):
    problems = fields_of({"title": "", "summary": "", "organisation": "", "stage": "x", "budget": "-1",
                          "location": {"latitude": 100, "longitude": 0}, "funding_sources": [{}, "PNRR", 3]})
    assert set(problems) == {"title", "summary", "organisation", "stage", "budget", "location.latitude",
                             "funding_sources.0.programme", "funding_sources.2"}


@pytest.mark.parametrize("value", ["\x00", "a\ud800b"])
def test_text_that_cannot_be_stored_is_refused(app_ctx, value):
    assert "title" in fields_of({**NEW, "title": value})


@pytest.mark.parametrize("value, expected", [(None, "incubation"), ("", "incubation"), ("pilot", "pilot"),
                                             ("idea", "idea")])
def test_the_promotion_stage_defaults_to_the_suggestion(app_ctx, value, expected):
    assert clean_promotion_stage(value, "incubation") == expected


@pytest.mark.parametrize("value", ["deployed", "scaled", "stopped", "Pilot", 2, True])
def test_the_promotion_stage_is_idea_incubation_or_pilot(app_ctx, value):
    with pytest.raises(ValidationFailed):
        clean_promotion_stage(value, "idea")

"""The portfolio's pure rules: reference codes, folding for search, stages, progress, aggregates."""
from __future__ import annotations

import datetime as dt

import pytest

from app.portfolio import rules
from app.portfolio.models import STAGES
from app.portfolio.rules import MilestoneState


@pytest.mark.parametrize("year, number, expected", [
    (2026, 1, "SH-2026-001"), (2026, 14, "SH-2026-014"), (2026, 999, "SH-2026-999"), (2027, 1000, "SH-2027-1000"),
])
def test_reference_codes_pad_to_three_digits_and_grow_past_them(year, number, expected):
    assert rules.reference(year, number) == expected


def test_a_reference_can_take_another_prefix():
    assert rules.reference(2026, 3, prefix="IS") == "IS-2026-003"


@pytest.mark.parametrize("existing, year, expected", [
    ([], 2026, 1),
    (["SH-2026-001", "SH-2026-002"], 2026, 3),
    (["SH-2026-001", "SH-2026-007"], 2026, 8),  # gaps are never reused
    (["SH-2025-041", "SH-2026-002"], 2026, 3),  # other years do not count
    (["SH-2025-041"], 2026, 1),
    (["SH-2026-999", "SH-2026-1000"], 2026, 1001),  # compared as numbers, not text
    (["garbage", "SH-26-001", "SH-2026-01"], 2026, 1),  # what is not a code is ignored
])
def test_the_next_number_follows_the_highest_of_the_year(existing, year, expected):
    assert rules.next_reference_number(existing, year) == expected


@pytest.mark.parametrize("text, folded", [
    ("Iași", "iasi"), ("Sănătate Publică", "sanatate publica"), ("ÎNGRIJIRE", "ingrijire"),
    ("Ţară ţesut", "tara tesut"), ("København Øst", "kobenhavn ost"), ("Straße", "strasse"),
    ("  many   spaces\tand\nlines ", "many spaces and lines"), ("", ""), (None, ""),
])
def test_folding_removes_case_and_diacritics(text, folded):
    assert rules.fold(text) == folded


def test_iasi_without_diacritics_finds_iasi_with_them():
    haystack = rules.search_text("Telemedicină în Iași", ["Spitalul Județean"])
    for term in rules.query_terms("Iasi judetean TELEMEDICINA"):
        assert term in haystack


def test_search_text_takes_strings_lists_and_skips_none():
    assert rules.search_text("A", None, ["B", "C"], (), "D") == "a b c d"


def test_query_terms_keep_ten_folded_words():
    assert rules.query_terms("  Ana  Bogdan ") == ["ana", "bogdan"]
    assert len(rules.query_terms(" ".join(f"w{i}" for i in range(30)))) == 10
    assert rules.query_terms("") == []


@pytest.mark.parametrize("current", STAGES)
@pytest.mark.parametrize("new", STAGES)
def test_any_stage_may_follow_any_other_but_itself(current, new):
    assert rules.is_valid_stage_change(current, new) is (current != new)


def test_an_unknown_stage_is_never_a_valid_change():
    assert not rules.is_valid_stage_change("idea", "finished")
    assert not rules.is_valid_stage_change("idea", "")


@pytest.mark.parametrize("done, expected", [([], None), ([False], 0), ([True], 100), ([True, False, False], 33),
                                            ([True, True, False], 67), ([True] * 4, 100)])
def test_progress_is_the_whole_per_cent_of_milestones_done(done, expected):
    assert rules.progress([MilestoneState(d) for d in done]) == expected


def test_overdue_counts_open_milestones_planned_before_today():
    today = dt.date(2026, 11, 20)
    milestones = [MilestoneState(False, dt.date(2026, 11, 19)), MilestoneState(True, dt.date(2026, 1, 1)),
                  MilestoneState(False, today), MilestoneState(False, None), MilestoneState(False, dt.date(2025, 5, 1))]
    assert rules.overdue(milestones, today) == 2


def test_themes_are_trimmed_and_kept_once_whatever_the_case_or_accents():
    assert rules.normalise_themes([" Telemedicine ", "telemedicine", "Sănătate  mintală", "Sanatate mintala", "",
                                   "  "]) == ["Telemedicine", "Sănătate mintală"]


def test_assessment_summary_counts_and_averages():
    assert rules.assessment_summary([]) == {"count": 0, "usefulness": None, "progress_visible": None}
    assert rules.assessment_summary([(5, 3), (4, 2), (3, 1)]) == {"count": 3, "usefulness": 4.0,
                                                                  "progress_visible": 2.0}

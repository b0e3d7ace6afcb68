"""The pure rule of blind review for file names: a name is kept only when it carries no team or
member name, whatever its case, accents or separators."""
from __future__ import annotations

import pytest

from app.judging.rules import blind_filename, identifying_terms, names_someone

PEOPLE = [("Ana Popescu", "ana.popescu@example.org"), ("Mihai Ionescu", "mi.io@example.org"),
          ("Ştefan O. Brâncuşi", "sbrancusi@example.org")]


@pytest.fixture
def terms():
    return identifying_terms("Heart at Home", PEOPLE)


def test_the_terms_are_the_team_the_names_their_parts_and_the_mail_local_parts(terms):
    assert {"heartathome", "anapopescu", "ana", "popescu", "mihai", "ionescu", "miio", "stefan", "brancusi",
            "sbrancusi"} <= terms
    assert "o" not in terms and "io" in terms  # an initial names no one; two letters may
    assert "heart" not in terms and "home" not in terms  # the team counts by its whole name


@pytest.mark.parametrize("filename", [
    "Heart at Home - budget.pdf", "heart_at_home.pdf", "HEART-AT-HOME plan.png", "HeartAtHome.jpg",
    "budget (Ana Popescu).pdf", "popescu-cv.pdf", "CV IONESCU.pdf", "cv_stefan_brancusi.pdf", "Brâncuşi.png",
    "sbrancusi-2026.pdf",
])
def test_a_name_that_carries_a_team_or_member_name_is_replaced(terms, filename):
    assert names_someone(filename, terms)
    assert blind_filename(filename, 2, "pdf", terms) == "attachment-2.pdf"


@pytest.mark.parametrize("filename", ["budget.pdf", "Patient pathway v2.png", "scan 0001.jpg", "home.pdf"])
def test_a_name_that_carries_none_is_kept(terms, filename):
    assert not names_someone(filename, terms)
    assert blind_filename(filename, 1, "pdf", terms) == filename


def test_the_neutral_name_keeps_the_number_and_extension(terms):
    assert blind_filename("Ana.png", 7, ".png", terms) == "attachment-7.png"
    assert blind_filename("Ana", 1, "", terms) == "attachment-1.bin"


def test_without_names_nothing_is_replaced():
    assert identifying_terms("", []) == set()
    assert blind_filename("anything.pdf", 1, "pdf", set()) == "anything.pdf"


def test_a_one_letter_team_name_still_counts():
    assert blind_filename("Q budget.pdf", 1, "pdf", identifying_terms("Q", [])) == "attachment-1.pdf"

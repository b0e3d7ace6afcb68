"""The public catalogue: filters, search (Romanian diacritics both ways), sorting, pagination."""
from __future__ import annotations

import re

import pytest

from app.portfolio import queries
from tests.portfolio.catalogue_data import catalogue_world, make_project


def titles(filters: queries.Filters) -> list[str]:
    rows, _total = queries.catalogue(filters)
    return [row.project.title for row in rows]


def search(q: str, **more) -> set[str]:
    return set(titles(queries.Filters(q=q, **more)))


@pytest.fixture
def world(db):
    return catalogue_world()


# --- filters ----------------------------------------------------------------------------------

def test_no_filter_lists_everything_newest_first(world):
    assert titles(queries.Filters()) == ["Ambulance routing", "Paper-free referrals", "Apps for 100% of GPs_",
                                         "Diabetes screening in Copou", "Sănătate mintală pentru studenți",
                                         "Telemedicine for rural Iași"]


def test_stage_filter(world):
    assert titles(queries.Filters(stage="pilot")) == ["Telemedicine for rural Iași"]
    assert titles(queries.Filters(stage="stopped")) == ["Paper-free referrals"]


def test_theme_filter_is_exact_list_membership(world, db):
    assert set(titles(queries.Filters(theme="Telemedicine"))) == {
        "Telemedicine for rural Iași", "Apps for 100% of GPs_", "Ambulance routing"}
    assert titles(queries.Filters(theme="Rural health")) == ["Telemedicine for rural Iași"]
    # A part of a theme, or a theme that only appears inside another, is not the theme.
    assert titles(queries.Filters(theme="Telemed")) == []
    assert titles(queries.Filters(theme="health")) == []


def test_theme_filter_with_non_ascii_quotes_and_wildcards(db):
    make_project("A", themes=["Sănătate publică"])
    make_project("B", themes=['Say "ah"', "50%_off"])
    make_project("C", themes=["Sanatate publica", "50x_off"])
    assert titles(queries.Filters(theme="Sănătate publică")) == ["A"]
    assert titles(queries.Filters(theme="Sanatate publica")) == ["C"]
    assert titles(queries.Filters(theme='Say "ah"')) == ["B"]
    assert titles(queries.Filters(theme="50%_off")) == ["B"]
    assert titles(queries.Filters(theme="%")) == []


def test_organisation_funding_and_location_filters(world):
    assert set(titles(queries.Filters(organisation="DSP Iași"))) == {"Telemedicine for rural Iași",
                                                                       "Diabetes screening in Copou"}
    assert set(titles(queries.Filters(funding="EU4Health"))) == {"Sănătate mintală pentru studenți",
                                                                   "Diabetes screening in Copou"}
    assert titles(queries.Filters(funding="PNRR")) == ["Telemedicine for rural Iași"]
    assert set(titles(queries.Filters(location="Iași"))) == {"Telemedicine for rural Iași", "Ambulance routing"}
    assert titles(queries.Filters(funding="Nobody")) == []


def test_filters_combine(world):
    assert titles(queries.Filters(theme="Telemedicine", stage="scaled")) == ["Ambulance routing"]
    assert titles(queries.Filters(organisation="DSP Iași", funding="EU4Health")) == ["Diabetes screening in Copou"]
    assert titles(queries.Filters(organisation="DSP Iași", q="video", stage="pilot")) == ["Telemedicine for rural Iași"]


def test_filter_options_come_from_the_catalogue(world):
    options = queries.filter_options()
    assert options["themes"] == ["Emergency care", "Mental health", "Prevention", "Rural health", "Telemedicine"]
    assert options["programmes"] == ["EU4Health", "Municipal budget", "PNRR"]
    assert "" not in options["locations"] and "Copou" in options["locations"]
    assert options["organisations"][0] == "DSP Iași"


# --- search -------------------------------------------------------------------------------------

def test_search_ignores_romanian_diacritics_both_ways(world):
    assert "Telemedicine for rural Iași" in search("Iasi")
    assert "Sănătate mintală pentru studenți" in search("Iași")  # stored as "Iasi"
    assert search("sanatate") == {"Sănătate mintală pentru studenți"}
    assert search("SĂNĂTATE Mintala") == {"Sănătate mintală pentru studenți"}
    assert search("studenti") == search("studenți") == {"Sănătate mintală pentru studenți"}


def test_every_search_word_must_match(world):
    assert search("telemedicine rural") == {"Telemedicine for rural Iași"}
    assert search("telemedicine emergency") == {"Ambulance routing"}
    assert search("telemedicine nowhere") == set()


def test_search_wildcards_match_themselves(world):
    assert search("100%") == {"Apps for 100% of GPs_"}
    assert search("%") == {"Apps for 100% of GPs_"}
    assert search("gps_") == {"Apps for 100% of GPs_"}
    assert search("_") == {"Apps for 100% of GPs_"}


@pytest.mark.parametrize("q", ["' OR 1=1 --", "\") OR 1=1; DROP TABLE portfolio_projects; --", "%' --", "\\",
                               "Iași' UNION SELECT * FROM users --"])
def test_injection_looking_search_is_just_text(world, db, q):
    assert search(q) == set()
    assert len(titles(queries.Filters())) == 6


def test_a_search_of_only_marks_matches_nothing(world):
    assert search("\u0301 \u0306") == set()


# --- sorting and pages --------------------------------------------------------------------------

def test_each_sort(world):
    assert titles(queries.Filters(sort="title")) == ["Ambulance routing", "Apps for 100% of GPs_",
                                                     "Diabetes screening in Copou", "Paper-free referrals",
                                                     "Sănătate mintală pentru studenți", "Telemedicine for rural Iași"]
    assert titles(queries.Filters(sort="stage")) == ["Apps for 100% of GPs_", "Sănătate mintală pentru studenți",
                                                     "Telemedicine for rural Iași", "Diabetes screening in Copou",
                                                     "Ambulance routing", "Paper-free referrals"]
    assert titles(queries.Filters(sort="updated")) == titles(queries.Filters(sort="newest"))[::-1]


@pytest.mark.parametrize("sort", ["title; DROP TABLE portfolio_projects", "created_at desc", "", "TITLE", None])
def test_an_unknown_sort_is_the_default(world, sort):
    filters, invalid = queries.filters_from_args({"sort": sort} if sort is not None else {})
    assert filters.sort == "newest" and "sort" not in invalid
    assert titles(filters) == titles(queries.Filters())


def test_pages_split_the_list_without_overlap(db):
    for index in range(7):
        make_project(f"Project {index}")  # same created_at: the id decides
    seen = []
    for page in (1, 2, 3):
        rows, total = queries.catalogue(queries.Filters(page=page, per_page=3))
        assert total == 7
        seen += [row.project.title for row in rows]
    assert sorted(seen) == [f"Project {i}" for i in range(7)]
    assert queries.catalogue(queries.Filters(page=4, per_page=3)) == ([], 7)


def test_arguments_are_parsed_and_checked():
    filters, invalid = queries.filters_from_args({"stage": "bogus", "page": "x", "per_page": "500", "q": " a  b "})
    assert invalid == {"stage": "bogus", "page": "x", "per_page": "500"}
    assert (filters.stage, filters.page, filters.per_page, filters.q) == (None, 1, 20, "a b")
    filters, invalid = queries.filters_from_args({"stage": "pilot", "per_page": "100", "theme": "  Rural  health "})
    assert invalid == {} and filters.per_page == 100 and filters.theme == "Rural health"
    assert filters.args(page=2) == {"stage": "pilot", "theme": "Rural health", "page": 2, "per_page": 100}


def test_cards_carry_progress_followers_and_programmes(world, db):
    from tests.conftest import make_user

    reader = make_user("reader@example.org")
    make_project("Followed", milestones=(True, False, False), followers=(reader,), programmes=("ESF", "ESF", "PNRR"))
    rows, _total = queries.catalogue(queries.Filters(q="followed"))
    assert (rows[0].progress, rows[0].followers, rows[0].programmes) == (33, 1, ["ESF", "PNRR"])
    card = {row.project.title: row for row in queries.catalogue(queries.Filters())[0]}
    assert card["Telemedicine for rural Iași"].progress == 50
    assert card["Paper-free referrals"].progress is None


# --- the page -----------------------------------------------------------------------------------

def page(client, query: str = "") -> str:
    response = client.get("/portfolio" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/portfolio/\d+">([^<]+)</a></h2>', html)


def test_page_shows_cards_with_stage_words_progress_and_origin(client, db):
    catalogue_world()
    make_project("Winner", stage="incubation", origin={"challenge_id": 1, "challenge_title": "Smart Health City",
                                                       "idea_id": 1, "idea_title": "Winner", "awards": []})
    html = page(client)
    assert "7 projects" in html
    assert 'class="tag tag-blue">Pilot<' in html and 'class="tag tag-red">Stopped<' in html
    assert '<progress max="100" value="50">' in html
    assert "From the hackathon Smart Health City" in html
    assert 'href="/portfolio/pipeline"' in html and 'href="/portfolio/map"' in html
    assert 'href="/api/v1/portfolio"' in html


def test_page_filter_form_works_without_javascript(client, db):
    catalogue_world()
    html = page(client, "?q=iasi&stage=pilot&sort=title")
    assert card_titles(html) == ["Telemedicine for rural Iași"]
    assert 'value="iasi"' in html
    assert '<option value="pilot" selected>' in html and '<option value="title" selected>' in html
    assert "Clear filters" in html


def test_page_empty_states(client, db):
    html = page(client)
    assert "The portfolio is empty for now" in html
    catalogue_world()
    html = page(client, "?q=nothing+like+this")
    assert "No project matches" in html and 'href="/portfolio">Clear all filters' in html


def test_page_ignores_bad_values_instead_of_failing(client, db):
    catalogue_world()
    for query in ("?stage=bogus", "?page=-1", "?page=abc", "?sort=1;drop", "?per_page=100000",
                  "?q=%27%20OR%201%3D1%20--"):
        assert client.get("/portfolio" + query).status_code == 200
    assert len(card_titles(page(client, "?stage=bogus&sort=1;drop"))) == 6


def test_page_paginates_with_filters_kept(client, db):
    for index in range(30):
        make_project(f"Clinic {index:02d}", themes=["Care"])
    html = page(client, "?theme=Care&sort=title")
    assert len(card_titles(html)) == 24 and "Page 1 of 2" in html
    assert 'href="/portfolio?theme=Care&amp;sort=title&amp;page=2"' in html
    second = page(client, "?theme=Care&sort=title&page=2")
    assert card_titles(second) == [f"Clinic {i}" for i in range(24, 30)]
    assert "showing 25 to 30" in second
    assert "There is nothing on this page" in page(client, "?page=9")


def test_page_is_translated(client, db):
    catalogue_world()
    response = client.get("/portfolio", headers={"Accept-Language": "ro"})
    html = response.get_data(as_text=True)
    assert 'lang="ro"' in html
    assert "Pilot" in html and "Oprit" in html

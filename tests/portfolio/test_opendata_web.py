"""The open data page, and what every download costs: the same number of queries for 2 projects
as for 10."""
from __future__ import annotations

import re

import pytest

from tests.portfolio.opendata_rows import build, count_queries, empty_tables, make_project

PATHS = ("/portfolio/export.csv", "/portfolio/export.json", "/portfolio/export.geojson", "/portfolio/export.zip",
         "/portfolio/export.csv?stage=pilot&q=iasi", "/portfolio/feed.atom", "/portfolio/data")


@pytest.mark.parametrize("path", PATHS)
def test_queries_do_not_grow_with_the_number_of_projects(app, client, db, frozen_clock, path):
    build(2)
    small, response = count_queries(client, path)
    assert response.status_code == 200
    empty_tables()
    build(10)
    large, response = count_queries(client, path)
    assert response.status_code == 200
    print(f"{path}: {small} queries for 2 projects, {large} for 10")
    assert small == large, (small, large)
    assert large <= 10


def test_a_project_feed_costs_the_same_whatever_its_updates(client, db, frozen_clock):
    from tests.portfolio.opendata_rows import add_details

    few, many = make_project(1), make_project(2)
    add_details(few, updates=2)
    add_details(many, updates=12)
    small, _ = count_queries(client, f"/portfolio/{few.id}/feed.atom")
    large, _ = count_queries(client, f"/portfolio/{many.id}/feed.atom")
    assert small == large <= 4


def test_the_open_data_page_links_every_download_the_feed_and_the_licence(client, db, frozen_clock):
    make_project(1, themes=("Telemedicine", "Prevenție"))
    response = client.get("/portfolio/data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for href in ("/portfolio/export.csv", "/portfolio/export.json", "/portfolio/export.geojson",
                 "/portfolio/export.zip", "/portfolio/feed.atom"):
        assert f'href="{href}"' in html, href
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html
    assert "CC-BY-4.0" in html
    assert '<option value="Prevenție">Prevenție</option>' in html, "the themes the catalogue holds"
    for name in ("projects.csv", "funding.csv", "milestones.csv", "updates.csv", "indicators.csv",
                 "indicator_values.csv", "evaluations.csv"):
        assert name in html
    assert re.search(r'formaction="/portfolio/export.geojson"', html)


def test_the_open_data_page_is_translated(client, db):
    html = client.get("/portfolio/data", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Downloads" not in html


def test_the_downloads_are_public_and_send_no_cookie(client, db, frozen_clock):
    make_project(1)
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if path != "/portfolio/data":
            assert "Set-Cookie" not in response.headers, path

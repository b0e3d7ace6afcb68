"""The pipeline view: counts by stage and theme, a valid and accessible SVG, the same numbers as a table."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from app.portfolio import pipeline_chart, queries
from tests.portfolio.catalogue_data import catalogue_world, make_project

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(html: str) -> ET.Element:
    start = html.index("<svg")
    return ET.fromstring(html[start:html.index("</svg>", start) + len("</svg>")])


def test_counts_by_stage_and_theme(db):
    catalogue_world()
    counts = queries.pipeline(queries.Filters())
    assert counts.totals == {"idea": 1, "incubation": 1, "pilot": 1, "deployed": 1, "scaled": 1, "stopped": 1}
    assert counts.total == 6
    rows = dict(counts.themes)
    # Most common theme first; a project counts once in each of its themes; "no theme" comes last.
    assert counts.themes[0][0] == "Telemedicine"
    assert rows["Telemedicine"] == {"idea": 1, "incubation": 0, "pilot": 1, "deployed": 0, "scaled": 1, "stopped": 0}
    assert rows["Rural health"]["pilot"] == 1
    assert counts.themes[-1] == (None, {"idea": 0, "incubation": 0, "pilot": 0, "deployed": 0, "scaled": 0,
                                        "stopped": 1})


def test_themes_differing_in_case_or_accents_count_together(db):
    make_project("A", stage="pilot", themes=["Sănătate"])
    make_project("B", stage="pilot", themes=["sanatate"])
    counts = queries.pipeline(queries.Filters())
    assert counts.themes == [("Sănătate", {"idea": 0, "incubation": 0, "pilot": 2, "deployed": 0, "scaled": 0,
                                           "stopped": 0})]


def test_pipeline_follows_the_catalogue_filters(db):
    catalogue_world()
    counts = queries.pipeline(queries.Filters(organisation="DSP Iași"))
    assert counts.total == 2 and counts.totals["pilot"] == counts.totals["deployed"] == 1


def test_chart_is_valid_accessible_svg(app, db):
    catalogue_world()
    make_project("<script>alert(1)</script> & co", themes=["<b>bold</b> & \"quoted\""])
    with app.test_request_context():
        svg = str(pipeline_chart.render(queries.pipeline(queries.Filters())))
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title.text == "Projects by stage and theme"
    assert "Pilot 1" in desc.text and "Idea 2" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "<b>bold</b> & \"quoted\"" in texts and "<script>" not in svg
    assert "style=" not in svg  # the CSP forbids inline styles


def test_long_theme_lists_are_cut_in_the_chart_not_in_the_table(client, db):
    for index in range(pipeline_chart.MAX_THEMES + 3):
        make_project(f"P{index}", themes=[f"Theme number {index:02d} with a rather long name indeed"])
    html = client.get("/portfolio/pipeline").get_data(as_text=True)
    root = svg_of(html)
    assert "most common themes" in root.find(SVG + "desc").text
    assert len([r for r in root.iter(SVG + "text")]) < html.count("<th scope=\"row\">") * 7
    assert html.count("<th scope=\"row\">") == pipeline_chart.MAX_THEMES + 3 + 1


def test_page_shows_chart_and_table_with_the_same_numbers(client, db):
    catalogue_world()
    response = client.get("/portfolio/pipeline")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svg_of(html)  # parses
    assert "<table" in html and "Projects by stage and theme" in html
    assert '<a href="/portfolio?stage=pilot">1</a>' in html
    assert '<a href="/portfolio?stage=scaled&amp;theme=Telemedicine">1</a>' in html
    assert '<td data-label="Total">6</td>' in html


def test_page_with_filters_says_so_and_offers_all(client, db):
    catalogue_world()
    html = client.get("/portfolio/pipeline?funding=EU4Health&sort=bogus").get_data(as_text=True)
    assert "Only projects matching" in html and "EU4Health" in html
    assert '<td data-label="Total">2</td>' in html
    assert 'href="/portfolio/pipeline">Show all projects' in html


def test_empty_pipeline(client, db):
    html = client.get("/portfolio/pipeline").get_data(as_text=True)
    assert "No project to count yet" in html and "<svg" not in html

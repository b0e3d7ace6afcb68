"""A visitor filters the portfolio, searches without diacritics, and opens a project."""
import pytest
from playwright.sync_api import expect

from tests.portfolio.catalogue_data import catalogue_world

pytestmark = pytest.mark.browser


def test_visitor_filters_the_catalogue_and_opens_a_project(app, page):
    with app.app_context():
        catalogue_world()
    page.goto("/")
    page.get_by_role("link", name="Portfolio").first.click()
    page.get_by_role("heading", name="Health project portfolio", level=1).wait_for()
    assert "6 projects" in page.locator(".portfolio-count").inner_text()

    page.get_by_label("Search").fill("iasi")
    page.get_by_label("Theme").select_option("Telemedicine")
    page.get_by_label("Sort by").select_option("title")
    page.get_by_role("button", name="Show projects").click()
    cards = page.locator(".portfolio-card h2")
    # "iasi" also finds "Iași" in the organisations' names.
    # expect() waits for the new page: reading the cards at once could catch the old one unloading.
    expect(cards).to_have_text(["Ambulance routing", "Apps for 100% of GPs_", "Telemedicine for rural Iași"])

    page.get_by_label("Stage").select_option("pilot")
    page.get_by_role("button", name="Show projects").click()
    expect(cards).to_have_text(["Telemedicine for rural Iași"])
    assert page.get_by_label("Search").input_value() == "iasi"

    page.get_by_role("link", name="Telemedicine for rural Iași").click()
    page.get_by_role("heading", name="Telemedicine for rural Iași", level=1).wait_for()
    assert page.locator(".tag", has_text="Pilot").first.is_visible()
    assert "Village clinics consult city specialists by video." in page.inner_text("main")
    assert page.locator("progress").first.get_attribute("value") == "50"

    page.get_by_role("link", name="Portfolio").first.click()
    page.get_by_label("Search").fill("nothing like this")
    page.get_by_role("button", name="Show projects").click()
    page.get_by_role("heading", name="No project matches").wait_for()
    page.get_by_role("link", name="Clear all filters").click()
    expect(page.locator(".portfolio-card")).to_have_count(6)

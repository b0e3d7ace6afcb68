"""In a real browser, an organiser promotes a challenge's winner into the portfolio: from the console
to the list of entries, the check-your-answers page, the new project page, the catalogue and back.
The pages also fit a phone."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.portfolio.models import Follow, PortfolioProject
from tests.browser.conftest import sign_in
from tests.browser.test_phone_layout import PHONE, keep
from tests.browser.test_results_flow import watch_csp
from tests.portfolio.scenario import published

pytestmark = pytest.mark.browser

TITLE = "Smart Health City Iași 2026"


def squeezed(text: str) -> str:
    return " ".join(text.split())


def test_organiser_promotes_a_winner(app, page, another_page):
    with app.app_context():
        world, _admin = published(db)
        challenge_id, alpha_id, beta_id = world.challenge.id, world.ideas["Alpha"].id, world.ideas["Beta"].id
        year = clock.now().year
    blocked = watch_csp(page)

    sign_in(page, "olga@example.org")
    page.goto(f"/challenges/{challenge_id}")
    page.get_by_role("link", name="Organiser console").click()
    page.get_by_role("heading", name="Organiser console", level=1).wait_for()
    page.get_by_role("link", name="Promote entries into the portfolio").click()
    page.get_by_role("heading", name="Into the portfolio", level=1).wait_for()
    assert page.url.endswith(f"/challenges/{challenge_id}/portfolio")

    # The published entries, in rank order, each with its awards and a way to promote it.
    entries = page.get_by_role("table", name="The entries of this challenge in rank order")
    rows = entries.locator("tbody tr")
    assert [squeezed(rows.nth(n).locator("th[scope=row]").inner_text()) for n in range(rows.count())] == [
        "Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"]
    assert [squeezed(rows.nth(n).locator("td").first.inner_text()) for n in range(4)] == ["1", "2", "3", "4"]
    assert "First prize" in rows.nth(0).inner_text() and "Jury mention" in rows.nth(1).inner_text()
    assert page.get_by_text("In the portfolio").count() == 0
    # The link's accessible name says which entry it promotes.
    page.get_by_role("link", name="Promote… Idea Alpha").click()

    # Check your answers: what is copied, the origin with its award, and who becomes a contact.
    page.get_by_role("heading", name="Promote to the portfolio", level=1).wait_for()
    assert page.url.endswith(f"/ideas/{alpha_id}/promote")
    copied = page.locator("h2", has_text="What will be copied from the entry").locator("+ dl.summary-list")
    copied_text = squeezed(copied.inner_text())
    assert "Idea Alpha" in copied_text and "Summary of Alpha." in copied_text and "60,000" in copied_text
    kept = page.locator("h2", has_text="Its origin, kept for good").locator("+ dl.summary-list")
    origin = squeezed(kept.inner_text())
    assert TITLE in origin and "Idea Alpha" in origin and "Team Alpha" in origin
    assert "First prize" in origin and "25,000" in origin and "Jury mention" not in origin
    team = page.locator("main").inner_text()
    assert "Ana Alpha" in team and "Andrei Alpha" not in team  # Andrei chose not to be named
    assert "1 member chose not to be named and will not be shown." in squeezed(team)
    assert "a1@example.org" not in page.content() and "a2@example.org" not in page.content()

    # The suggested stage is chosen; the keyboard moves away and back, and Enter sends the form.
    stage = page.get_by_role("group", name="Stage it starts at")
    assert "Suggested: Incubation, because the entry won an award." in stage.inner_text()
    incubation = stage.get_by_label("Incubation")
    assert incubation.is_checked()
    assert not stage.get_by_label("Idea").is_checked() and not stage.get_by_label("Pilot").is_checked()
    incubation.focus()
    page.keyboard.press("ArrowDown")
    assert stage.get_by_label("Pilot").is_checked()
    page.keyboard.press("ArrowUp")
    assert incubation.is_checked() and incubation.evaluate("e => e === document.activeElement")
    page.keyboard.press("Enter")

    # The new project page: reference, stage, origin naming the challenge and the award.
    page.get_by_role("heading", name="Idea Alpha", level=1).wait_for()
    match = re.search(r"/portfolio/(\d+)$", page.url)
    assert match, page.url
    project_id = int(match.group(1))
    header = page.locator(".portfolio-project-header")
    reference = squeezed(header.locator(".portfolio-reference").inner_text()).removeprefix("Reference: ")
    assert re.fullmatch(rf"SH-{year}-\d{{3}}", reference), reference
    assert page.get_by_role("status").filter(has_text=f"Idea Alpha is in the portfolio as {reference}.").is_visible()
    assert header.locator(".tag", has_text="Incubation").is_visible()
    origin_box = page.get_by_role("region", name="Where it comes from")
    origin_text = squeezed(origin_box.inner_text())
    assert f"This project started as an entry to the challenge {TITLE}." in origin_text
    assert origin_box.get_by_role("link", name=TITLE).get_attribute("href").endswith(f"/challenges/{challenge_id}")
    assert "First prize" in origin_text and "25,000" in origin_text and "Team Alpha" in origin_text
    with app.app_context():
        project = db.session.get(PortfolioProject, project_id)
        assert (project.reference, project.stage, project.origin_idea_id) == (reference, "incubation", alpha_id)
        assert project.origin["awards"][0]["name"] == "First prize"
        assert len(db.session.scalars(select(Follow).where(Follow.project_id == project_id)).all()) == 2

    # The catalogue lists it, and still does when only incubation projects are shown.
    page.get_by_role("link", name="Portfolio").first.click()
    page.get_by_role("heading", name="Health project portfolio", level=1).wait_for()
    page.get_by_label("Stage").select_option(label="Incubation")
    page.get_by_role("button", name="Show projects").click()
    page.wait_for_url(re.compile(r"[?&]stage=incubation"))
    cards = page.locator(".portfolio-card")
    assert cards.locator("h2").all_inner_texts() == ["Idea Alpha"]
    assert reference in cards.first.inner_text() and cards.first.locator(".tag", has_text="Incubation").is_visible()
    assert f"From the hackathon {TITLE}" in squeezed(cards.first.inner_text())
    page.get_by_label("Stage").select_option(label="Pilot")
    page.get_by_role("button", name="Show projects").click()
    page.get_by_role("heading", name="No project matches").wait_for()

    # Back on the list, the entry is in the portfolio and links to its project; the others wait.
    page.goto(f"/challenges/{challenge_id}/portfolio")
    alpha = rows.filter(has=page.get_by_role("rowheader", name="Idea Alpha"))
    # The tag is written in capitals by the style sheet: its words are read from the markup.
    assert alpha.locator(".tag").text_content().strip() == "In the portfolio"
    assert alpha.get_by_role("link", name="Open the project Idea Alpha").get_attribute("href").endswith(
        f"/portfolio/{project_id}")
    assert alpha.get_by_role("link", name="Promote…", exact=False).count() == 0
    assert page.get_by_text("In the portfolio").count() == 1
    assert page.get_by_role("link", name="Promote… Idea Beta").is_visible()
    assert blocked == []

    # On a phone, neither the list, the check-your-answers page nor the project page scrolls sideways.
    phone = another_page(**PHONE)
    sign_in(phone, "olga@example.org")
    phone.goto(f"/challenges/{challenge_id}/portfolio")
    phone.get_by_role("heading", name="Into the portfolio", level=1).wait_for()
    keep(phone, "portfolio-promotion-list")
    phone.goto(f"/ideas/{beta_id}/promote")
    phone.get_by_role("heading", name="Promote to the portfolio", level=1).wait_for()
    keep(phone, "portfolio-promote")
    phone.goto(f"/portfolio/{project_id}")
    phone.get_by_role("heading", name="Idea Alpha", level=1).wait_for()
    keep(phone, "portfolio-promoted-project")

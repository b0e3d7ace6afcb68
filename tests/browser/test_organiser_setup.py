"""In a real browser: an administrator sets up a hackathon from the health template and opens it;
the public page then counts down to the deadline."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from app.core import clock
from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

ADMIN = "irina.ungureanu@example.org"
TITLE = "Smart Health City Iași 2026"
MAST_WEIGHTS = ["20", "15", "15", "15", "10", "10", "10", "5"]
LOCAL = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes


def test_administrator_sets_up_a_challenge_from_the_health_template_and_opens_it(app, page):
    # The clock stands still at a whole minute, so the dates typed below and the time left are exact.
    start = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    clock.set_now(start)
    zone = ZoneInfo(app.config["DEFAULT_TIMEZONE"])  # the administrator has not chosen another zone
    opens, deadline = start + dt.timedelta(hours=1), start + dt.timedelta(days=3)
    with app.app_context():
        make_user(ADMIN, name="Irina Ungureanu", admin=True)

    sign_in(page, ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Challenges").click()
    page.get_by_role("link", name="Create a challenge").click()
    page.get_by_role("heading", name="Create a challenge", level=1).wait_for()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("group", name="Kind of challenge").get_by_label(re.compile(r"^Hackathon")).check()
    page.get_by_label("Start with the health template for the scoring criteria").uncheck()
    page.get_by_role("button", name="Create the draft").click()
    page.get_by_role("heading", name=f"Set up “{TITLE}”", level=1).wait_for()
    assert page.get_by_role("heading", name="Before it can open").is_visible()

    # Details.
    page.get_by_role("link", name="Details: what, for whom, rules, prizes").click()
    page.get_by_label("Who is it for?").fill("Students, clinicians and start-ups of the Iași region.")
    page.get_by_label("What is the challenge?").fill("Ideas that keep patients with chronic disease well at home.")
    page.get_by_label("Rules").fill("Teams of 2 to 5. Ideas are the teams' own.")
    page.get_by_label("Prizes and support").fill("A pilot with the county hospital.")
    page.get_by_role("button", name="Save and return to the set-up").click()
    page.get_by_role("status").filter(has_text="Details saved.").wait_for()

    # Dates, typed in the administrator's time zone.
    page.get_by_role("link", name="Dates", exact=True).click()
    expect(page.get_by_text(f"Times are in your time zone, {zone.key}.")).to_be_visible()
    page.get_by_label("Opens for teams and ideas").fill(opens.astimezone(zone).strftime(LOCAL))
    page.get_by_label("Submission deadline").fill(deadline.astimezone(zone).strftime(LOCAL))
    page.get_by_role("button", name="Save and return to the set-up").click()
    page.get_by_role("status").filter(has_text="Dates saved.").wait_for()

    # A track, then a second one added with its own row.
    page.get_by_role("link", name="Tracks", exact=True).click()
    first = page.get_by_role("group", name="Track 1")
    first.get_by_label("Track name").fill("Telemedicine")
    first.get_by_label("Short description (optional)").fill("Care at a distance.")
    page.get_by_role("button", name="Add a track").click()
    second = page.get_by_role("group", name="Track 2")
    second.get_by_label("Track name").fill("Prevention")
    assert page.get_by_role("group", name="Track 1").get_by_label("Track name").input_value() == "Telemedicine"
    page.get_by_role("button", name="Save tracks").click()
    page.get_by_role("status").filter(has_text="Tracks saved.").wait_for()

    # The health template, after looking at what it brings.
    page.get_by_role("link", name="Scoring criteria", exact=True).click()
    page.get_by_role("link", name="Use the health template").click()
    page.get_by_role("heading", name="Use the health template", level=1).wait_for()
    preview = page.get_by_role("table", name="The eight criteria and their weights")
    assert preview.get_by_role("row").count() == 1 + 8
    page.get_by_role("button", name="Use these criteria").click()
    page.get_by_role("status").filter(has_text="The health template's eight criteria are in place.").wait_for()
    weights = [page.get_by_role("group", name=f"Criterion {n}", exact=True).get_by_label("Weight").input_value()
               for n in range(1, 9)]
    assert weights == MAST_WEIGHTS
    assert page.get_by_role("group", name="Criterion 9", exact=True).count() == 0
    first_criterion = page.get_by_role("group", name="Criterion 1", exact=True)
    assert first_criterion.get_by_label("Criterion", exact=True).input_value() == "Problem relevance and solution fit"
    assert first_criterion.get_by_label("Lowest score").input_value() == "1"
    assert first_criterion.get_by_label("Highest score").input_value() == "5"

    # Check the answers, then open.
    page.get_by_role("link", name="Back to the set-up").click()
    expect(page.get_by_text("Everything needed is in place.")).to_be_visible()
    page.get_by_role("link", name="Check and open the challenge").click()
    page.get_by_role("heading", name="Check your answers before opening", level=1).wait_for()
    assert page.get_by_role("alert").count() == 0
    assert answer(page, "Title").startswith(TITLE)
    assert answer(page, "Tracks").startswith("Telemedicine, Prevention")
    assert answer(page, "Submission deadline").startswith(deadline.astimezone(zone).strftime("%A, %B %-d, %Y, %H:%M"))
    assert answer(page, "Submission deadline").endswith("3 days left")
    criteria = page.locator("dl > div").filter(has=page.get_by_role("term").get_by_text("Scoring criteria"))
    assert criteria.get_by_role("listitem").count() == 8
    page.get_by_role("button", name="Open the challenge").click()

    # The public page: announced until the opening hour, then open with the time left.
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    assert page.get_by_role("status").filter(has_text="The challenge is open.").is_visible()
    assert page.get_by_text("Upcoming", exact=True).is_visible()
    clock.set_now(opens)
    page.reload()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    assert page.get_by_text("Open for submissions", exact=True).is_visible()
    assert page.get_by_text("2 days 23 hours left", exact=True).is_visible()
    assert page.get_by_role("link", name="Create a team").is_visible()
    table = page.get_by_role("table", name="Scoring criteria and their weights")
    assert [cell.split()[0] for cell in table.get_by_role("cell").filter(has_text="%").all_inner_texts()] \
        == MAST_WEIGHTS


def answer(tab, term: str) -> str:
    """The words next to a term of a summary list, as written in the page."""
    row = tab.locator("dl > div").filter(has=tab.get_by_role("term").get_by_text(term, exact=True))
    return " ".join(row.get_by_role("definition").first.text_content().split())

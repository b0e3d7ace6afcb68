"""In a real browser: a participant creates a team, a friend joins by the invitation link, they write
an idea with a PDF and submit it; every member gets the receipt."""
import datetime as dt
import re

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import flush_outbox
from tests.factories import make_challenge, make_user
from tests.submissions.helpers import pdf_bytes

pytestmark = pytest.mark.browser

ANA = "ana.popescu@example.org"
MIHAI = "mihai.ionescu@example.org"
TEAM = "Heart at Home"
IDEA = {
    "Title": "Heart failure care at home",
    "Summary": "Community nurses follow heart-failure patients at home with a tablet and a connected scale.",
    "The problem": "One patient in four is readmitted within a month of leaving hospital.",
    "The solution": "Daily weight and symptoms reach the nurse, who calls the patient when the trend worsens.",
    "Who benefits": "Older patients with heart failure, their carers, and the cardiology ward.",
}


def answer(tab, term: str) -> str:
    """The words next to a term of a summary list, as written in the page ("Status" → "Submitted …")."""
    row = tab.locator("dl > div").filter(has=tab.get_by_role("term").get_by_text(term, exact=True))
    return " ".join(row.get_by_role("definition").first.text_content().split())


def test_participant_creates_team_friend_joins_and_they_submit_an_idea(app, live_server, page, another_page,
                                                                        mailbox, tmp_path):
    with app.app_context():
        make_user(ANA, name="Ana Popescu")
        make_user(MIHAI, name="Mihai Ionescu")
        challenge = make_challenge(team_min_size=2, deadline_in=dt.timedelta(days=2))
        title = challenge.title

    # Ana finds the open challenge and creates a team.
    sign_in(page, ANA)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Challenges").click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    assert page.get_by_text("Open for submissions").is_visible()
    page.get_by_role("link", name="Create a team").click()
    page.get_by_label("Team name").fill(TEAM)
    page.get_by_role("button", name="Create the team").click()
    page.get_by_role("heading", name=TEAM, level=1).wait_for()
    assert page.get_by_role("status").filter(has_text="You are its captain").is_visible()

    # The invitation link is on the team page, in a labelled read-only field, with a button to copy it.
    invite_link = page.get_by_label("Invitation link").input_value()
    assert re.fullmatch(r"http://salus\.test/join/\S+", invite_link), invite_link
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == invite_link

    # Mihai, in his own browser, signs in and follows the link.
    friend = another_page()
    sign_in(friend, MIHAI)
    friend.goto(live_server.local(invite_link))
    friend.get_by_role("heading", name=f"Join {TEAM}").wait_for()
    friend.get_by_role("button", name="Join this team").click()
    friend.get_by_role("heading", name=TEAM, level=1).wait_for()
    assert friend.get_by_role("status").filter(has_text=f"You joined {TEAM}").is_visible()
    members = friend.get_by_role("table", name=f"Members of {TEAM}")
    assert members.get_by_role("cell", name="Ana Popescu").is_visible()
    assert members.get_by_role("cell", name="Mihai Ionescu (you)").is_visible()

    # Ana sees him in the team, then writes the idea and saves a draft.
    page.reload()
    members = page.get_by_role("table", name=f"Members of {TEAM}")
    assert members.get_by_role("cell", name="Mihai Ionescu", exact=True).is_visible()
    page.get_by_role("link", name="Go to the team's idea").click()
    page.get_by_role("heading", name="Your team's idea", level=1).wait_for()
    for label, text in IDEA.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_label("Track", exact=True).select_option(label="Telemedicine")
    page.get_by_label("Links (optional)").fill("https://example.org/heart-at-home")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("status").filter(has_text="Draft saved (version 1)").wait_for()
    assert page.get_by_label("Title", exact=True).input_value() == IDEA["Title"]

    # She attaches the project's slides, as a PDF.
    slides = tmp_path / "heart-at-home-slides.pdf"
    slides.write_bytes(pdf_bytes("Heart at Home"))
    page.get_by_label("Add a file").set_input_files(str(slides))
    page.get_by_role("button", name="Upload file").click()
    page.get_by_role("status").filter(has_text="“heart-at-home-slides.pdf” is attached.").wait_for()
    assert page.get_by_role("table", name="Attached files").get_by_role(
        "link", name="heart-at-home-slides.pdf", exact=True).is_visible()

    # She checks her answers and submits.
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_role("heading", name="Check your answers before submitting", level=1).wait_for()
    assert page.get_by_role("alert").count() == 0, "nothing should be missing"
    for label, text in IDEA.items():
        assert answer(page, label) == text
    assert answer(page, "Track") == "Telemedicine"
    assert answer(page, "Links") == "https://example.org/heart-at-home"
    assert page.get_by_role("link", name="heart-at-home-slides.pdf", exact=True).is_visible()
    page.get_by_role("button", name="Submit the idea").click()

    page.get_by_role("heading", name=IDEA["Title"], level=1).wait_for()
    assert page.get_by_role("status").filter(has_text="Idea submitted.").is_visible()
    assert answer(page, "Status").startswith("Submitted")
    assert page.get_by_role("link", name="Withdraw").is_visible()

    # The friend gets the receipt, and its link shows him the submitted idea.
    flush_outbox(app)
    [receipt] = mailbox.to(MIHAI)
    assert receipt["Subject"] == f"Idea submitted: {IDEA['Title']}"
    assert f"Your team {TEAM} has submitted its idea to {title}." in mailbox.text(receipt)
    assert len(mailbox.to(ANA)) == 1
    idea_link = next(url for url in mailbox.links(receipt) if "/ideas/" in url)
    friend.goto(live_server.local(idea_link))
    friend.get_by_role("heading", name=IDEA["Title"], level=1).wait_for()
    assert answer(friend, "Status").startswith("Submitted")

"""In a real browser, the end of a challenge: an organiser gives an award and publishes the results;
an anonymous visitor reads them, checks the digest against the JSON download and reads them on a
phone; a team member reads the jurors' feedback, with no juror named and no private note shown."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.judging.models import Review
from app.results import rules
from app.results.awards import add_award
from app.results.publication import publication_of, publish_results
from tests.browser.conftest import sign_in
from tests.browser.test_phone_layout import PHONE, keep
from tests.results.scenario import judged

pytestmark = pytest.mark.browser

TITLE = "Smart Health City Iași 2026"


def watch_csp(tab) -> list[str]:
    """The messages of anything the Content Security Policy blocked (none on a working page)."""
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    return blocked


def headings(tab, level: int) -> list[str]:
    return [" ".join(text.split()) for text in tab.locator(f"main h{level}").all_inner_texts()]


def published_challenge(*, anonymous_comments: bool = False) -> dict:
    """The scenario, with two awards, published with its full ranking (call in an app context)."""
    world = judged(db, visibility="full")
    if anonymous_comments:
        # Comments without names, so that a juror's name found on a page could only come from the juror.
        for n, review in enumerate(db.session.scalars(select(Review).order_by(Review.id)), start=1):
            review.comment = f"Anonymous remark {n}."
        db.session.commit()
    add_award(world.challenge, world.organiser, idea_id=world.ideas["Alpha"].id, name="Grand prize",
              amount=Decimal("60000"))
    add_award(world.challenge, world.organiser, idea_id=world.ideas["Gamma"].id, name="Jury's mention")
    publish_results(world.challenge, world.organiser)
    secrets = [review.private_note for review in db.session.scalars(select(Review))]
    secrets += [text for juror in world.jurors for text in (juror.name, juror.email, juror.organisation)]
    return {"challenge_id": world.challenge.id, "alpha_id": world.ideas["Alpha"].id, "secrets": secrets}


def test_organiser_gives_an_award_checks_the_funding_and_publishes(app, page):
    with app.app_context():
        # Saved as "only the awards": the organiser chooses the full ranking when publishing.
        world = judged(db, visibility="awards")
        challenge_id = world.challenge.id
    blocked = watch_csp(page)

    sign_in(page, "olga@example.org")
    page.goto(f"/challenges/{challenge_id}")
    page.get_by_role("link", name="Organiser console").click()
    page.get_by_role("heading", name="Organiser console", level=1).wait_for()
    page.get_by_role("link", name="Awards", exact=True).click()
    page.get_by_role("heading", name="Awards", level=1).wait_for()
    assert page.get_by_text("No award yet.").is_visible()

    # The entries come in rank order: the first one offered is the first-ranked entry.
    entry = page.get_by_label("Entry", exact=True)
    options = [" ".join(o.split()) for o in entry.locator("option").all_inner_texts()]
    assert options == ["Choose an entry", "1. Idea Alpha – Team Alpha", "2. Idea Beta – Team Beta",
                       "3. Idea Gamma – Team Gamma", "4. Idea Delta – Team Delta"]
    entry.select_option(label="1. Idea Alpha – Team Alpha")
    page.get_by_label("Name of the award").fill("Grand prize")
    page.get_by_label("Amount (optional)").fill("25000")
    page.get_by_label("Amount (optional)").press("Enter")  # the keyboard sends the form

    page.get_by_role("status").filter(has_text="The award “Grand prize” is given.").wait_for()
    awards = page.get_by_role("table", name="Awards given, in the order they are published")
    row = awards.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Grand prize"))
    assert " ".join(row.inner_text().split()).startswith("Grand prize Idea Alpha Team Alpha")
    assert "25,000" in row.inner_text()
    assert "Given by an organiser" in row.text_content()

    # The funding proposal: the budget less the award, shared out in rank order.
    page.get_by_role("link", name="Propose funding in rank order").click()
    page.get_by_role("heading", name="Funding proposal", level=1).wait_for()
    proposal = page.get_by_role("table", name="The proposal, in rank order")
    assert proposal.is_visible()
    assert proposal.locator("tbody tr").count() == 4
    assert "75,000" in page.locator("dl").filter(has_text="Available for funding").inner_text()
    assert page.get_by_label("Amount for Idea Alpha, in", exact=False).is_visible()

    # Back to the console, then the check-your-answers page, which lists the award.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Organiser console").click()
    page.get_by_role("link", name="Check and publish the results").click()
    page.get_by_role("heading", name="Publish the results", level=1).wait_for()
    summary = " ".join(page.locator("dl.summary-list").inner_text().split())
    assert "Grand prize" in summary and "Idea Alpha, Team Alpha" in summary
    assert "5 team members" in summary and "3 jurors" in summary
    visibility = page.get_by_role("group", name="What the results show")
    assert visibility.get_by_label("Only the awards").is_checked()
    visibility.get_by_label("The full ranking and the awards").focus()
    page.keyboard.press("Space")
    assert visibility.get_by_label("The full ranking and the awards").is_checked()
    page.get_by_role("button", name="Publish the results").click()

    page.get_by_role("heading", name=f"Results of “{TITLE}”", level=1).wait_for()
    assert page.get_by_role("status").filter(has_text="The results are published.").is_visible()
    assert page.get_by_text("Preview — not yet published").count() == 0
    winner = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Grand prize", level=3))
    assert winner.is_visible()
    assert "Idea Alpha" in winner.inner_text() and "Summary of Alpha." in winner.inner_text()
    assert page.get_by_role("heading", name="Full ranking", level=2).is_visible()
    verify = page.locator("section").filter(has=page.get_by_role("heading", name="Verify these results"))
    digest = verify.locator("code").first.inner_text().strip()
    assert blocked == []
    with app.app_context():
        publication = publication_of(challenge_id)
        assert publication.visibility == "full" and [a["name"] for a in publication.awards] == ["Grand prize"]
        assert digest == publication.digest == rules.digest(publication.awards, publication.ranking)


def test_anonymous_visitor_reads_the_results_and_checks_the_digest(app, page, another_page):
    with app.app_context():
        challenge_id = published_challenge()["challenge_id"]
    blocked = watch_csp(page)

    page.goto(f"/challenges/{challenge_id}")
    page.get_by_role("link", name="See the results").click()
    page.get_by_role("heading", name=f"Results of “{TITLE}”", level=1).wait_for()
    assert page.get_by_role("button", name="Sign out").count() == 0

    # The winners come first, then the ranking, the downloads and how to verify.
    assert headings(page, 2) == ["Winners", "Full ranking", "Download the results", "Verify these results"]
    cards = page.get_by_role("article")
    assert [cards.nth(n).get_by_role("heading", level=3).inner_text() for n in range(cards.count())] == [
        "Grand prize", "Jury's mention"]
    ranking = page.get_by_role("table", name="Every ranked entry with its place and score")
    rows = ranking.locator("tbody tr")
    assert rows.count() == 4
    # Each row is announced by its entry: the title is the row's header cell.
    assert [" ".join(rows.nth(n).locator("th[scope=row]").inner_text().split()) for n in range(4)] == [
        "Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"]
    assert "Grand prize" in rows.nth(0).inner_text() and "Jury's mention" in rows.nth(2).inner_text()

    verify = page.locator("section").filter(has=page.get_by_role("heading", name="Verify these results"))
    assert verify.is_visible()
    shown = verify.locator("code").first.inner_text().strip()

    # The JSON download holds the same digest, and the digest is what its two arrays give.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Data (JSON)").click()
    download = download_info.value
    assert download.suggested_filename == f"challenge-{challenge_id}-results.json"
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["digest"] == shown
    assert rules.digest(data["awards"], data["ranking"]) == shown
    assert [a["name"] for a in data["awards"]] == ["Grand prize", "Jury's mention"]
    assert [r["title"] for r in data["ranking"]] == ["Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"]
    spreadsheet = page.request.get(page.get_by_role("link", name="Spreadsheet (CSV)").get_attribute("href"))
    assert spreadsheet.ok and spreadsheet.headers["content-type"].startswith("text/csv")
    assert "Idea Alpha" in spreadsheet.text()
    assert blocked == []

    # On a phone, nothing scrolls sideways, the digest included.
    phone = another_page(**PHONE)
    phone.goto(f"/challenges/{challenge_id}/results")
    phone.get_by_role("heading", name=f"Results of “{TITLE}”", level=1).wait_for()
    keep(phone, "results")
    phone.get_by_role("heading", name="Verify these results").scroll_into_view_if_needed()
    phone.get_by_text("How to check it with Python").click()
    keep(phone, "results-verify-open")


def test_team_member_reads_the_jurors_feedback(app, page):
    with app.app_context():
        world = published_challenge(anonymous_comments=True)
        member = db.session.scalar(select(User).where(User.email == "a1@example.org"))
        member.locale = "en"  # this page's words are checked in English; the catalogues have their own tests
        db.session.commit()
    blocked = watch_csp(page)

    sign_in(page, "a1@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My dashboard").click()
    page.get_by_role("heading", name="My dashboard", level=1).wait_for()
    page.get_by_role("link", name="Read the jurors' feedback").click()
    page.get_by_role("heading", name="Feedback on “Idea Alpha”", level=1).wait_for()
    assert page.url.endswith(f"/ideas/{world['alpha_id']}/feedback")

    charts = page.get_by_role("img", name="this idea against all entries", exact=False)
    assert charts.count() == 2
    assert page.get_by_role("img", name="Relevance: this idea against all entries").is_visible()
    assert page.get_by_role("img", name="Feasibility: this idea against all entries").is_visible()
    assert page.locator("svg[role=img]").count() == 2
    assert page.get_by_role("table", name="The charts in numbers").is_visible()

    comments = page.locator("section").filter(has=page.get_by_role("heading", name="The jurors' comments"))
    assert comments.get_by_role("heading", name="Juror comment", exact=False).count() == 3
    assert comments.get_by_text("Anonymous remark", exact=False).count() == 3

    assert page.get_by_text("Shown without names and in no particular order.").is_visible()

    text = page.content() + page.locator("body").inner_text()
    assert sum("PRIVATE" in secret for secret in world["secrets"]) == 11  # the notes exist: they are not shown
    assert "PRIVATE" not in text
    assert [secret for secret in world["secrets"] if secret in text] == []
    assert blocked == []

"""In a real browser: an organiser opens the judging console, reads progress and the ranking,
switches the ranking method, and clears a safety flag — with no script or style blocked by the CSP."""
import pytest

from app.extensions import db
from app.judging.models import SafetyFlag
from tests.browser.conftest import sign_in
from tests.judging.ranking_helpers import hand_case

pytestmark = pytest.mark.browser


def idea_column(tab):
    table = tab.get_by_role("table", name="Ranking by", exact=False)
    return [" ".join(cell.split()) for cell in table.locator("tbody th").all_inner_texts()]


def test_organiser_reads_progress_and_the_ranking_and_switches_method(app, page):
    with app.app_context():
        case = hand_case(db)
        db.session.add(SafetyFlag(challenge_id=case.challenge.id, idea_id=case.ideas["B"].id,
                                  raised_by_id=case.jurors[1].id, kind="data_protection",
                                  reason="Video calls go through a consumer messaging app."))
        db.session.commit()
        challenge_id = case.challenge.id
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)

    sign_in(page, "olga@example.org")
    page.goto(f"/challenges/{challenge_id}/judging")
    page.get_by_role("heading", name="Judging console", level=1).wait_for()

    # The safety flag comes first, then progress by juror and by entry.
    assert page.get_by_role("heading", name="1 open safety flag").is_visible()
    by_juror = page.get_by_role("table", name="By juror")
    assert by_juror.get_by_text("Jana Juror: 3 of 3 scored").is_visible()
    assert by_juror.get_by_text("Lea Juror: 0 of 0 scored").is_visible()
    assert page.get_by_role("table", name="By entry").get_by_role("row").count() == 1 + 3

    # The calibrated ranking: a tie on the calibrated score goes to the higher raw mean.
    assert page.get_by_role("table", name="Ranking by calibrated score").is_visible()
    assert idea_column(page) == ["Idea A Team A", "Idea C Team C", "Idea B Team B"]
    row_a = page.get_by_role("table", name="Ranking by calibrated score").get_by_role("row").nth(1)
    assert "Discuss" in row_a.text_content() and "100%" in row_a.text_content()
    assert page.get_by_role("img", name="The ranking and the spread of each entry").is_visible()
    assert page.get_by_role("img", name="Each juror's scores").is_visible()

    # Switch to the normalised ranking with the keyboard, then to the raw average.
    page.get_by_label("Normalised per juror (z-scores)").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Show this ranking").click()
    page.get_by_role("table", name="Ranking by normalised score").wait_for()
    assert "method=normalized" in page.url
    page.get_by_role("group", name="Rank by").get_by_label("Raw average").check()
    page.get_by_role("button", name="Show this ranking").click()
    page.get_by_role("table", name="Ranking by raw mean").wait_for()
    assert idea_column(page) == ["Idea A Team A", "Idea C Team C", "Idea B Team B"]
    assert page.get_by_label("Raw average").is_checked()

    # Clear the flag: a note, then a confirmation.
    page.get_by_label("How was the concern settled?").fill("The team moved the calls to the region's video system.")
    page.get_by_role("button", name="Clear this flag… Idea B").click()
    page.get_by_role("heading", name="Clear the safety flag on “Idea B”?", level=1).wait_for()
    page.get_by_role("button", name="Clear the flag").click()
    page.get_by_role("status").filter(has_text="The safety flag on “Idea B” is cleared.").wait_for()
    assert page.get_by_role("heading", name="1 open safety flag").count() == 0

    assert blocked == []

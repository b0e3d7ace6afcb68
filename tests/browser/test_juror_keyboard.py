"""In a real browser, with the keyboard only (Tab, arrow keys, Space and Enter): a juror opens their
queue, scores both entries with "Save and next", and sees their progress reach 2 of 2."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.judging.test_review_world import build_world

pytestmark = pytest.mark.browser


def focused(tab) -> dict:
    return tab.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName, id: el.id, type: el.type || "", text: (el.innerText || el.value || "").trim(),
                checked: !!el.checked};
    }""")


def tab_to(tab, matches, limit: int = 60) -> dict:
    """Press Tab until the focused element matches; fail if it never does."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        now = focused(tab)
        if matches(now):
            return now
    raise AssertionError(f"Tab never reached the element; last focused: {focused(tab)}")


def press(tab, key: str, times: int = 1) -> None:
    for _ in range(times):
        tab.keyboard.press(key)


def test_a_juror_scores_the_queue_with_the_keyboard(app, live_server, page):
    with app.app_context():
        world = build_world()
        first, second = world.criteria
        email, idea_ids = world.juror.email, (world.idea.id, world.rival_idea.id)

    sign_in(page, email)
    page.goto("/reviews")
    page.get_by_role("heading", name="My reviews", level=1).wait_for()
    assert page.get_by_text("0 of 2 scored").is_visible()

    # From the queue to the first entry.
    tab_to(page, lambda el: el["tag"] == "A" and el["text"].startswith("Score the next entry"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Heart failure care at home", level=1).wait_for()

    # The first criterion has the focus on arrival (autofocus lands after the first paint, so wait
    # for it rather than read it at once); arrows move within its radio group.
    expect(page.locator(f"#score-{first}-1")).to_be_focused()
    press(page, "ArrowDown", 3)  # 1 → 4
    assert focused(page) | {"text": ""} == {"tag": "INPUT", "id": f"score-{first}-4", "type": "radio", "text": "",
                                            "checked": True}
    page.keyboard.press("Tab")  # into the next group
    assert focused(page)["id"] == f"score-{second}-1"
    page.keyboard.press("Space")  # 1
    press(page, "ArrowRight", 2)  # → 3
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "comment"
    page.keyboard.type("A clear plan that nurses can run.")
    tab_to(page, lambda el: el["tag"] == "BUTTON" and el["text"] == "Save and next")
    page.keyboard.press("Enter")

    # The next entry to score comes up, with the banner saying the first one is saved.
    page.get_by_role("heading", name="Asthma coaching by text message", level=1).wait_for()
    assert page.get_by_role("status").filter(has_text="Scores saved for “Heart failure care at home”").is_visible()
    expect(page.locator(f"#score-{first}-1")).to_be_focused()
    press(page, "ArrowDown", 1)  # 2
    page.keyboard.press("Tab")
    press(page, "ArrowDown", 4)  # 2, 3, 4, 5
    tab_to(page, lambda el: el["tag"] == "BUTTON" and el["text"] == "Save and next")
    page.keyboard.press("Enter")

    # Back on the queue: everything is scored.
    page.get_by_role("heading", name="My reviews", level=1).wait_for()
    assert page.get_by_role("status").filter(has_text="Every entry in your queue is scored").is_visible()
    assert page.get_by_text("2 of 2 scored").is_visible()
    assert page.locator("progress").get_attribute("value") == "2"
    assert page.get_by_role("cell", name="Scored").count() == 2

    with app.app_context():
        from app.extensions import db
        from app.judging.models import Review

        saved = {r.idea_id: ({s.criterion_id: s.value for s in r.scores}, r.comment)
                 for r in db.session.scalars(select(Review))}
    assert saved == {idea_ids[0]: ({first: 4, second: 3}, "A clear plan that nurses can run."),
                     idea_ids[1]: ({first: 2, second: 5}, "")}

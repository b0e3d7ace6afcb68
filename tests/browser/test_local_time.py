"""A visitor on another continent also sees the deadline on their own clock; a visitor in the
site's zone sees it once, without a repeated line."""
import pytest

from tests.factories import make_challenge

pytestmark = pytest.mark.browser


def test_deadline_is_also_shown_in_the_visitors_zone(app, another_page):
    with app.app_context():
        challenge_id = make_challenge(title="Telemedicine week").id

    far = another_page(timezone_id="America/New_York")
    far.goto(f"/challenges/{challenge_id}")
    line = far.locator("[data-local-time]")
    line.wait_for(state="visible")
    assert line.inner_text().startswith("In your time zone:")
    assert "EST" in line.inner_text() or "GMT-5" in line.inner_text()

    near = another_page(timezone_id="Europe/Bucharest")
    near.goto(f"/challenges/{challenge_id}")
    assert near.locator("[data-local-time]").is_hidden()

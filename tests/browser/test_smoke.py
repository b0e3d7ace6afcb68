"""In a real browser: register, confirm through the mail, sign in, switch the language to Română."""
import pytest

from tests.conftest import DEFAULT_PASSWORD, flush_outbox

pytestmark = pytest.mark.browser


def test_register_confirm_sign_in_and_switch_language(app, live_server, page, mailbox):
    page.goto("/register")
    page.get_by_label("Full name").fill("Elena Radu")
    page.get_by_label("E-mail address").fill("elena.radu@example.org")
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    flush_outbox(app)
    [message] = mailbox.to("elena.radu@example.org")
    link = next(url for url in mailbox.links(message) if "/confirm/" in url)
    page.goto(live_server.local(link))
    page.wait_for_url("**/login")

    page.get_by_label("E-mail address").fill("elena.radu@example.org")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_navigation():
        page.get_by_label("Language", exact=True).select_option(label="Română")
    page.locator('html[lang="ro"]').wait_for(state="attached")
    assert page.locator("html").get_attribute("lang") == "ro"

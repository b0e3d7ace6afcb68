"""In a real browser: a person turns on two-step sign-in by scanning the QR code (here: reading
the key beside it), keeps the recovery codes, signs out, and signs in again with a code."""
import re
import time

import pyotp
import pytest

from tests.browser.conftest import sign_in
from tests.conftest import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_a_person_turns_on_two_step_sign_in_and_signs_in_with_a_code(app, page):
    with app.app_context():
        make_user("ioana@example.org", name="Ioana Pop")
    sign_in(page, "ioana@example.org")
    page.goto("/account")
    page.get_by_role("link", name="Set up two-step sign-in").click()
    page.get_by_role("heading", name="Two-step sign-in", level=1).wait_for()

    qr = page.get_by_role("img", name="QR code that adds Salus to an authenticator app")
    box = qr.bounding_box()
    assert box and box["width"] >= 150 and box["height"] >= 150  # big enough for a phone camera
    key = page.locator("#two-step-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    phone = pyotp.TOTP(key)

    page.get_by_label("Code", exact=True).fill("000000" if phone.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    page.get_by_label("Code", exact=True).fill(phone.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".recovery-codes code").count() == 10
    page.get_by_role("link", name="I have saved my codes").click()

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto("/login")
    page.get_by_label("E-mail address").fill("ioana@example.org")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your code").wait_for()
    # Each code works once: the phone's next one (accepted up to 30 seconds early) signs in.
    page.get_by_label("Code", exact=True).fill(phone.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()

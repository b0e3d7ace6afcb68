"""In a real browser, a citizen follows a project, comments on it (a script typed in a comment stays
text) and assesses it; the digest mail's link brings them back to the project."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.portfolio.digests import send_digests
from app.portfolio.events import record_event
from app.portfolio.models import PortfolioProject
from tests.browser.conftest import TEST_BASE_URL, sign_in
from tests.conftest import flush_outbox
from tests.portfolio.citizen_support import person, project

pytestmark = pytest.mark.browser


def test_a_citizen_follows_comments_and_assesses_a_project(app, page, mailbox):
    with app.app_context():
        row = project("Heart failure at home", summary="Nurses follow patients at home.")
        project_id = row.id
        person("Ana Pop")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "ana.pop@example.org")
    page.goto(f"/portfolio/{project_id}")
    page.get_by_role("heading", name="Heart failure at home", level=1).wait_for()

    page.get_by_role("button", name="Follow").click()
    page.get_by_text("You follow this project. We will e-mail you a summary").wait_for()
    assert "1 person follows this project." in page.inner_text("main")

    page.get_by_label("Your comment").fill("Will it reach **Tătărași**? <script>alert('x')</script>")
    page.get_by_role("button", name="Publish comment").click()
    page.get_by_text("Your comment is published.").wait_for()
    body = page.locator(".comment-body").first
    assert body.locator("strong").inner_text() == "Tătărași"
    assert "<script>alert('x')</script>" in body.inner_text()

    form = page.locator("#assessment-form")
    form.locator("fieldset", has_text="Is this project useful to you?").get_by_label("4").check()
    form.locator("fieldset", has_text="Is its progress visible?").get_by_label("2").check()
    form.get_by_label("Why? (optional)").fill("My mother is a patient.")
    form.get_by_role("button", name="Save my assessment").click()
    page.get_by_text("Thank you: your assessment is counted.").wait_for()
    main = page.inner_text("main")
    assert "1 person assessed this project." in main and "4.0 out of 5" in main and "2.0 out of 5" in main
    assert "Your assessment: useful to you 4 out of 5, progress visible 2 out of 5." in main
    assert dialogs == []

    with app.app_context():
        record_event(db.session.get(PortfolioProject, project_id), "update", title="Twelve new patients", update_id=1)
        db.session.commit()
        assert send_digests() == 1
    flush_outbox(app)
    (mail,) = mailbox.to("ana.pop@example.org")
    assert "Twelve new patients" in mailbox.text(mail)
    (link,) = [link for link in mailbox.links(mail) if link.endswith(f"/portfolio/{project_id}")]
    page.goto(link.replace(TEST_BASE_URL, ""))
    page.get_by_role("button", name="Stop following").click()
    page.get_by_text("You no longer follow this project.").wait_for()

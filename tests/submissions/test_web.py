"""Idea pages through the test client, CSRF included: the form, conflicts, submitting, the deadline."""
import datetime as dt
import io
import re

import pytest
from sqlalchemy import event

from app.core import clock
from app.submissions import services
from app.submissions.models import Attachment, Idea
from app.teams.models import TeamSeeker
from tests.conftest import csrf_from, form_post, login
from tests.factories import make_challenge, make_idea, make_team, make_user
from tests.submissions.helpers import COMPLETE, complete_data, pdf_bytes


def form_for(challenge, **fields):
    data = {**COMPLETE, "track_id": str(challenge.tracks[0].id), "links": "https://example.org/demo\n\n"}
    data.update(fields)
    return data


def test_the_form_saves_a_draft(client, db, world):
    login(client, "alice@example.org")
    page = client.get(f"/teams/{world.team.id}/idea")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="version" type="hidden" value="0"' in html or 'value="0"' in html
    assert "Describe the patients" in html and "Up to 20,000 characters." in html and "Save draft" in html
    response = form_post(client, f"/teams/{world.team.id}/idea", {**form_for(world.challenge), "version": "0"})
    assert response.status_code == 303
    idea = db.session.query(Idea).one()
    assert (idea.title, idea.version, idea.links) == (COMPLETE["title"], 1, ["https://example.org/demo"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft saved (version 1)" in page


def test_form_errors_are_shown_next_to_their_fields(client, db, world):
    login(client, "alice@example.org")
    response = form_post(client, f"/teams/{world.team.id}/idea",
                         {**form_for(world.challenge), "title": "x" * 201, "links": "not a link", "version": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in html and 'href="#title"' in html and "not a link" in html
    assert db.session.query(Idea).count() == 0


def test_a_conflict_keeps_my_text_and_shows_theirs(client, db, world):
    idea, _ = services.save_idea(world.team, world.bob, {"title": "First"})
    login(client, "alice@example.org")
    page = client.get(f"/teams/{world.team.id}/idea").get_data(as_text=True)
    assert 'value="1"' in page
    services.save_idea(world.team, world.bob, {"title": "Bob's newer title", "problem": "Bob's problem text"})
    response = client.post(f"/teams/{world.team.id}/idea", data={
        **form_for(world.challenge, title="Alice's careful title", problem="Alice wrote this for an hour"),
        "version": "1", "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Alice wrote this for an hour" in html and "Alice&#39;s careful title" in html
    assert "Bob&#39;s problem text" in html and "Bogdan Bălan" in html
    assert 'name="version" type="hidden" value="2"' in html or re.search(r'name="version"[^>]*value="2"', html)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).title == "Bob's newer title"


def test_check_your_answers_then_submit(client, db, world):
    idea, _ = services.save_idea(world.team, world.alice, {"title": "Half written"})
    login(client, "alice@example.org")
    html = client.get(f"/ideas/{idea.id}/submit").get_data(as_text=True)
    assert "Check your answers" in html and "Change" in html
    assert f'/teams/{world.team.id}/idea#problem' in html and "Submit the idea" not in html

    services.save_idea(world.team, world.alice, complete_data(world.challenge))
    page = client.get(f"/ideas/{idea.id}/submit")
    html = page.get_data(as_text=True)
    assert "Submit the idea" in html and "Nurses follow patients at home." in html
    response = client.post(f"/ideas/{idea.id}/submit", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303
    banner = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Idea submitted. You can still edit it until" in banner and "(Europe/Bucharest)" in banner
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "submitted"


def test_submitting_an_incomplete_idea_lists_what_is_missing(client, db, world):
    idea, _ = services.save_idea(world.team, world.alice, {"title": "Only a title"})
    login(client, "alice@example.org")
    page = client.get(f"/ideas/{idea.id}/submit").get_data(as_text=True)
    response = client.post(f"/ideas/{idea.id}/submit", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert "Describe the problem." in response.get_data(as_text=True)
    assert db.session.get(Idea, idea.id).status == "draft"
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Still to write before submitting: 5 sections." in page and "Check and submit" in page


def test_a_late_post_keeps_the_text_and_stores_nothing(client, db, frozen_clock):
    alice = make_user("late@example.org")
    challenge = make_challenge(deadline_in=dt.timedelta(hours=1))
    team = make_team(challenge, alice)
    idea, _ = services.save_idea(team, alice, {"title": "The draft we had"})
    login(client, "late@example.org")
    page = client.get(f"/teams/{team.id}/idea").get_data(as_text=True)
    frozen_clock.set(challenge.submission_deadline)
    response = client.post(f"/teams/{team.id}/idea", data={
        **form_for(challenge, title="Typed in the last minute", solution="An hour of careful writing"),
        "version": "1", "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Submissions are closed" in html and "An hour of careful writing" in html
    db.session.expire_all()
    stored = db.session.get(Idea, idea.id)
    assert (stored.title, stored.version, stored.solution) == ("The draft we had", 1, "")


def test_withdraw_asks_for_confirmation(client, db, world):
    idea = make_idea(world.team, status="submitted")
    login(client, "alice@example.org")
    page = client.get(f"/ideas/{idea.id}/withdraw")
    assert page.status_code == 200 and "Withdraw the idea" in page.get_data(as_text=True)
    assert db.session.get(Idea, idea.id).status == "submitted"
    response = client.post(f"/ideas/{idea.id}/withdraw", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "withdrawn"


def test_upload_download_and_remove_an_attachment(client, db, world):
    idea = make_idea(world.team)
    login(client, "alice@example.org")
    page = client.get(f"/teams/{world.team.id}/idea").get_data(as_text=True)
    response = client.post(f"/ideas/{idea.id}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(pdf_bytes()), "Evaluare_Iași.pdf")})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Evaluare_Iași.pdf" in html and "is attached" in html and "Remove" in html
    attachment = db.session.query(Attachment).one()

    download = client.get(f"/ideas/{idea.id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert download.headers["Content-Type"] == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''Evaluare_Ia%C8%99i.pdf" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"

    confirm = client.get(f"/ideas/{idea.id}/attachments/{attachment.id}/remove")
    assert confirm.status_code == 200 and "Remove “Evaluare_Iași.pdf”?" in confirm.get_data(as_text=True)
    response = client.post(f"/ideas/{idea.id}/attachments/{attachment.id}/remove",
                           data={"csrf_token": csrf_from(confirm.get_data(as_text=True))})
    assert response.status_code == 303 and db.session.query(Attachment).count() == 0


def test_a_refused_upload_says_why(client, db, world):
    idea = make_idea(world.team)
    login(client, "alice@example.org")
    page = client.get(f"/teams/{world.team.id}/idea").get_data(as_text=True)
    response = client.post(f"/ideas/{idea.id}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(b"<html><script>x</script></html>"), "cv.pdf")},
        follow_redirects=True)
    assert "Only PDF, PNG and JPEG files can be attached." in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0


def test_an_upload_over_the_request_limit_says_why(app, client, db, world, monkeypatch):
    idea = make_idea(world.team)
    login(client, "alice@example.org")
    page = client.get(f"/teams/{world.team.id}/idea").get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = client.post(f"/ideas/{idea.id}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(pdf_bytes() + b"0" * 4096), "big.pdf")})
    assert response.status_code == 303
    monkeypatch.undo()
    assert "larger than" in client.get(response.headers["Location"]).get_data(as_text=True)


# --- who may see what, from the refused side --------------------------------------------------

@pytest.fixture
def idea_with_file(world):
    idea = make_idea(world.team)
    from werkzeug.datastructures import FileStorage
    attachment = services.add_attachment(idea, world.alice, FileStorage(io.BytesIO(pdf_bytes()), "plan.pdf"))
    return idea, attachment


@pytest.mark.parametrize("who", [None, "carol@example.org", "dave@example.org"])
def test_outsiders_get_404_everywhere(client, world, idea_with_file, who):
    idea, attachment = idea_with_file
    if who:
        login(client, who)
    for path in (f"/ideas/{idea.id}", f"/ideas/{idea.id}/attachments/{attachment.id}",
                 f"/teams/{world.team.id}/idea", f"/ideas/{idea.id}/submit", f"/ideas/{idea.id}/withdraw",
                 f"/ideas/{idea.id}/attachments/{attachment.id}/remove", f"/ideas/{idea.id + 100}",
                 f"/teams/{world.team.id + 100}/idea"):
        assert client.get(path).status_code == 404, path
    if who:
        token = csrf_from(client.get("/dashboard").get_data(as_text=True))
        assert client.post(f"/teams/{world.team.id}/idea",
                           data={"title": "x", "csrf_token": token}).status_code == 404


def test_organisers_read_but_do_not_write(client, world, idea_with_file):
    idea, attachment = idea_with_file
    login(client, "orga@example.org")
    assert client.get(f"/ideas/{idea.id}").status_code == 200
    assert client.get(f"/ideas/{idea.id}/attachments/{attachment.id}").status_code == 200
    assert client.get(f"/teams/{world.team.id}/idea").status_code == 403
    assert client.get(f"/ideas/{idea.id}/submit").status_code == 403


# --- the dashboard ----------------------------------------------------------------------------

def test_the_dashboard_shows_each_challenge_and_the_next_step(client, db, world):
    make_idea(world.team, complete=False, title="Our draft")
    login(client, "alice@example.org")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "My dashboard" in html and world.challenge.title in html and "Open for ideas" in html
    assert "left" in html and "Heart at home" in html and "Bogdan Bălan" in html
    assert f"http://salus.test/join/{world.team.invite_code}" in html
    assert f'href="/challenges/{world.challenge.id}"' in html and f'href="/teams/{world.team.id}"' in html
    assert "Draft" in html and "Finish the idea" in html
    assert "Another challenge" in html  # open, and alice is not in it yet


def test_the_dashboard_next_step_follows_the_idea(client, db, world):
    login(client, "carol@example.org")
    assert "Write your idea" in client.get("/dashboard").get_data(as_text=True)
    idea = make_idea(world.rival)
    assert "Check and submit" in client.get("/dashboard").get_data(as_text=True)
    idea.status = "submitted"
    db.session.commit()
    assert "Edit until" in client.get("/dashboard").get_data(as_text=True)


def test_the_dashboard_without_a_team(client, db, world):
    newcomer = make_user("new@example.org")
    login(client, "new@example.org")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "You are not taking part in a challenge yet" in html and world.challenge.title in html
    db.session.add(TeamSeeker(challenge_id=world.challenge.id, user_id=newcomer.id, skills="Nursing"))
    db.session.commit()
    html = client.get("/dashboard").get_data(as_text=True)
    assert "No team yet" in html and f'href="/challenges/{world.challenge.id}/teams/new"' in html


def test_the_dashboard_needs_a_sign_in(client):
    assert client.get("/dashboard").status_code == 302


def count_queries(db, fetch):
    statements = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        response = fetch()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def test_the_dashboard_query_count_does_not_grow(client, db):
    user = make_user("busy@example.org")
    login(client, "busy@example.org")
    counts = []
    for rows in (2, 10):
        while db.session.query(Idea).join(Idea.team).count() < rows:
            challenge = make_challenge(title=f"Challenge {clock.now().timestamp()}-{rows}")
            team = make_team(challenge, user, make_user(f"m{challenge.id}@example.org"))
            make_idea(team, status="submitted" if challenge.id % 2 else "draft")
        counts.append(count_queries(db, lambda: client.get("/dashboard")))
    assert counts[0] == counts[1], counts

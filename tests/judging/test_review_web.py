"""The juror's pages: the queue with progress, the scoring page (save, save and next, a stale page,
errors that keep the juror's choices), declaring a conflict and raising a safety concern."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.judging.models import Conflict, Review, SafetyFlag
from tests.conftest import csrf_from, login
from tests.factories import make_review
from tests.judging.test_review_world import ANCHORS, build_world, full_scores

INLINE = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>|<[a-z][^>]*\s(?:style|on[a-z]+)\s*=|<style\b", re.I)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def juror_client(client, world, db):
    login(client, world.juror.email)
    db.session.rollback()  # the sign-in wrote after the test's read transaction began
    return client


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def score_form(world, first=4, second=3, **extra):
    return {f"score-{world.criteria[0]}": str(first), f"score-{world.criteria[1]}": str(second),
            "comment": "Clear plan.", "private_note": "", "action": "save", **extra}


def post_scores(client, world, idea, data, version="0"):
    token = csrf_from(client.get(f"/reviews/{idea.id}").get_data(as_text=True))
    return client.post(f"/reviews/{idea.id}", data={"version": version, **data, "csrf_token": token})


def reviews_of(db, juror):
    db.session.rollback()
    return db.session.scalars(select(Review).where(Review.juror_user_id == juror.id)).all()


# --- the queue --------------------------------------------------------------------------------

def test_the_queue_shows_each_challenge_with_progress(juror_client, world):
    make_review(world.idea, world.juror, full_scores(world))
    html = page(juror_client, "/reviews")
    assert html.count("<h1") == 1 and "My reviews" in html
    assert world.challenge.title in html
    assert "1 of 2 scored" in html and re.search(r'<progress max="2" value="1"', html)
    assert "Heart failure care at home" in html and "Asthma coaching by text message" in html
    assert "Unfinished idea" not in html  # a draft is never judged
    assert html.count(">Scored<") == 1 and html.count(">To score<") == 1
    assert f'href="/reviews/{world.rival_idea.id}"' in html and "Telemedicine" in html
    assert 'data-label="Track"' in html
    assert INLINE.findall(html) == []


def test_the_queue_explains_an_empty_state(client, world):
    login(client, world.ana.email)
    assert "Nothing to score yet." in page(client, "/reviews")


def test_the_queue_needs_a_sign_in(client, world):
    response = client.get("/reviews")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


# --- the scoring page -------------------------------------------------------------------------

def test_the_scoring_page_shows_the_idea_and_every_criterion(juror_client, world):
    html = page(juror_client, f"/reviews/{world.idea.id}")
    assert html.count("<h1") == 1 and "Heart failure care at home" in html
    assert "Nurses follow patients at home." in html and "Readmissions are frequent." in html
    for criterion in world.challenge.criteria:
        assert f'<fieldset class="review-criterion" id="criterion-{criterion.id}"' in html
        assert f"{criterion.name} <span class=\"review-weight\">(weight" in html
    assert "(weight 2)" in html and "(weight 1)" in html
    first = world.criteria[0]
    for level, anchor in enumerate(ANCHORS, start=1):
        assert f'<label for="score-{first}-{level}"><span class="review-level-number">{level}</span> – {anchor}</label>' \
            in html
    assert re.search(rf'id="score-{first}-1" name="score-{first}" value="1" autofocus', html)
    assert "Comment for the team (shown to the team)" in html
    assert "Private note (only organisers see this)" in html
    assert re.search(r'<input id="version" name="version" type="hidden" value="0">', html)
    assert ">Save<" in html and ">Save and next<" in html
    assert f'href="/reviews/{world.idea.id}/conflict"' in html and "Declare a conflict of interest" in html
    assert f'href="/reviews/{world.idea.id}/safety-concern"' in html and "Raise a safety concern" in html
    assert INLINE.findall(html) == []


def test_save_creates_the_review_and_comes_back_with_a_banner(juror_client, world, db):
    response = post_scores(juror_client, world, world.idea, score_form(world, private_note="Ask about costs."))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/reviews/{world.idea.id}")
    html = page(juror_client, f"/reviews/{world.idea.id}")
    assert "Scores saved for “Heart failure care at home” (total 3.67)" in html
    assert re.search(rf'id="score-{world.criteria[0]}-4" name="score-{world.criteria[0]}" value="4" checked', html)
    assert 'value="1">' in html and "Ask about costs." in html  # version 1, the note kept in its field
    [review] = reviews_of(db, world.juror)
    assert (review.version, review.comment, review.private_note) == (1, "Clear plan.", "Ask about costs.")


def test_save_and_next_goes_to_the_next_unscored_entry_then_back_to_the_queue(juror_client, world, db):
    response = post_scores(juror_client, world, world.idea, score_form(world, action="next"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/reviews/{world.rival_idea.id}")
    assert "Here is the next entry to score." in page(juror_client, response.headers["Location"])
    response = post_scores(juror_client, world, world.rival_idea, score_form(world, 2, 2, action="next"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/reviews")
    html = page(juror_client, "/reviews")
    assert "Every entry in your queue is scored" in html and "2 of 2 scored" in html
    assert len(reviews_of(db, world.juror)) == 2


def test_a_missing_score_keeps_every_choice_and_the_text(juror_client, world, db):
    data = score_form(world, comment="Keep this text.")
    del data[f"score-{world.criteria[1]}"]
    response = post_scores(juror_client, world, world.idea, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "Choose a score for “Feasibility”." in html
    assert f'href="#score-{world.criteria[1]}-1"' in html
    assert re.search(r'value="4" checked', html) and "Keep this text." in html
    assert "autofocus" not in html  # the error summary takes the focus
    assert reviews_of(db, world.juror) == []


def test_a_stale_page_gets_a_conflict_message_and_keeps_the_choices(juror_client, world, db):
    stale = page(juror_client, f"/reviews/{world.idea.id}")  # opened at version 0
    assert post_scores(juror_client, world, world.idea, score_form(world, 5, 5, comment="From the tablet.")) \
        .status_code == 303
    data = {**score_form(world, 1, 2, comment="From the old tab."), "csrf_token": csrf_from(stale), "version": "0"}
    response = juror_client.post(f"/reviews/{world.idea.id}", data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "saved from another page or device" in html
    assert "From the old tab." in html and re.search(rf'name="score-{world.criteria[0]}" value="1" checked', html)
    assert "The saved version (version 1" in html and "From the tablet." in html
    assert re.search(r'name="version" type="hidden" value="1"', html)
    [review] = reviews_of(db, world.juror)
    assert (review.version, review.comment) == (1, "From the tablet.")
    # Saving again from this page, now that the juror has seen the other version, works.
    data["version"] = "1"
    assert juror_client.post(f"/reviews/{world.idea.id}", data=data).status_code == 303
    assert reviews_of(db, world.juror)[0].comment == "From the old tab."


def test_after_judging_the_page_is_read_only_and_a_save_is_refused(juror_client, world, db):
    make_review(world.idea, world.juror, full_scores(world))
    token = csrf_from(page(juror_client, f"/reviews/{world.idea.id}"))
    db.session.rollback()
    world.challenge.status = "published"
    db.session.commit()
    html = page(juror_client, f"/reviews/{world.idea.id}")
    assert "can no longer be changed" in html and ">Save<" not in html and " disabled" in html
    data = {**score_form(world, 1, 1, comment="Too late."), "csrf_token": token, "version": "1"}
    response = juror_client.post(f"/reviews/{world.idea.id}", data=data)
    assert response.status_code == 409 and "Judging is not open" in response.get_data(as_text=True)
    assert "Too late." in response.get_data(as_text=True)
    assert page(juror_client, "/reviews").count("Heart failure care at home") == 0


# --- conflict and safety concern --------------------------------------------------------------

def test_declaring_a_conflict_from_its_confirmation_page(juror_client, world, db):
    html = page(juror_client, f"/reviews/{world.idea.id}/conflict")
    assert "Declare a conflict of interest" in html and "Any scores and comments you gave it are deleted." in html
    response = juror_client.post(f"/reviews/{world.idea.id}/conflict", data={"csrf_token": csrf_from(html),
                                                                           "reason": " "})
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    response = juror_client.post(f"/reviews/{world.idea.id}/conflict",
                                 data={"csrf_token": csrf_from(html), "reason": "I advise this team."})
    assert response.status_code == 303 and response.headers["Location"].endswith("/reviews")
    queue = page(juror_client, "/reviews")
    assert "Conflict of interest declared for “Heart failure care at home”" in queue
    assert "0 of 1 scored" in queue
    page(juror_client, f"/reviews/{world.idea.id}", 404)
    db.session.rollback()
    assert db.session.scalar(select(Conflict.reason)) == "I advise this team."


def test_raising_a_safety_concern_from_its_page(juror_client, world, db):
    html = page(juror_client, f"/reviews/{world.idea.id}/safety-concern")
    assert "<legend" in html and "Patient safety" in html and "Data protection" in html
    response = juror_client.post(f"/reviews/{world.idea.id}/safety-concern", data={"csrf_token": csrf_from(html)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose patient safety or data protection." in body
    response = juror_client.post(f"/reviews/{world.idea.id}/safety-concern", data={
        "csrf_token": csrf_from(html), "kind": "patient_safety", "reason": "Dosage advice without a doctor."})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/reviews/{world.idea.id}")
    html = page(juror_client, f"/reviews/{world.idea.id}")
    assert "is sent to the organisers" in html and "You raised a safety concern about this entry" in html
    db.session.rollback()
    assert db.session.scalar(select(SafetyFlag.kind)) == "patient_safety"

"""Challenge pages through the test client, CSRF included, from every side."""
import datetime as dt
import re

import pytest

from tests.challenges.helpers import create, signed_in, stored, text
from tests.conftest import flush_outbox, form_post


# --- public side ----------------------------------------------------------------------------

def test_anonymous_sees_open_challenges_but_not_drafts(app, client, people):
    open_id = create(app, people, title="Heart failure at home")
    draft_id = create(app, people, status="draft", title="Secret draft")
    page = text(client.get("/challenges"))
    assert "Heart failure at home" in page and "Secret draft" not in page
    assert "Open for submissions" in page and "2 days left" in page
    assert "Telemedicine" in page
    assert client.get(f"/challenges/{open_id}").status_code == 200
    assert client.get(f"/challenges/{draft_id}").status_code == 404
    assert client.get("/challenges/999999").status_code == 404


def test_public_page_says_what_for_whom_and_until_when(app, client, people, frozen_clock):
    challenge_id = create(app, people, kind="call", budget_total=250000,
                          audience="Nurses, GPs and start-ups in the North-East region.",
                          rules_text="Only **teams** registered in Romania.\n\n<script>alert(1)</script>",
                          deadline_in=dt.timedelta(days=2, hours=4, minutes=30))
    page = text(client.get(f"/challenges/{challenge_id}"))
    assert page.count("<h1") == 1
    assert "Nurses, GPs and start-ups" in page
    assert "2 days 4 hours left" in page
    assert "(Europe/Bucharest)" in page  # the zone is named
    assert "Relevance" in page and "(67%)" in page and "(33%)" in page  # weights 2 and 1
    assert "Telemedicine" in page and "Prevention" in page
    assert "€250,000.00" in page
    assert "<strong>teams</strong>" in page and "<script>alert(1)" not in page
    assert 'aria-current="step"' in page and "Open for submissions" in page
    assert "Create an account to take part" in page
    assert "Set-up" not in page  # organiser links are for organisers


def test_public_page_phases_follow_the_clock(app, client, people, frozen_clock):
    challenge_id = create(app, people, opens_in=dt.timedelta(hours=1), deadline_in=dt.timedelta(days=1))
    assert "Opens " in text(client.get(f"/challenges/{challenge_id}"))
    frozen_clock.advance(days=1)
    assert "Submissions are closed" in text(client.get(f"/challenges/{challenge_id}"))


def test_navigation_has_challenges(client):
    assert 'href="/challenges"' in text(client.get("/"))


# --- creating and opening -------------------------------------------------------------------

def test_admin_creates_from_the_health_template_and_opens(app, people, frozen_clock):
    admin = signed_in(app, people.admin.email)
    response = form_post(admin, "/challenges/new", {"title": "Iași Smart Health 2026", "kind": "hackathon",
                                                    "use_health_template": "y"})
    assert response.status_code == 302
    challenge_id = int(re.search(r"/challenges/(\d+)/setup", response.headers["Location"]).group(1))
    setup = text(admin.get(f"/challenges/{challenge_id}/setup"))
    assert "Describe the challenge" in setup and "Set the submission deadline" in setup
    assert "Add at least one scoring criterion" not in setup  # the template is in place
    assert [weight for _n, weight, _a in stored(app, challenge_id)["criteria"]] == [20, 15, 15, 15, 10, 10, 10, 5]

    assert admin.get(f"/challenges/{challenge_id}").status_code == 200  # organisers see their draft
    path = f"/challenges/{challenge_id}/setup/details"
    assert form_post(admin, path, {"title": "Iași Smart Health 2026", "kind": "hackathon",
                                   "description": "Care at home for **heart failure**.",
                                   "audience": "Students and clinicians"}).status_code == 302
    path = f"/challenges/{challenge_id}/setup/dates"
    # typed in the visitor's zone (Europe/Bucharest, UTC+2 in November)
    assert form_post(admin, path, {"opens_at": "2026-11-20T13:00", "submission_deadline": "2026-11-22T12:00"}
                     ).status_code == 302
    assert stored(app, challenge_id)["deadline"] == dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone.utc)
    path = f"/challenges/{challenge_id}/setup/tracks"
    assert form_post(admin, path, {"tracks-0-name": "Telemedicine", "tracks-1-name": "Prevention",
                                   "action": "save"}).status_code == 302
    check = text(admin.get(f"/challenges/{challenge_id}/open"))
    assert "Check your answers before opening" in check and "Open the challenge" in check
    response = form_post(admin, f"/challenges/{challenge_id}/open")
    assert response.status_code == 302 and response.headers["Location"] == f"/challenges/{challenge_id}"
    assert stored(app, challenge_id)["status"] == "open"
    page = text(admin.get(f"/challenges/{challenge_id}"))
    assert "The challenge is open." in page and "Patient and technical safety" in page
    assert "Iași Smart Health 2026" in text(app.test_client().get("/challenges"))


def test_open_page_refuses_an_incomplete_draft(app, people, frozen_clock):
    challenge_id = create(app, people, status="draft", criteria=(), deadline_in=dt.timedelta(hours=-1),
                          opens_in=dt.timedelta(hours=-2))
    organiser = signed_in(app, people.organiser.email)
    page = text(organiser.get(f"/challenges/{challenge_id}/open"))
    assert "The submission deadline is in the past" in page and "Add at least one scoring criterion" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = organiser.post(f"/challenges/{challenge_id}/open", data={"csrf_token": token})
    assert response.status_code == 422
    assert stored(app, challenge_id)["status"] == "draft"


def test_opening_twice_is_refused_with_a_message(app, people):
    challenge_id = create(app, people)
    organiser = signed_in(app, people.organiser.email)
    response = form_post(organiser, f"/challenges/{challenge_id}/open", page=f"/challenges/{challenge_id}/setup",
                         follow_redirects=True)
    assert "Only a draft can be opened" in text(response)


def test_new_challenge_form_errors(app, people):
    admin = signed_in(app, people.admin.email)
    response = form_post(admin, "/challenges/new", {"title": "", "kind": "hackathon"})
    assert response.status_code == 422 and "Give the challenge a title." in text(response)
    response = form_post(admin, "/challenges/new", {"title": "x" * 201, "kind": "hackathon"})
    assert response.status_code == 422


def test_only_administrators_create(app, client, people):
    assert client.get("/challenges/new").status_code == 302  # to sign in
    participant = signed_in(app, people.participant.email)
    assert participant.get("/challenges/new").status_code == 403
    assert "Create a challenge" not in text(participant.get("/challenges"))
    assert "Create a challenge" in text(signed_in(app, people.admin.email).get("/challenges"))


def test_forms_without_csrf_are_refused(app, people):
    challenge_id = create(app, people, status="draft")
    organiser = signed_in(app, people.organiser.email)
    assert organiser.post(f"/challenges/{challenge_id}/open").status_code == 400
    assert stored(app, challenge_id)["status"] == "draft"


# --- who may do what ------------------------------------------------------------------------

ORGANISER_PAGES = ["setup", "setup/details", "setup/dates", "setup/teams", "setup/judging", "setup/tracks",
                   "setup/criteria", "setup/criteria/template", "setup/organisers", "open", "start-judging",
                   "console", "console.csv"]


@pytest.mark.parametrize("page", ORGANISER_PAGES)
def test_organiser_pages_from_the_refused_side(app, client, people, page):
    open_id = create(app, people)
    draft_id = create(app, people, status="draft")
    create(app, people, organiser="other")  # "other" organises a different challenge
    other = signed_in(app, people.other.email)
    assert other.get(f"/challenges/{open_id}/{page}").status_code == 403
    assert other.get(f"/challenges/{draft_id}/{page}").status_code == 404
    assert client.get(f"/challenges/{open_id}/{page}").status_code == 302  # anonymous: sign in first
    assert signed_in(app, people.organiser.email).get(f"/challenges/{open_id}/{page}").status_code == 200
    assert signed_in(app, people.admin.email).get(f"/challenges/{draft_id}/{page}").status_code == 200


def test_unknown_setup_section_is_404(app, people):
    challenge_id = create(app, people)
    assert signed_in(app, people.organiser.email).get(f"/challenges/{challenge_id}/setup/nope").status_code == 404


def test_refused_post_changes_nothing(app, people):
    challenge_id = create(app, people)
    create(app, people, organiser="other")
    other = signed_in(app, people.other.email)
    page = text(other.get("/challenges"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = other.post(f"/challenges/{challenge_id}/setup/details",
                          data={"csrf_token": token, "title": "Hijacked", "kind": "hackathon"})
    assert response.status_code == 403 and stored(app, challenge_id)["title"] != "Hijacked"


# --- set-up editors -------------------------------------------------------------------------

def test_criteria_editor_adds_rows_without_javascript(app, people):
    challenge_id = create(app, people, status="draft")
    organiser = signed_in(app, people.organiser.email)
    path = f"/challenges/{challenge_id}/setup/criteria"
    page = text(organiser.get(path))
    assert page.count("<fieldset class=\"editor-row\">") == 2
    response = form_post(organiser, path, {"criteria-0-name": "Relevance", "criteria-0-weight": "2",
                                           "criteria-1-name": "Feasibility", "criteria-1-weight": "1",
                                           "action": "add"})
    assert response.status_code == 200 and text(response).count("<fieldset class=\"editor-row\">") == 3
    assert 'value="Feasibility"' in text(response)  # what was typed is kept


def test_criteria_editor_saves_anchors_and_removes_rows(app, people):
    challenge_id = create(app, people, status="draft")
    organiser = signed_in(app, people.organiser.email)
    path = f"/challenges/{challenge_id}/setup/criteria"
    page = text(organiser.get(path))
    first_id = re.search(r'name="criteria-0-id" type="hidden" value="(\d+)"', page).group(1)
    response = form_post(organiser, path, {
        "criteria-0-id": first_id, "criteria-0-name": "Relevance", "criteria-0-weight": "3",
        "criteria-0-scale_min": "1", "criteria-0-scale_max": "3", "criteria-0-anchors": "Weak\n\nFair\nStrong\n",
        "criteria-1-name": "Old", "criteria-1-weight": "1", "criteria-1-remove": "y",
        "criteria-2-name": "Impact", "criteria-2-weight": "1.5", "action": "save"})
    assert response.status_code == 302
    assert stored(app, challenge_id)["criteria"] == [("Relevance", 3.0, ["Weak", "Fair", "Strong"]),
                                                     ("Impact", 1.5, [])]


def test_criteria_editor_shows_errors_on_their_row(app, people):
    challenge_id = create(app, people, status="draft")
    organiser = signed_in(app, people.organiser.email)
    path = f"/challenges/{challenge_id}/setup/criteria"
    response = form_post(organiser, path, {"criteria-0-name": "Relevance", "criteria-0-weight": "0",
                                           "criteria-1-name": "Flat", "criteria-1-weight": "1",
                                           "criteria-1-scale_min": "3", "criteria-1-scale_max": "3",
                                           "action": "save"})
    page = text(response)
    assert response.status_code == 422
    assert "Criterion 1: Must be a number above 0" in page
    assert "Criterion 2: The top of the scale must be above its bottom." in page
    assert [name for name, _w, _a in stored(app, challenge_id)["criteria"]] == ["Relevance", "Feasibility"]


def test_criteria_are_read_only_once_judging_started(app, people):
    challenge_id = create(app, people, status="judging")
    organiser = signed_in(app, people.organiser.email)
    page = text(organiser.get(f"/challenges/{challenge_id}/setup/criteria"))
    assert "the criteria are fixed" in page and "Save criteria" not in page
    response = form_post(organiser, f"/challenges/{challenge_id}/setup/criteria/template", follow_redirects=True)
    assert "The criteria cannot change once judging has started." in text(response)


def test_health_template_asks_first_then_replaces(app, people):
    challenge_id = create(app, people, status="draft")
    organiser = signed_in(app, people.organiser.email)
    page = text(organiser.get(f"/challenges/{challenge_id}/setup/criteria/template"))
    assert "This replaces the 2 criteria you have now." in page and "Transferability and scalability" in page
    assert len(stored(app, challenge_id)["criteria"]) == 2
    response = form_post(organiser, f"/challenges/{challenge_id}/setup/criteria/template")
    assert response.status_code == 302
    assert len(stored(app, challenge_id)["criteria"]) == 8


def test_tracks_editor_keeps_ids_and_renames(app, people):
    challenge_id = create(app, people, status="draft")
    (first_id, _), (second_id, _) = stored(app, challenge_id)["tracks"]
    organiser = signed_in(app, people.organiser.email)
    path = f"/challenges/{challenge_id}/setup/tracks"
    response = form_post(organiser, path, {"tracks-0-id": first_id, "tracks-0-name": "Remote care",
                                           "tracks-1-id": second_id, "tracks-1-name": "Prevention",
                                           "tracks-1-remove": "y", "tracks-2-name": "", "action": "save"})
    assert response.status_code == 302
    assert stored(app, challenge_id)["tracks"] == [(first_id, "Remote care")]
    response = form_post(organiser, path, {"tracks-0-name": "A", "tracks-1-name": " a ", "action": "save"})
    assert response.status_code == 422 and "Track 2: Two tracks have this name." in text(response)


@pytest.mark.parametrize("section, data, message", [
    ("teams", {"team_min_size": "4", "team_max_size": "2"}, "The largest team size must be at least the smallest"),
    ("teams", {"team_min_size": "0", "team_max_size": "2"}, "Number must be between 1 and 1000."),
    ("dates", {"opens_at": "2026-11-23T10:00", "submission_deadline": "2026-11-22T10:00"},
     "The submission deadline must be after the opening time."),
    ("details", {"title": "T", "kind": "hackathon", "budget_total": "1000"},
     "Only calls for projects have a total budget."),
    ("judging", {"reviews_per_entry": "0", "ranking_method": "raw"}, "Number must be between 1 and 100."),
])
def test_setup_sections_show_errors(app, people, section, data, message):
    challenge_id = create(app, people, status="draft")
    organiser = signed_in(app, people.organiser.email)
    response = form_post(organiser, f"/challenges/{challenge_id}/setup/{section}", data)
    assert response.status_code == 422 and message in text(response)
    assert 'class="error-summary"' in text(response)


def test_organisers_page_adds_a_registered_person(app, people, mailbox):
    challenge_id = create(app, people, status="draft")
    organiser = signed_in(app, people.organiser.email)
    path = f"/challenges/{challenge_id}/setup/organisers"
    response = form_post(organiser, path, {"email": "nobody@example.org"})
    assert response.status_code == 422 and "No account uses this address." in text(response)
    response = form_post(organiser, path, {"email": people.other.email}, follow_redirects=True)
    assert "Other Person is now an organiser" in text(response)
    assert signed_in(app, people.other.email).get(f"/challenges/{challenge_id}/setup").status_code == 200
    flush_outbox(app)
    [message] = mailbox.to(people.other.email)
    assert "You now organise" in message["Subject"]
    assert f"http://salus.test/challenges/{challenge_id}/setup" in mailbox.text(message)


def test_out_of_range_ids_and_pages(app, client, people):
    assert client.get("/challenges/99999999999999999999").status_code == 404
    assert client.get("/challenges?page=99999999999999999999").status_code == 404
    assert client.get("/challenges?page=abc").status_code == 200
    challenge_id = create(app, people)
    organiser = signed_in(app, people.organiser.email)
    response = organiser.get(f"/challenges/{challenge_id}/console/exceptions/99999999999999999999/revoke")
    assert response.status_code == 302

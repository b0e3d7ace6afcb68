"""The jury set-up page: adding jurors, conflicts, automatic and manual assignment, reminders, refusals."""
from __future__ import annotations

import contextlib
import re

import pytest
from sqlalchemy import event, func, select

from app.accounts.models import User
from app.judging import jury
from app.judging.models import Assignment, Juror, JurorInvitation
from app.judging.models import Conflict as ConflictOfInterest
from tests.conftest import form_post, login, make_user
from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team
from tests.judging.test_jury_services import judging_challenge, scores_for


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def banner(response) -> str:
    found = re.findall(r'<div class="banner banner-\w+" role="\w+">\s*<p>(.*?)</p>', text(response), re.S)
    return " ".join(found)


@contextlib.contextmanager
def counting(engine):
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


@pytest.fixture
def made(app, db, frozen_clock):
    jury_ = judging_challenge(jurors=3, ideas=4, reviews_per_entry=2)
    db.session.rollback()
    return jury_


def page_of(made) -> str:
    return f"/challenges/{made.challenge.id}/jury"


# --- the page -------------------------------------------------------------------------------

def test_the_jury_page_shows_jurors_conflicts_and_the_way_back_to_the_console(app, db, made):
    client = signed_in(app, made.organiser.email)
    response = client.get(page_of(made))
    page = text(response)
    assert response.status_code == 200 and page.count("<h1") == 1
    assert f'href="/challenges/{made.challenge.id}/console"' in page and 'aria-current="page">Jury<' in page
    for juror in made.jurors:
        assert juror.name in page
    assert "Assign entries automatically" in page and "Send reminders to jurors with pending reviews" in page
    assert 'data-label="Assigned"' in page and "<script>" not in page and "style=" not in page
    assert page.count('<legend class="label">Tracks this juror judges</legend>') == 1


def test_before_judging_the_page_explains_when_entries_are_assigned(app, db, frozen_clock):
    made = judging_challenge(jurors=1, ideas=1, status="open")
    db.session.rollback()
    client = signed_in(app, made.organiser.email)
    page = text(client.get(page_of(made)))
    assert "Entries can be assigned to them once judging starts." in page
    assert "Assign entries automatically" not in page
    response = form_post(client, f"/challenges/{made.challenge.id}/jury/assign", page=page_of(made))
    assert response.status_code == 303
    assert "only while the challenge is in judging" in banner(client.get(response.headers["Location"]))


# --- jurors ---------------------------------------------------------------------------------

def test_adding_jurors_by_form(app, db, made):
    client = signed_in(app, made.organiser.email)
    db.session.rollback()
    make_user("ana@example.org", name="Ana Popescu")
    track = made.challenge.tracks[0].id
    path = f"/challenges/{made.challenge.id}/jury/jurors"
    response = form_post(client, path, {"email": "ana@example.org", "track_ids": [str(track)]}, page=page_of(made))
    assert response.status_code == 302 and response.headers["Location"].endswith("/jury#jurors")
    page = client.get(response.headers["Location"])
    assert "ana@example.org is on the jury and has been told by e-mail." in banner(page)
    assert "Ana Popescu" in text(page) and "Telemedicine" in text(page)

    response = form_post(client, path, {"email": "Stranger@Example.org"}, page=page_of(made), follow_redirects=True)
    assert "no Salus account yet, so we sent an invitation" in banner(response)
    assert "stranger@example.org" in text(response) and "Invitations waiting for a registration" in text(response)

    response = form_post(client, path, {"email": "not an address"}, page=page_of(made))
    assert response.status_code == 422 and "There is a problem" in text(response)
    response = form_post(client, path, {"email": "x@example.org", "track_ids": ["999999"]}, page=page_of(made))
    assert response.status_code == 422 and "Choose among the tracks of this challenge." in text(response)
    db.session.rollback()
    assert db.session.scalar(select(Juror.track_ids).join(User, User.id == Juror.user_id)
                             .where(User.email_key == "ana@example.org")) == [track]
    invitation = db.session.scalar(select(JurorInvitation))
    response = form_post(client, f"/challenges/{made.challenge.id}/jury/invitations/{invitation.id}/cancel",
                         page=page_of(made), follow_redirects=True)
    assert "The invitation is withdrawn." in banner(response)


def test_removing_a_juror_asks_first(app, db, made):
    client = signed_in(app, made.organiser.email)
    path = f"/challenges/{made.challenge.id}/jury/jurors/{made.jurors[0].id}/remove"
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Remove Juror 00 from the jury?" in text(confirm)
    response = form_post(client, path, follow_redirects=True)
    assert "Juror 00 is no longer on the jury" in banner(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Juror)) == 2


# --- conflicts ------------------------------------------------------------------------------

def test_recording_a_conflict_by_form(app, db, made):
    jury.auto_assign(made.challenge, made.organiser)
    client = signed_in(app, made.organiser.email)
    juror, team = made.jurors[0], made.teams[0]
    path = f"/challenges/{made.challenge.id}/jury/conflicts"
    response = form_post(client, path, {"juror_id": juror.id, "team_id": team.id, "reason": ""}, page=page_of(made))
    assert response.status_code == 422 and "Say why this juror may not judge this team." in text(response)
    response = form_post(client, path, {"juror_id": juror.id, "team_id": team.id, "reason": "Her husband leads it"},
                         page=page_of(made), follow_redirects=True)
    assert "The conflict is recorded." in banner(response)
    assert "Recorded by an organiser" in text(response) and "Her husband leads it" in text(response)
    db.session.rollback()
    assert db.session.scalar(select(ConflictOfInterest.reason)) == "Her husband leads it"
    assert db.session.scalar(select(Assignment.id).where(Assignment.juror_user_id == juror.id,
                                                         Assignment.idea_id == made.ideas[0].id)) is None


def test_automatic_conflicts_are_listed(app, db, made):
    made.jurors[1].organisation = "  Spitalul  Județean "
    made.teams[2].members[0].user.organisation = "spitalul județean"
    db.session.commit()
    page = text(signed_in(app, made.organiser.email).get(page_of(made)))
    assert "Automatic: same organisation" in page and "Team 02" in page


# --- assignments ----------------------------------------------------------------------------

def test_automatic_assignment_confirms_then_reports(app, db, frozen_clock):
    made = judging_challenge(jurors=2, ideas=3, reviews_per_entry=3)
    db.session.rollback()
    client = signed_in(app, made.organiser.email)
    path = f"/challenges/{made.challenge.id}/jury/assign"
    confirm = client.get(path)
    assert confirm.status_code == 200 and "How entries are shared out" in text(confirm)
    assert "Existing assignments and scores are kept." in text(confirm)
    response = form_post(client, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/jury#assignments")
    page = client.get(response.headers["Location"])
    assert "6 new assignments made. 3 entries could not get enough jurors" in banner(page)
    for idea in made.ideas:
        assert f'href="/ideas/{idea.id}"' in text(page)
    assert "3 entries have fewer jurors than needed" in text(page)
    again = form_post(client, path, follow_redirects=True)
    assert "0 new assignments made." in banner(again)


def test_manual_assignment_by_form(app, db, made):
    client = signed_in(app, made.organiser.email)
    juror, idea = made.jurors[0], made.ideas[0]
    path = f"/challenges/{made.challenge.id}/jury/assignments"
    response = form_post(client, path, {"idea_id": idea.id, "juror_id": juror.id}, page=page_of(made),
                         follow_redirects=True)
    assert "The entry is assigned to this juror." in banner(response) and "Not scored yet" in text(response)
    response = form_post(client, path, {"idea_id": "", "juror_id": juror.id}, page=page_of(made))
    assert response.status_code == 422 and "Choose an entry." in text(response)

    remove = f"/challenges/{made.challenge.id}/jury/assignments/{idea.id}/{juror.id}/remove"
    db.session.rollback()
    make_review(idea, juror, scores_for(made.challenge))
    response = form_post(client, remove, page=page_of(made), follow_redirects=True)
    assert "already scored this entry" in banner(response)
    other = made.ideas[1]
    form_post(client, path, {"idea_id": other.id, "juror_id": juror.id}, page=page_of(made))
    response = form_post(client, f"/challenges/{made.challenge.id}/jury/assignments/{other.id}/{juror.id}/remove",
                         page=page_of(made), follow_redirects=True)
    assert "The assignment is removed." in banner(response)

    jury.record_conflict(made.challenge, made.organiser, made.jurors[1].id, made.teams[2].id, "Shares a lab")
    response = form_post(client, path, {"idea_id": made.ideas[2].id, "juror_id": made.jurors[1].id},
                         page=page_of(made), follow_redirects=True)
    assert "conflict of interest with this entry&#39;s team" in banner(response)


# --- reminders ------------------------------------------------------------------------------

def test_reminders_ask_first_then_send(app, db, made):
    jury.auto_assign(made.challenge, made.organiser)
    client = signed_in(app, made.organiser.email)
    path = f"/challenges/{made.challenge.id}/jury/reminders"
    confirm = client.get(path)
    assert "3 jurors will each get one e-mail" in text(confirm) and "Juror 02" in text(confirm)
    response = form_post(client, path, follow_redirects=True)
    assert "Reminders are on their way to 3 jurors." in banner(response)


# --- refusals -------------------------------------------------------------------------------

PAGES = ["/jury", "/jury/assign", "/jury/reminders"]
POSTS = ["/jury/jurors", "/jury/conflicts", "/jury/assign", "/jury/assignments", "/jury/reminders"]


def test_only_organisers_reach_the_jury_pages(app, db, made):
    db.session.rollback()
    draft = make_challenge(title="Hidden", status="draft", organisers=[make_user("owner@example.org")])
    foreign = make_challenge(title="Other", status="judging")
    make_juror(foreign, make_user("foreign.juror@example.org"))
    base = f"/challenges/{made.challenge.id}"
    anonymous = app.test_client()
    assert anonymous.get(base + "/jury").status_code == 302
    organiser = signed_in(app, made.organiser.email)
    token_page = page_of(made)
    for email in ("member0@example.org", made.jurors[0].email, "foreign.juror@example.org"):
        client = signed_in(app, email)
        for suffix in PAGES:
            assert client.get(base + suffix).status_code == 403, (email, suffix)
        for suffix in POSTS:
            # A token from a page they may see: the refusal comes from the permission, not CSRF.
            response = form_post(client, base + suffix, {"email": "x@example.org"}, page="/challenges")
            assert response.status_code == 403, (email, suffix)
    for suffix in PAGES:
        assert organiser.get(f"/challenges/{draft.id}{suffix}").status_code == 404
        assert organiser.get(f"/challenges/{2**40}{suffix}").status_code == 404
    assert organiser.get(token_page).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_jurors_find_my_reviews_in_the_navigation(app, db, made):
    page = text(signed_in(app, made.jurors[0].email).get("/"))
    assert '<a href="/reviews"' in page and "My reviews" in page
    assert "My reviews" not in text(signed_in(app, "member0@example.org").get("/"))


# --- query counts ---------------------------------------------------------------------------

def test_the_jury_page_takes_the_same_number_of_queries_for_2_and_10_jurors(app, db, frozen_clock):
    organiser = make_user("olga@example.org", name="Olga")
    client = signed_in(app, organiser.email)
    counts = {}
    for size in (2, 10):
        db.session.rollback()
        challenge = make_challenge(title=f"Size {size}", status="judging", organisers=[organiser],
                                   reviews_per_entry=2)
        for n in range(size):
            juror = make_user(f"j{size}-{n}@example.org", name=f"J{n}", organisation=f"Org {n}")
            make_juror(challenge, juror)
            team = make_team(challenge, make_user(f"m{size}-{n}@example.org", organisation=f"Org {n}"),
                             name=f"T{n}")
            idea = make_idea(team, status="submitted", title=f"Idea {n}")
        jury.add_juror(challenge, organiser, f"invited{size}@example.org")
        jury.record_conflict(challenge, organiser, juror.id, make_team(challenge, make_user(f"x{size}@e.org")).id,
                             "Friend")
        jury.auto_assign(challenge, organiser)
        scorer = db.session.scalar(select(Assignment.juror_user_id).where(Assignment.idea_id == idea.id).limit(1))
        make_review(idea, db.session.get(User, scorer), scores_for(challenge))
        challenge_id = challenge.id
        db.session.rollback()
        with counting(db.engine) as statements:
            response = client.get(f"/challenges/{challenge_id}/jury")
        assert response.status_code == 200 and text(response).count("Scored<") >= 1
        counts[size] = len(statements)
    assert counts[2] == counts[10], counts
    print("jury page queries:", counts)

"""The announcements page: write, check who it reaches, send; and who may use it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from app.core.outbox import OutboxMail
from app.extensions import db as database
from app.results.models import Announcement
from tests.conftest import csrf_from, form_post, login, make_user
from tests.factories import make_challenge, make_juror, make_team
from tests.results.test_announcements import world_with_audiences


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def banner(response) -> str:
    return " ".join(re.findall(r'<div class="banner banner-\w+" role="\w+">\s*<p>(.*?)</p>', text(response), re.S))


def stored() -> tuple[int, int]:
    database.session.rollback()
    return (database.session.scalar(select(func.count()).select_from(Announcement)),
            database.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.kind == "announcement")))


MESSAGE = {"audience": "submitted", "track_id": "", "subject": "Pitch rehearsal on Thursday",
           "body": "Bring your **slides**.\r\nSee you at 18:00."}


def test_an_organiser_previews_then_sends_an_announcement(app, db, frozen_clock):
    world = world_with_audiences(db)
    client = signed_in(app, world.organiser.email)
    path = f"/challenges/{world.challenge.id}/announcements"
    page = client.get(path)
    assert page.status_code == 200 and text(page).count("<h1") == 1
    assert "No announcement yet" in text(page) and "Teams that have submitted" in text(page)
    preview = form_post(client, path, {**MESSAGE, "step": "preview"})
    assert preview.status_code == 200
    body = text(preview)
    assert "Check your announcement" in body and "This will be sent to 6 people." in body
    assert "<strong>slides</strong>" in body and 'value="Pitch rehearsal on Thursday"' in body
    assert stored() == (0, 0)
    token = csrf_from(body)
    sent = client.post(path, data={"csrf_token": token, "audience": "submitted", "track_id": "",
                                   "subject": "Pitch rehearsal on Thursday",
                                   "body": "Bring your **slides**.\nSee you at 18:00.", "step": "send"},
                       follow_redirects=True)
    assert "Your announcement is on its way to 6 people." in banner(sent)
    assert stored() == (1, 6)
    listed = text(sent)
    assert "Pitch rehearsal on Thursday" in listed and "Teams that have submitted" in listed
    assert "Olga Organiser" in listed


def test_changing_the_message_returns_to_the_filled_form(app, db):
    world = world_with_audiences(db)
    client = signed_in(app, world.organiser.email)
    path = f"/challenges/{world.challenge.id}/announcements"
    response = form_post(client, path, {**MESSAGE, "step": "change"})
    assert response.status_code == 200
    body = text(response)
    assert 'value="Pitch rehearsal on Thursday"' in body and 'id="audience-submitted" value="submitted"' \
        ' aria-describedby="audience-submitted-hint" checked' in body
    assert stored() == (0, 0)


def test_a_second_click_on_send_does_not_mail_twice(app, db, frozen_clock):
    world = world_with_audiences(db)
    client = signed_in(app, world.organiser.email)
    path = f"/challenges/{world.challenge.id}/announcements"
    form_post(client, path, {**MESSAGE, "step": "send"})
    again = form_post(client, path, {**MESSAGE, "step": "send"}, follow_redirects=True)
    assert "was sent to the same people a moment ago" in banner(again)
    assert stored() == (1, 6)


@pytest.mark.parametrize("fields, message", [
    ({"audience": ""}, "Choose who should receive the announcement."),
    ({"audience": "track"}, "Choose one of this challenge&#39;s tracks."),
    ({"audience": "track", "track_id": "abc"}, "Choose one of this challenge&#39;s tracks."),
    ({"subject": ""}, "This field is required."),
    ({"body": "x" * 20_001}, "At most 20000 characters."),
    ({"audience": "pending_jurors"}, "Nobody is in this audience yet"),
])
def test_mistakes_are_shown_on_the_form_and_nothing_is_sent(app, db, fields, message):
    world = world_with_audiences(db)
    database.session.execute(database.text("DELETE FROM assignments"))  # nobody has reviews pending
    database.session.commit()
    client = signed_in(app, world.organiser.email)
    for step in ("preview", "send"):
        response = form_post(client, f"/challenges/{world.challenge.id}/announcements",
                             {**MESSAGE, **fields, "step": step})
        assert response.status_code == 422
        assert "There is a problem" in text(response) and message in text(response)
    assert stored() == (0, 0)


def test_the_track_audience_names_its_track(app, db, frozen_clock):
    world = world_with_audiences(db)
    track = world.challenge.tracks[1]
    client = signed_in(app, world.organiser.email)
    path = f"/challenges/{world.challenge.id}/announcements"
    preview = form_post(client, path, {**MESSAGE, "audience": "track", "track_id": str(track.id)})
    assert "This will be sent to 1 person." in text(preview) and f"Teams in one track: {track.name}" in text(preview)
    sent = form_post(client, path, {**MESSAGE, "audience": "track", "track_id": str(track.id), "step": "send"},
                     follow_redirects=True)
    assert "on its way to 1 person" in banner(sent) and f"Teams in one track: {track.name}" in text(sent)


PAGES = ["/announcements"]


def test_only_the_challenges_organisers_reach_the_page(app, db):
    world = world_with_audiences(db)
    other_owner = make_user("other.owner@example.org", name="Other Owner")
    make_challenge(title="Another", status="open", organisers=[other_owner])
    draft = make_challenge(title="Hidden draft", status="draft", organisers=[other_owner])
    path = f"/challenges/{world.challenge.id}/announcements"
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 302
    assert anonymous.post(path, data=MESSAGE).status_code in (302, 400)
    for email in ("a1@example.org", world.jurors[0].email, other_owner.email, world.outsider.email):
        client = signed_in(app, email)
        assert client.get(path).status_code == 403, email
        response = form_post(client, path, {**MESSAGE, "step": "send"}, page="/challenges")
        assert response.status_code == 403, email
    organiser = signed_in(app, world.organiser.email)
    assert organiser.get(f"/challenges/{draft.id}/announcements").status_code == 404
    assert organiser.get(f"/challenges/{2**40}/announcements").status_code == 404
    assert stored() == (0, 0)


def count_get(app, email, path):
    client = signed_in(app, email)
    statements = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def test_the_page_takes_the_same_number_of_queries_for_2_or_10_announcements(app, db, frozen_clock):
    from app.results import announcements

    counts = []
    for size in (2, 10):
        database.session.rollback()  # a fresh snapshot after the requests' writes
        owner = make_user(f"owner{size}@example.org", name=f"Owner {size}")
        challenge = make_challenge(title=f"Size {size}", status="open", organisers=[owner])
        members = [make_user(f"m{size}-{n}@example.org", name=f"Member {n}") for n in range(size)]
        make_team(challenge, *members, name="Team")
        make_juror(challenge, make_user(f"j{size}@example.org", name="Juror"))
        for n in range(size):
            announcements.send_announcement(challenge, owner, audience="registered", subject=f"News {n}",
                                            body=f"Number {n}")
        counts.append(count_get(app, owner.email, f"/challenges/{challenge.id}/announcements"))
    assert counts[0] == counts[1], counts


def test_the_page_reads_in_the_organisers_language(app, db):
    world = world_with_audiences(db)
    world.organiser.locale = "da"
    database.session.commit()
    page = text(signed_in(app, world.organiser.email).get(f"/challenges/{world.challenge.id}/announcements"))
    assert "Meddelelser" in page and "Hold, der har indsendt" in page and "Skriv en meddelelse" in page

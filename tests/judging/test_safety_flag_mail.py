"""A safety concern reaches every organiser of the challenge by e-mail, in their own language: the
entry's title, the kind of concern and a link to the judging console, never the juror's reason or
private note."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.challenges.models import ChallengeOrganiser
from app.core import clock
from app.core.outbox import OutboxMail
from tests.conftest import api_token, bearer, csrf_from, flush_outbox, login, make_user
from tests.judging.test_review_world import build_world, full_scores

REASON = "Consent forms are missing for the pilot patients."
NOTE = "Between us: the budget looks padded."


@pytest.fixture
def world(db, frozen_clock):
    built = build_world()
    built.second = make_user("radu.organiser@example.org", name="Radu Organiser", locale="ro")
    db.session.add(ChallengeOrganiser(challenge_id=built.challenge.id, user_id=built.second.id, added_at=clock.now()))
    db.session.commit()
    return built


def outbox(db) -> list[OutboxMail]:
    db.session.rollback()  # the requests wrote after the test's read transaction began
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "safety_flag").order_by(OutboxMail.id)))


def test_every_organiser_is_told_in_their_language(app, client, world, db, mailbox):
    headers = bearer(api_token(client, world.juror.email))
    scores = {str(k): v for k, v in full_scores(world).items()}
    assert client.put(f"/api/v1/ideas/{world.idea.id}/score", json={"scores": scores, "comment": "",
                                                                     "private_note": NOTE},
                      headers=headers).status_code == 200
    response = client.post(f"/api/v1/ideas/{world.idea.id}/safety-flags",
                           json={"kind": "patient_safety", "reason": REASON}, headers=headers)
    assert response.status_code == 201
    queued = outbox(db)
    assert [(m.to_address, m.locale) for m in queued] == [("orga@example.org", "en"),
                                                           ("radu.organiser@example.org", "ro")]
    flush_outbox(app)
    [english] = mailbox.to("orga@example.org")
    [romanian] = mailbox.to("radu.organiser@example.org")
    console = f"http://salus.test/challenges/{world.challenge.id}/judging#flags"
    for message in (english, romanian):
        text, html = mailbox.text(message), message.get_body(("html",)).get_content()
        assert "Heart failure care at home" in message["Subject"] and "Heart failure care at home" in text
        assert console in mailbox.links(message) and console in html
        for secret in (REASON, NOTE, "Iulia Jurist", "Heart at Home", "Ana Popescu"):
            assert secret not in text and secret not in html and secret not in message["Subject"], secret
    assert "Patient safety" in mailbox.text(english)
    assert "Siguranța pacienților" in mailbox.text(romanian) and "Patient safety" not in mailbox.text(romanian)


def test_the_page_tells_them_too_and_names_the_kind(app, client, world, db, mailbox):
    login(client, world.colleague.email)
    url = f"/reviews/{world.idea.id}/safety-concern"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "kind": "data_protection", "reason": REASON})
    assert response.status_code == 303
    flush_outbox(app)
    [message] = mailbox.to("orga@example.org")
    assert "Data protection" in mailbox.text(message) and REASON not in mailbox.text(message)
    assert len(mailbox.to("radu.organiser@example.org")) == 1


def test_a_refused_concern_sends_nothing(client, world, db):
    headers = bearer(api_token(client, world.juror.email))
    url = f"/api/v1/ideas/{world.idea.id}/safety-flags"
    assert client.post(url, json={"kind": "gossip", "reason": ""}, headers=headers).status_code == 422
    assert client.post(url, json={"kind": "patient_safety", "reason": "x"},
                       headers=bearer(api_token(client, world.unassigned.email))).status_code == 404
    assert outbox(db) == []


def test_an_erased_organiser_gets_no_mail(client, world, db):
    world.second.erased_at = clock.now()
    db.session.commit()
    response = client.post(f"/api/v1/ideas/{world.idea.id}/safety-flags", json={"kind": "patient_safety",
                                                                                "reason": REASON},
                           headers=bearer(api_token(client, world.juror.email)))
    assert response.status_code == 201
    assert [m.to_address for m in outbox(db)] == ["orga@example.org"]

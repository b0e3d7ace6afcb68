"""The organisers' check-your-answers page before publishing: what will be published, the visibility
choice, open safety flags blocking it, the number of mails, and the confirmation."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.challenges.models import Challenge
from app.core.outbox import OutboxMail
from app.extensions import db as database
from app.judging.models import SafetyFlag
from app.results.models import Award, Publication
from tests.conftest import form_post, login
from tests.results.scenario import judged


@pytest.fixture
def world(app, frozen_clock):
    with app.app_context():
        made = judged()
        database.session.add(Award(challenge_id=made.challenge.id, idea_id=made.ideas["Alpha"].id,
                                   name="Grand prize", amount=Decimal("5000"), position=0))
        database.session.commit()
        return {"challenge": made.challenge.id, "ideas": {k: v.id for k, v in made.ideas.items()}}


def publish_button(html: str) -> str:
    return re.search(r'<input[^>]*name="publish"[^>]*>', html).group(0)


def url(world) -> str:
    return f"/challenges/{world['challenge']}/publish"


def test_the_page_says_what_will_be_published(client, world):
    login(client, "olga@example.org")
    response = client.get(url(world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Publish the results</h1>" in html
    assert "Ranked entries</dt><dd>4</dd>" in html
    assert "Grand prize" in html and "€5,000.00" in html and "Idea Alpha" in html
    assert "5 team members" in html and "3 jurors" in html
    assert "checked" in re.search(r'<input[^>]*value="full"[^>]*>', html).group(0)
    assert "disabled" not in publish_button(html)


def test_confirming_publishes_and_shows_the_results(app, client, world):
    login(client, "olga@example.org")
    response = form_post(client, url(world), {"visibility": "awards", "publish": "Publish the results"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/challenges/{world['challenge']}/results")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The results are published" in html and "Grand prize" in html and "<table" not in html
    with app.app_context():
        publication = database.session.get(Publication, world["challenge"])
        assert publication.visibility == "awards" and publication.ranking == []
        assert database.session.scalar(select(func.count()).select_from(OutboxMail)) == 8
    again = client.get(url(world)).get_data(as_text=True)
    assert "The results were published on" in again and 'name="publish"' not in again


def test_saving_the_choice_does_not_publish(app, client, world):
    login(client, "olga@example.org")
    response = form_post(client, url(world), {"visibility": "awards", "save": "Save this choice"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(world))
    with app.app_context():
        challenge = database.session.get(Challenge, world["challenge"])
        assert challenge.results_visibility == "awards" and challenge.status == "judging"
        assert database.session.get(Publication, world["challenge"]) is None
    preview = client.get(f"/challenges/{world['challenge']}/results").get_data(as_text=True)
    assert "Preview — not yet published" in preview and "<table" not in preview


def test_a_missing_choice_is_shown_on_the_page(client, world):
    login(client, "olga@example.org")
    response = form_post(client, url(world), {"visibility": "", "publish": "Publish the results"})
    assert response.status_code == 422
    assert "Choose what the results show." in response.get_data(as_text=True)


def test_open_flags_are_listed_and_disable_publishing(app, client, world):
    with app.app_context():
        flag = SafetyFlag(challenge_id=world["challenge"], idea_id=world["ideas"]["Gamma"], kind="patient_safety",
                          reason="No plan for night-time alarms.")
        database.session.add(flag)
        database.session.commit()
        flag_id = flag.id
    login(client, "olga@example.org")
    html = client.get(url(world)).get_data(as_text=True)
    assert "1 safety flag is still open" in html and "No plan for night-time alarms." in html
    assert f'href="/challenges/{world["challenge"]}/judging/flags/{flag_id}/clear"' in html
    assert "disabled" in publish_button(html)
    response = form_post(client, url(world), {"visibility": "full", "publish": "Publish the results"},
                         headers={"Referer": f"http://localhost{url(world)}"})
    assert response.status_code == 303
    assert "Some safety flags are still open" in client.get(url(world)).get_data(as_text=True)
    with app.app_context():
        assert database.session.get(Publication, world["challenge"]) is None


@pytest.mark.parametrize("email, status", [("a1@example.org", 403), ("juror1@example.org", 403),
                                           ("out@example.org", 403)])
def test_only_organisers_reach_the_page(client, world, email, status):
    login(client, email)
    assert client.get(url(world)).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(url(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]

"""The short independent assessment: one per person and project (giving it again replaces it),
scores 1-5, an optional reason; aggregated without naming anyone; refused from every side."""
from __future__ import annotations

import re

import pytest

from app.core.errors import ValidationFailed
from app.extensions import db as database
from app.portfolio import citizens
from app.portfolio.citizen_rules import assessment_aggregate
from app.portfolio.models import Assessment
from tests.conftest import csrf_from, login
from tests.factories import make_challenge
from tests.portfolio.citizen_support import error_of, headers_for, person, project, settle, sign_out, unconfirm


def path(row) -> str:
    return f"/api/v1/portfolio/{row.id}/assessment"


def rows_of(row) -> list[tuple[int, int, int, str]]:
    settle()
    return [(a.user_id, a.usefulness, a.progress_visible, a.reason) for a in database.session.scalars(
        database.select(Assessment).where(Assessment.project_id == row.id).order_by(Assessment.user_id))]


def test_giving_and_changing_an_assessment(client, db):
    row = project()
    ana = person("Ana Pop")
    headers = headers_for(client, ana)
    response = client.put(path(row), json={"usefulness": 4, "progress_visible": 2, "reason": " Helps my mother "},
                          headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert (data["usefulness"], data["progress_visible"], data["reason"]) == (4, 2, "Helps my mother")
    assert data["summary"]["count"] == 1 and data["summary"]["usefulness"] == 4.0
    response = client.put(path(row), json={"usefulness": 5, "progress_visible": 5}, headers=headers)
    assert response.status_code == 200 and response.get_json()["summary"]["count"] == 1
    assert rows_of(row) == [(ana.id, 5, 5, "")]
    state = client.get(path(row), headers=headers).get_json()
    assert state["mine"]["usefulness"] == 5 and state["summary"]["count"] == 1
    anonymous = client.get(path(row)).get_json()
    assert anonymous["mine"] is None and anonymous["summary"]["progress_visible"] == 5.0


@pytest.mark.parametrize("body, fields", [
    ({}, {"usefulness", "progress_visible"}),
    ({"usefulness": 0, "progress_visible": 3}, {"usefulness"}),
    ({"usefulness": 3, "progress_visible": 6}, {"progress_visible"}),
    ({"usefulness": True, "progress_visible": 3}, {"usefulness"}),
    ({"usefulness": "4", "progress_visible": 3}, {"usefulness"}),
    ({"usefulness": 4.5, "progress_visible": 3}, {"usefulness"}),
    ({"usefulness": 4, "progress_visible": 3, "reason": "x" * 1001}, {"reason"}),
    ({"usefulness": 4, "progress_visible": 3, "reason": 7}, {"reason"}),
])
def test_scores_and_reason_are_checked(client, db, body, fields):
    row = project()
    response = client.put(path(row), json=body, headers=headers_for(client, person("Ana Pop")))
    assert error_of(response) == (422, "validation_failed")
    assert set(response.get_json()["error"]["fields"]) == fields
    assert rows_of(row) == []


def test_the_service_checks_the_same_rules(db):
    row = project()
    ana = person("Ana Pop")
    with pytest.raises(ValidationFailed) as refused:
        citizens.assess(row, ana, usefulness=9, progress_visible=None, reason="x" * 1001)
    assert set(refused.value.fields) == {"usefulness", "progress_visible", "reason"}
    assert citizens.assess(row, ana, usefulness=1, progress_visible=5, reason="x" * 1000).reason == "x" * 1000


def test_refusals(client, db):
    row = project()
    ana = person("Ana Pop")
    body = {"usefulness": 4, "progress_visible": 4}
    assert error_of(client.put(path(row), json=body)) == (401, "unauthorised")
    headers = headers_for(client, ana)
    assert error_of(client.put("/api/v1/portfolio/999999/assessment", json=body, headers=headers)) \
        == (404, "not_found")
    assert error_of(client.get("/api/v1/portfolio/999999/assessment")) == (404, "not_found")
    unconfirm(ana)
    assert error_of(client.put(path(row), json=body, headers=headers)) == (403, "email_not_confirmed")
    assert rows_of(row) == []


def test_the_aggregate_counts_means_and_spreads_never_naming_anyone(client, db):
    row, other = project(), project("Other")
    scores = {"Ana Pop": (5, 4), "Bogdan Ion": (4, 4), "Carla Rossi": (2, 1), "Dan Mihai": (5, 2)}
    for name, (usefulness, progress) in scores.items():
        citizens.assess(row, person(name), usefulness=usefulness, progress_visible=progress, reason=f"Said by {name}")
    citizens.assess(other, person("Eve Tester"), usefulness=1, progress_visible=1)
    summary = citizens.assessment_summary(row.id)
    assert summary["count"] == 4
    assert summary["usefulness"] == pytest.approx(4.0, abs=1e-9)
    assert summary["progress_visible"] == pytest.approx(2.75, abs=1e-9)
    assert summary["distribution"]["usefulness"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    assert summary["distribution"]["progress_visible"] == {"1": 1, "2": 1, "3": 0, "4": 2, "5": 0}
    assert citizens.assessment_summary(999999) == assessment_aggregate([])
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "4 people assessed this project." in html
    assert "4.0 out of 5" in html and "2.8 out of 5" in html
    for name in scores:
        assert name not in html
    assert "Said by" not in html


def test_means_are_written_the_reader_s_way(client, db):
    row = project()
    citizens.assess(row, person("Ana Pop"), usefulness=4, progress_visible=3)
    citizens.assess(row, person("Bogdan Ion"), usefulness=5, progress_visible=3)
    html = client.get(f"/portfolio/{row.id}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "4,5" in html


def test_giving_it_on_the_page(client, db):
    row = project()
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "Nobody has assessed this project yet." in html and "Sign in to give your assessment" in html
    response = client.get(f"/portfolio/{row.id}/assessment")
    assert response.status_code == 303 and "/login?next=" in response.headers["Location"]
    ana = person("Ana Pop")
    login(client, ana.email)
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert f'action="/portfolio/{row.id}/assessment"' in html and 'name="usefulness"' in html
    token = csrf_from(html)
    response = client.post(f"/portfolio/{row.id}/assessment",
                           data={"usefulness": "9", "progress_visible": "", "csrf_token": token})
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
    response = client.post(f"/portfolio/{row.id}/assessment",
                           data={"usefulness": "4", "progress_visible": "3", "reason": "Near me", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("#assessment")
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "Thank you: your assessment is counted." in html
    assert "Your assessment: useful to you 4 out of 5, progress visible 3 out of 5." in html
    page = client.get(f"/portfolio/{row.id}/assessment").get_data(as_text=True)
    assert re.search(r'<input checked id="usefulness-\d" name="usefulness" required type="radio" value="4">', page)
    assert "Near me" in page  # their own reason, to change it
    response = client.post(f"/portfolio/{row.id}/assessment",
                           data={"usefulness": "2", "progress_visible": "2", "reason": "", "csrf_token": token})
    assert response.status_code == 303
    assert rows_of(row) == [(ana.id, 2, 2, "")]
    assert "Your assessment is updated." in client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert client.get("/portfolio/999999/assessment").status_code == 404


def test_the_people_who_run_the_project_read_reasons_without_names(client, db):
    organiser = person("Olga Organiser")
    challenge = make_challenge(status="published", organisers=[organiser])
    row = project(origin_challenge_id=challenge.id)
    citizens.assess(row, person("Ana Pop"), usefulness=2, progress_visible=1, reason="Nothing changed in Copou")
    login(client, "ana.pop@example.org")
    assert "Nothing changed in Copou" in client.get(f"/portfolio/{row.id}/assessment").get_data(as_text=True)
    sign_out(client)
    login(client, person("Bogdan Ion").email)
    assert "Nothing changed in Copou" not in client.get(f"/portfolio/{row.id}/assessment").get_data(as_text=True)
    sign_out(client)
    login(client, organiser.email)
    page = client.get(f"/portfolio/{row.id}/assessment").get_data(as_text=True)
    assert "Nothing changed in Copou" in page and "Ana Pop" not in page


def test_an_unconfirmed_account_is_told_to_confirm(client, db):
    row = project()
    ana = person("Ana Pop")
    login(client, ana.email)
    unconfirm(ana)
    page = client.get(f"/portfolio/{row.id}/assessment")
    assert page.status_code == 200 and "Confirm your e-mail address" in page.get_data(as_text=True)
    response = client.post(f"/portfolio/{row.id}/assessment",
                           data={"usefulness": "4", "progress_visible": "3", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 403
    assert rows_of(row) == []

"""Two writers on one thing at the same instant, both starting from the same version: one score
(a juror on two devices), one idea (two members of a team), one portfolio project (two
administrators). Through the JSON API, through the HTML form, and one of each.

The second writer to reach the database gets a version conflict (409 ``version_conflict``, or
the form again with a 409, the writer's text still in it and the newer version in its hidden
field); the first writer's content stays whole. The loser then saves again from the version it
was told about and only then replaces the content: nothing is ever overwritten without the
writer having seen what was there.

Each writer is its own test client in its own thread (its own app context, session and database
connection), released by a barrier.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from app.accounts.services import create_api_token
from app.extensions import db as database
from app.judging.models import CriterionScore, Review
from app.portfolio import services as portfolio_services
from app.portfolio.models import PortfolioProject
from app.submissions import services as idea_services
from app.submissions.models import Idea, IdeaRevision
from tests.conftest import bearer, csrf_from, login, make_user
from tests.factories import make_challenge, make_team
from tests.judging.test_review_world import build_world
from tests.portfolio.test_projects_web import FORM as PROJECT_FORM
from tests.submissions.helpers import COMPLETE

pytestmark = pytest.mark.slow

VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')
PAIRS = [("api", "api"), ("form", "form"), ("api", "form")]


@dataclass
class Writer:
    """One person about to save: the version they read is already in the prepared request."""

    channel: str  # "api" or "form"
    label: str  # text only this writer writes
    send: Callable[[], Any]
    resend: Callable[[Any], Any]  # save again after a conflict, from the version it reported


def outcome(writer: Writer, response) -> str:
    """'saved', 'conflict' (with the writer's text kept, for a form), or what else came back."""
    status = response.status_code
    if writer.channel == "api":
        if status == 200:
            return "saved"
        body = response.get_json(silent=True) or {}
        return "conflict" if (status, body.get("error", {}).get("code")) == (409, "version_conflict") else \
            f"{status} {body}"
    if status in (302, 303):
        return "saved"
    html = response.get_data(as_text=True)
    if status == 409 and writer.label in html and VERSION_RE.search(html):
        return "conflict"
    return f"{status} {html[:300]}"


def race(app, writers: list[Writer]) -> list:
    barrier = threading.Barrier(len(writers))
    responses: list[Any] = [None] * len(writers)

    def run(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                responses[index] = writers[index].send()
            except Exception as error:  # noqa: BLE001 - shown in the assertion
                responses[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def form_version(response) -> str:
    return VERSION_RE.search(response.get_data(as_text=True)).group(1)


def form_writer(client, path: str, data: dict, label: str, *, conflict_page_has_new_version: bool = True) -> Writer:
    """A person with the edit page open: its CSRF token and version are in the form they post.

    After a conflict, idea and score pages show the saved version beside the writer's text and
    carry its number, so saving again is a decision taken with both in view; the project page
    keeps the old number and asks for a reload, which shows the other person's changes first."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    fields = {**data, "csrf_token": csrf_from(html), "version": VERSION_RE.search(html).group(1)}

    def resend(conflict):
        if not conflict_page_has_new_version:
            assert form_version(conflict) == fields["version"]
            conflict = client.get(path)
        again = conflict.get_data(as_text=True)
        return client.post(path, data={**fields, "csrf_token": csrf_from(again), "version": form_version(conflict)})

    return Writer("form", label, lambda: client.post(path, data=fields), resend)


def api_writer(client, method: str, path: str, read_path: str, token: str, body: dict, label: str) -> Writer:
    headers = bearer(token)
    version = client.get(read_path, headers=headers).get_json()["version"]

    def send(at_version=version):
        return client.open(path, method=method, json={**body, "version": at_version}, headers=headers)

    def resend(_conflict):
        return send(client.get(read_path, headers=headers).get_json()["version"])

    return Writer("api", label, send, resend)


def check_race(app, writers: list[Writer]) -> tuple[Writer, Writer, Any]:
    """Both save at once: one is saved, the other told of the conflict; returns (winner, loser,
    the loser's answer)."""
    responses = race(app, writers)
    outcomes = [outcome(w, r) if not isinstance(r, Exception) else repr(r) for w, r in zip(writers, responses)]
    assert sorted(outcomes) == ["conflict", "saved"], outcomes
    winner, loser = (writers if outcomes[0] == "saved" else writers[::-1])
    conflict = responses[writers.index(loser)]
    return winner, loser, conflict


# --- one idea, two members ---------------------------------------------------------------------

@pytest.fixture
def idea_world(app, db, frozen_clock):
    alice, bob = make_user("alice@example.org", name="Alice"), make_user("bob@example.org", name="Bob")
    challenge = make_challenge()
    team = make_team(challenge, alice, bob, name="Heart at home")
    idea, _ = idea_services.save_idea(team, alice, {**COMPLETE, "track_id": challenge.tracks[0].id})
    world = {"team": team.id, "idea": idea.id, "track": challenge.tracks[0].id,
             "people": {"alice@example.org": alice, "bob@example.org": bob}}
    db.session.remove()
    return world


def idea_writer(app, world, channel: str, email: str, label: str) -> Writer:
    client = app.test_client()
    data = {**COMPLETE, "title": label, "problem": f"{label}: the problem"}
    if channel == "api":
        with app.app_context():
            token = create_api_token(database.session.merge(world["people"][email]))[0]
        return api_writer(client, "PUT", f"/api/v1/teams/{world['team']}/idea", f"/api/v1/ideas/{world['idea']}",
                          token, {**data, "track_id": world["track"]}, label)
    login(client, email)
    return form_writer(client, f"/teams/{world['team']}/idea", {**data, "track_id": str(world["track"]), "links": ""},
                       label)


@pytest.mark.parametrize("channels", PAIRS, ids="+".join)
def test_two_members_save_one_idea_at_once(app, db, idea_world, channels):
    writers = [idea_writer(app, idea_world, channel, email, f"Title from {email.split('@')[0]} by {channel}")
               for channel, email in zip(channels, ("alice@example.org", "bob@example.org"))]
    winner, loser, conflict = check_race(app, writers)

    def stored():
        db.session.remove()
        idea = db.session.get(Idea, idea_world["idea"])
        titles = [r.content["title"] for r in db.session.scalars(
            select(IdeaRevision).where(IdeaRevision.idea_id == idea.id).order_by(IdeaRevision.version))]
        return idea.version, idea.title, idea.problem, titles

    assert stored() == (2, winner.label, f"{winner.label}: the problem", [COMPLETE["title"], winner.label])
    assert outcome(loser, loser.resend(conflict)) == "saved"
    assert stored() == (3, loser.label, f"{loser.label}: the problem",
                        [COMPLETE["title"], winner.label, loser.label])


# --- one score, one juror on two devices -------------------------------------------------------

@pytest.fixture
def score_world(app, db, frozen_clock):
    world = build_world()
    client = app.test_client()
    first = client.put(f"/api/v1/ideas/{world.idea.id}/score", headers=bearer(create_api_token(world.juror)[0]),
                       json={"scores": {str(c): 3 for c in world.criteria}, "comment": "First thoughts."})
    assert first.status_code == 200 and first.get_json()["version"] == 1
    found = {"idea": world.idea.id, "criteria": world.criteria, "juror": world.juror}
    db.session.remove()
    return found


def score_writer(app, world, channel: str, value: int, label: str) -> Writer:
    client = app.test_client()
    if channel == "api":
        with app.app_context():
            token = create_api_token(database.session.merge(world["juror"]))[0]
        body = {"scores": {str(c): value for c in world["criteria"]}, "comment": label}
        return api_writer(client, "PUT", f"/api/v1/ideas/{world['idea']}/score",
                          f"/api/v1/ideas/{world['idea']}/score", token, body, label)
    login(client, "juror@example.org")
    data = {**{f"score-{c}": str(value) for c in world["criteria"]}, "comment": label, "private_note": "",
            "action": "save"}
    return form_writer(client, f"/reviews/{world['idea']}", data, label)


@pytest.mark.parametrize("channels", PAIRS, ids="+".join)
def test_one_juror_saves_one_score_from_two_devices_at_once(app, db, score_world, channels):
    writers = [score_writer(app, score_world, channel, value, f"Comment {value} by {channel}")
               for channel, value in zip(channels, (5, 1))]
    winner, loser, conflict = check_race(app, writers)
    values = {w.label: int(w.label.split()[1]) for w in writers}

    def stored():
        db.session.remove()
        review = db.session.scalars(select(Review)).one()
        scores = sorted(s.value for s in review.scores)
        return review.version, review.comment, scores, db.session.scalar(
            select(func.count()).select_from(CriterionScore))

    assert stored() == (2, winner.label, [values[winner.label]] * 2, 2)
    assert outcome(loser, loser.resend(conflict)) == "saved"
    assert stored() == (3, loser.label, [values[loser.label]] * 2, 2)


# --- one project, two administrators -----------------------------------------------------------

@pytest.fixture
def project_world(app, db, frozen_clock):
    first = make_user("admin@example.org", name="Ada Admin", admin=True)
    second = make_user("admin2@example.org", name="Ben Admin", admin=True)
    project = portfolio_services.create_project(first, {
        "title": "Mobile clinic for Păcurari", "summary": "A van with a nurse visits twice a week.",
        "organisation": "Primăria Iași", "stage": "pilot"})
    world = {"project": project.id, "people": {"admin@example.org": first, "admin2@example.org": second}}
    db.session.remove()
    return world


def project_writer(app, world, channel: str, email: str, label: str) -> Writer:
    client = app.test_client()
    path = f"/portfolio/{world['project']}"
    if channel == "api":
        with app.app_context():
            token = create_api_token(database.session.merge(world["people"][email]))[0]
        return api_writer(client, "PATCH", f"/api/v1{path}", f"/api/v1{path}", token,
                          {"title": label, "summary": f"{label}: the summary"}, label)
    login(client, email)
    data = {**PROJECT_FORM, "title": label, "summary": f"{label}: the summary"}
    return form_writer(client, f"{path}/edit", data, label, conflict_page_has_new_version=False)


@pytest.mark.parametrize("channels", PAIRS, ids="+".join)
def test_two_administrators_edit_one_project_at_once(app, db, project_world, channels):
    writers = [project_writer(app, project_world, channel, email, f"Clinic by {email.split('@')[0]} ({channel})")
               for channel, email in zip(channels, ("admin@example.org", "admin2@example.org"))]
    winner, loser, conflict = check_race(app, writers)

    def stored():
        db.session.remove()
        project = db.session.get(PortfolioProject, project_world["project"])
        return project.version, project.title, project.summary

    assert stored() == (2, winner.label, f"{winner.label}: the summary")
    assert outcome(loser, loser.resend(conflict)) == "saved"
    assert stored() == (3, loser.label, f"{loser.label}: the summary")

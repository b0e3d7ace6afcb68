"""The jury set-up in the JSON API: every row of the contract and its refusals (401, 403, 404, 409, 422)."""
from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from app.judging import jury
from app.judging.models import Assignment, Juror
from tests.conftest import DEFAULT_PASSWORD, api_token, bearer, flush_outbox, make_user
from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team
from tests.judging.test_jury_services import judging_challenge, scores_for

API = "/api/v1"


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
def setup(app, db, frozen_clock):
    """A challenge in judging (3 jurors, 4 ideas, 2 reviews each) and the people around it, as ids."""
    made = judging_challenge(jurors=3, ideas=4, reviews_per_entry=2)
    elsewhere = make_challenge(title="Elsewhere", status="judging", organisers=[made.organiser])
    foreign_juror = make_user("foreign.juror@example.org", name="Foreign Juror")
    make_juror(elsewhere, foreign_juror)
    other_team = make_team(elsewhere, make_user("other.member@example.org"), name="Elsewhere team")
    other_idea = make_idea(other_team, status="submitted")
    draft = make_challenge(title="Hidden draft", status="draft", organisers=[make_user("draft.owner@example.org")])
    ids = SimpleNamespace(
        challenge=made.challenge.id, organiser=made.organiser.email, jurors=[u.id for u in made.jurors],
        juror_emails=[u.email for u in made.jurors], ideas=[i.id for i in made.ideas],
        teams=[t.id for t in made.teams], participant="member0@example.org", foreign_juror=foreign_juror.email,
        elsewhere=elsewhere.id, other_idea=other_idea.id, other_team=other_team.id, draft=draft.id,
        tracks=[t.id for t in made.challenge.tracks])
    db.session.rollback()
    return ids


def auth(client, email):
    return bearer(api_token(client, email))


def score(db, setup, idea_id, juror_id):
    """Write a review from the test's own session. It ends its read transaction first: on SQLite a
    session that read before a request wrote may not write (its snapshot is stale)."""
    from app.accounts.models import User
    from app.submissions.models import Idea

    db.session.rollback()
    make_review(db.session.get(Idea, idea_id), db.session.get(User, juror_id), scores_for(_challenge(db, setup)))


# --- jurors ---------------------------------------------------------------------------------

def test_adding_jurors_registered_201_unknown_202_and_the_role_on_registration(app, db, client, setup, mailbox):
    headers = auth(client, setup.organiser)
    db.session.rollback()
    ana = make_user("ana@example.org", name="Ana")
    response = client.post(f"{API}/challenges/{setup.challenge}/jurors", json={"email": "Ana@Example.org"},
                           headers=headers)
    assert response.status_code == 201 and response.get_json() == {"user_id": ana.id}
    response = client.post(f"{API}/challenges/{setup.challenge}/jurors", headers=headers,
                           json={"email": "new.juror@example.org", "track_ids": [setup.tracks[1]]})
    assert response.status_code == 202 and response.get_json() == {"status": "invited"}
    flush_outbox(app)
    [invitation] = mailbox.to("new.juror@example.org")
    assert "http://salus.test/register" in mailbox.links(invitation)
    assert mailbox.to("ana@example.org")  # told that they are on the jury

    response = client.post(f"{API}/auth/register", json={
        "email": "New.Juror@example.org", "password": DEFAULT_PASSWORD, "name": "Nicoleta Juror",
        "organisation": "Spitalul Județean", "accept_privacy": True})
    assert response.status_code == 202
    listed = client.get(f"{API}/challenges/{setup.challenge}/jurors?per_page=100", headers=headers).get_json()
    assert listed["total"] == 5
    [row] = [r for r in listed["items"] if r["name"] == "Nicoleta Juror"]
    assert row == {"user_id": row["user_id"], "name": "Nicoleta Juror", "organisation": "Spitalul Județean",
                   "track_ids": [setup.tracks[1]], "assigned": 0, "scored": 0}
    from app.accounts.models import User

    db.session.rollback()
    assert jury.juror_roles(db.session.get(User, row["user_id"])) == {"juror"}


@pytest.mark.parametrize("body, fields", [
    ({}, {"email"}), ({"email": "nope"}, {"email"}), ({"email": 7}, {"email"}),
    ({"email": "a@example.org", "track_ids": [999999]}, {"track_ids"}),
    ({"email": "a@example.org", "track_ids": ["x"]}, {"track_ids.0"}),
    ({"email": "a\u0000@example.org"}, {"email"}), ({"email": "x" * 321}, {"email"}),
])
def test_adding_a_juror_validates(client, setup, body, fields):
    response = client.post(f"{API}/challenges/{setup.challenge}/jurors", json=body,
                           headers=auth(client, setup.organiser))
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == fields


def test_removing_a_juror(client, db, setup):
    headers = auth(client, setup.organiser)
    assert client.post(f"{API}/challenges/{setup.challenge}/assignments", headers=headers).status_code == 200
    db.session.rollback()
    scorer = setup.jurors[0]
    idea_id = db.session.scalar(select(Assignment.idea_id).where(Assignment.juror_user_id == scorer).limit(1))
    score(db, setup, idea_id, scorer)
    response = client.delete(f"{API}/challenges/{setup.challenge}/jurors/{scorer}", headers=headers)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "juror_has_reviews"
    response = client.delete(f"{API}/challenges/{setup.challenge}/jurors/{setup.jurors[1]}", headers=headers)
    assert response.status_code == 204
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Assignment)
                             .where(Assignment.juror_user_id == setup.jurors[1])) == 0
    assert client.delete(f"{API}/challenges/{setup.challenge}/jurors/{setup.jurors[1]}",
                         headers=headers).status_code == 404


def _challenge(db, setup):
    from app.challenges.models import Challenge

    return db.session.get(Challenge, setup.challenge)


# --- conflicts ------------------------------------------------------------------------------

def test_recording_a_conflict(client, db, setup):
    headers = auth(client, setup.organiser)
    client.post(f"{API}/challenges/{setup.challenge}/assignments", headers=headers)
    db.session.rollback()
    juror = setup.jurors[0]
    idea_team = dict(zip(setup.ideas, setup.teams))
    idea_id = db.session.scalar(select(Assignment.idea_id).where(Assignment.juror_user_id == juror).limit(1))
    response = client.post(f"{API}/challenges/{setup.challenge}/conflicts", headers=headers,
                           json={"juror_id": juror, "team_id": idea_team[idea_id], "reason": "Former employer"})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "juror_id": juror, "team_id": idea_team[idea_id], "reason": "Former employer",
                    "source": "organiser"}
    db.session.rollback()
    assert db.session.scalar(select(Assignment.id).where(Assignment.juror_user_id == juror,
                                                         Assignment.idea_id == idea_id)) is None


@pytest.mark.parametrize("which, fields", [
    ("unknown_juror", {"juror_id"}), ("foreign_juror", {"juror_id"}), ("foreign_team", {"team_id"}),
    ("no_reason", {"reason"}), ("huge", {"juror_id", "team_id"}), ("not_ints", {"juror_id", "team_id"}),
])
def test_a_conflict_names_this_challenges_juror_and_team(client, db, setup, which, fields):
    body = {"juror_id": setup.jurors[0], "team_id": setup.teams[0], "reason": "Former employer"}
    db.session.rollback()
    if which == "unknown_juror":
        body["juror_id"] = make_user("someone@example.org").id
    elif which == "foreign_juror":
        body["juror_id"] = db.session.scalar(select(Juror.user_id).where(Juror.challenge_id == setup.elsewhere))
    elif which == "foreign_team":
        body["team_id"] = setup.other_team
    elif which == "no_reason":
        del body["reason"]
    elif which == "huge":
        body.update(juror_id=2**63, team_id=0)
    else:
        body.update(juror_id="1", team_id=1.5)
    response = client.post(f"{API}/challenges/{setup.challenge}/conflicts", json=body,
                           headers=auth(client, setup.organiser))
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == fields


# --- assignments ----------------------------------------------------------------------------

def test_automatic_assignment_and_the_list(client, db, setup):
    headers = auth(client, setup.organiser)
    response = client.post(f"{API}/challenges/{setup.challenge}/assignments", headers=headers)
    assert response.status_code == 200
    run = response.get_json()
    assert run["assignments"] == 8 and run["understaffed"] == []
    assert set(run["per_juror"]) == {str(j) for j in setup.jurors} and sum(run["per_juror"].values()) == 8
    assert max(run["per_juror"].values()) - min(run["per_juror"].values()) <= 1
    again = client.post(f"{API}/challenges/{setup.challenge}/assignments", headers=headers,
                        data="", content_type="")
    assert again.status_code == 200 and again.get_json()["assignments"] == 0

    listed = client.get(f"{API}/challenges/{setup.challenge}/assignments?per_page=5", headers=headers).get_json()
    assert (listed["total"], listed["page"], listed["per_page"], len(listed["items"])) == (8, 1, 5, 5)
    assert set(listed["items"][0]) == {"idea_id", "juror_id", "scored"}
    rest = client.get(f"{API}/challenges/{setup.challenge}/assignments?per_page=5&page=2", headers=headers)
    assert len(rest.get_json()["items"]) == 3
    first = listed["items"][0]
    score(db, setup, first["idea_id"], first["juror_id"])
    items = client.get(f"{API}/challenges/{setup.challenge}/assignments?per_page=100", headers=headers).get_json()
    assert [i["scored"] for i in items["items"]].count(True) == 1 and items["items"][0]["scored"] is True
    assert client.get(f"{API}/challenges/{setup.challenge}/assignments?per_page=101",
                      headers=headers).status_code == 422


def test_manual_assignment_by_api(client, db, setup):
    headers = auth(client, setup.organiser)
    idea, juror = setup.ideas[0], setup.jurors[0]
    path = f"{API}/challenges/{setup.challenge}/assignments/{idea}/{juror}"
    response = client.put(path, headers=headers)
    assert response.status_code == 201 and response.get_json() == {"idea_id": idea, "juror_id": juror,
                                                                    "scored": False}
    assert client.put(path, headers=headers).status_code == 200
    assert client.delete(path, headers=headers).status_code == 204
    assert client.delete(path, headers=headers).status_code == 404
    # An idea of another challenge, or a juror of another jury, is not part of this challenge.
    assert client.delete(f"{API}/challenges/{setup.challenge}/assignments/{setup.other_idea}/{juror}",
                         headers=headers).status_code == 404
    response = client.put(f"{API}/challenges/{setup.challenge}/assignments/{setup.other_idea}/{juror}",
                          headers=headers)
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"idea_id"}
    client.post(f"{API}/challenges/{setup.challenge}/conflicts", headers=headers,
                json={"juror_id": juror, "team_id": setup.teams[0], "reason": "Cousin in the team"})
    response = client.put(path, headers=headers)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflicted"
    scored = f"{API}/challenges/{setup.challenge}/assignments/{setup.ideas[1]}/{juror}"
    assert client.put(scored, headers=headers).status_code == 201
    score(db, setup, setup.ideas[1], juror)
    response = client.delete(scored, headers=headers)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "already_scored"
    assert client.put(scored, headers=headers).get_json()["scored"] is True


def test_assigning_outside_judging_answers_409_not_judging(app, client, db, frozen_clock):
    made = judging_challenge(jurors=2, ideas=2, status="open")
    headers = auth(client, made.organiser.email)
    for method, path in (("post", f"/challenges/{made.challenge.id}/assignments"),
                         ("put", f"/challenges/{made.challenge.id}/assignments/{made.ideas[0].id}/{made.jurors[0].id}"),
                         ("post", f"/challenges/{made.challenge.id}/reminders")):
        response = getattr(client, method)(API + path, headers=headers)
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_judging", path
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_reminders(app, client, setup, mailbox):
    headers = auth(client, setup.organiser)
    assert client.post(f"{API}/challenges/{setup.challenge}/reminders", headers=headers).get_json() == {"sent": 0}
    client.post(f"{API}/challenges/{setup.challenge}/assignments", headers=headers)
    response = client.post(f"{API}/challenges/{setup.challenge}/reminders", headers=headers)
    assert response.status_code == 200 and response.get_json() == {"sent": 3}
    flush_outbox(app)
    flush_outbox(app)
    for address in setup.juror_emails:
        assert len([m for m in mailbox.to(address) if "waiting for your scores" in m["Subject"]]) == 1


# --- refusals -------------------------------------------------------------------------------

ENDPOINTS = [
    ("post", "/challenges/{c}/jurors", {"email": "x@example.org"}),
    ("get", "/challenges/{c}/jurors", None),
    ("delete", "/challenges/{c}/jurors/{j}", None),
    ("post", "/challenges/{c}/conflicts", {"juror_id": 1, "team_id": 1, "reason": "r"}),
    ("post", "/challenges/{c}/assignments", None),
    ("get", "/challenges/{c}/assignments", None),
    ("put", "/challenges/{c}/assignments/{i}/{j}", None),
    ("delete", "/challenges/{c}/assignments/{i}/{j}", None),
    ("post", "/challenges/{c}/reminders", None),
]


def _call(client, setup, method, path, body, headers=None, challenge=None):
    url = API + path.format(c=challenge or setup.challenge, i=setup.ideas[0], j=setup.jurors[0])
    kwargs = {"headers": headers or {}}
    if body is not None:
        kwargs["json"] = body
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_refusals_for_every_endpoint(client, db, setup, method, path, body):
    response = _call(client, setup, method, path, body)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorised"
    response = _call(client, setup, method, path, body, {"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    for who in (setup.participant, setup.juror_emails[0], setup.foreign_juror):
        response = _call(client, setup, method, path, body, auth(client, who))
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden", who
    organiser = auth(client, setup.organiser)
    for challenge in (setup.draft, 2**31 - 1, 2**40):
        assert _call(client, setup, method, path, body, organiser, challenge).status_code == 404, challenge
    # Nothing was changed by any refused call.
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    assert db.session.scalar(select(func.count()).select_from(Juror)) == 4


@pytest.mark.parametrize("suffix", ["/jurors/{big}", "/assignments/{big}/1", "/assignments/1/{big}"])
def test_huge_ids_in_paths_are_404(client, setup, suffix):
    headers = auth(client, setup.organiser)
    path = f"{API}/challenges/{setup.challenge}" + suffix.format(big=2**64)
    assert client.delete(path, headers=headers).status_code == 404


def test_malformed_bodies_are_400(client, setup):
    headers = {**auth(client, setup.organiser), "Content-Type": "application/json"}
    for path in ("jurors", "conflicts"):
        response = client.post(f"{API}/challenges/{setup.challenge}/{path}", data="{nope", headers=headers)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"


def test_the_openapi_document_describes_the_jury_endpoints(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert set(paths[f"{API}/challenges/{{challenge_id}}/jurors"]) == {"get", "post"}
    assert set(paths[f"{API}/challenges/{{challenge_id}}/jurors"]["post"]["responses"]) >= {"201", "202", "422"}
    assert set(paths[f"{API}/challenges/{{challenge_id}}/assignments"]) == {"get", "post"}
    assert set(paths[f"{API}/challenges/{{challenge_id}}/assignments/{{idea_id}}/{{juror_id}}"]) == {"put", "delete"}
    assert "post" in paths[f"{API}/challenges/{{challenge_id}}/conflicts"]
    assert "post" in paths[f"{API}/challenges/{{challenge_id}}/reminders"]


# --- query counts ---------------------------------------------------------------------------

def test_lists_take_the_same_number_of_queries_for_2_and_10_jurors(app, client, db, frozen_clock):
    organiser = make_user("olga@example.org", name="Olga")
    counts = {}
    for size in (2, 10):
        db.session.rollback()
        challenge = make_challenge(title=f"Size {size}", status="judging", organisers=[organiser],
                                   reviews_per_entry=2)
        for n in range(size):
            make_juror(challenge, make_user(f"j{size}-{n}@example.org", name=f"J{n}"))
            team = make_team(challenge, make_user(f"m{size}-{n}@example.org"), name=f"T{n}")
            make_idea(team, status="submitted")
        jury.auto_assign(challenge, organiser)
        headers = auth(client, organiser.email)
        for path in ("assignments", "jurors"):
            with counting(db.engine) as statements:
                response = client.get(f"{API}/challenges/{challenge.id}/{path}?per_page=100", headers=headers)
            assert response.status_code == 200 and response.get_json()["total"] == (2 * size if path == "assignments"
                                                                                  else size)
            counts[(path, size)] = len(statements)
    assert counts[("assignments", 2)] == counts[("assignments", 10)]
    assert counts[("jurors", 2)] == counts[("jurors", 10)]
    print("API query counts:", counts)

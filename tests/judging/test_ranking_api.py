"""GET /api/v1/challenges/{id}/ranking: the contract's shape for organisers, and every refusal."""
import math

import pytest

from tests.conftest import api_token, bearer
from tests.factories import make_challenge, make_juror, make_team, make_user
from tests.judging.ranking_helpers import hand_case

ENTRY_KEYS = {"rank", "idea_id", "title", "team_id", "raw_mean", "normalized", "calibrated", "reviews", "spread"}
JUROR_KEYS = {"juror_id", "reviews", "mean", "sd", "offset"}


def get(client, challenge_id, email=None, query=""):
    headers = bearer(api_token(client, email)) if email else {}
    return client.get(f"/api/v1/challenges/{challenge_id}/ranking{query}", headers=headers)


def test_organisers_get_exactly_the_contracts_shape_unrounded(db, client):
    case = hand_case(db)
    response = get(client, case.challenge.id, "olga@example.org")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"method", "entries", "jurors", "reliability"}
    assert body["method"] == "calibrated" and set(body["reliability"]) == {"icc1"}
    assert all(set(entry) == ENTRY_KEYS for entry in body["entries"])
    assert all(set(juror) == JUROR_KEYS for juror in body["jurors"])
    assert [e["idea_id"] for e in body["entries"]] == [case.ideas[n].id for n in "ACB"]
    assert body["entries"][0]["normalized"] == pytest.approx((math.sqrt(2) + 1) / 2, abs=1e-12)
    assert body["jurors"][0]["sd"] == pytest.approx(math.sqrt(8) / 3, abs=1e-12)  # not rounded for display
    assert body["reliability"]["icc1"] == pytest.approx(-0.1 / 1.9, abs=1e-12)


def test_administrators_read_any_ranking(db, client):
    case = hand_case(db)
    make_user("admin@example.org", admin=True)
    assert get(client, case.challenge.id, "admin@example.org").status_code == 200


def test_the_round_is_a_query_parameter(db, client):
    case = hand_case(db)
    token = bearer(api_token(client, "olga@example.org"))
    path = f"/api/v1/challenges/{case.challenge.id}/ranking"
    assert client.get(path + "?round=1", headers=token).get_json()["entries"][0]["idea_id"] == case.ideas["A"].id
    for bad in ("2", "0", "-1", "one", "1.5", "99999999999999999999"):
        response = client.get(f"{path}?round={bad}", headers=token)
        assert response.status_code == 422, bad
        assert set(response.get_json()["error"]["fields"]) == {"round"}


def test_anonymous_and_bad_tokens_get_401(db, client):
    case = hand_case(db)
    assert get(client, case.challenge.id).status_code == 401
    response = client.get(f"/api/v1/challenges/{case.challenge.id}/ranking", headers=bearer("not-a-token"))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("who", ["juror", "conflicted juror", "participant", "juror elsewhere", "outsider"])
def test_everyone_but_organisers_gets_403_on_a_visible_challenge(db, client, who):
    case = hand_case(db)
    if who == "juror elsewhere":
        other = make_challenge(status="judging", title="Another challenge")
        make_juror(other, make_user("elsewhere@example.org"))
    if who == "outsider":
        make_user("outsider@example.org")
    email = {"juror": "jana@example.org", "conflicted juror": "lea@example.org", "participant": "a@example.org",
             "juror elsewhere": "elsewhere@example.org", "outsider": "outsider@example.org"}[who]
    response = get(client, case.challenge.id, email)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert "entries" not in response.get_json()


def test_a_draft_or_an_unknown_challenge_is_404(db, client):
    organiser = make_user("olga@example.org")
    draft = make_challenge(status="draft", organisers=[organiser])
    juror = make_user("jana@example.org")
    make_juror(draft, juror)
    make_team(draft, make_user("member@example.org"))
    for email in ("jana@example.org", "member@example.org"):
        response = get(client, draft.id, email)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert get(client, draft.id, "olga@example.org").status_code == 200
    assert get(client, 999999, "olga@example.org").status_code == 404
    assert get(client, 2**40, "olga@example.org").status_code == 404


def test_openapi_describes_the_ranking(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/challenges/{challenge_id}/ranking"]["get"]
    assert "round" in {p["name"] for p in operation.get("parameters", [])}
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])


def test_the_ranking_needs_the_same_number_of_queries_for_3_or_10_entries(app, db, client):
    from sqlalchemy import event

    from tests.judging.test_ranking_console import build

    def count(entries):
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        challenge_id = build(entries)
        token = bearer(api_token(client, "olga@example.org"))
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            response = client.get(f"/api/v1/challenges/{challenge_id}/ranking", headers=token)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert response.status_code == 200 and len(response.get_json()["entries"]) == entries
        return len(statements)

    assert count(3) == count(10)

"""A request that fails midway stores nothing: each write below is one transaction, and a fault
after its first writes (forced to the database with a flush, then an exception) leaves every
table exactly as it was. The same request then succeeds: no lock or session was left behind."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from app.core import audit
from app.extensions import db
from tests.conftest import api_token, bearer
from tests.security.fuzz_world import FuzzWorld, all_rows

API = "/api/v1"


class InjectedFault(RuntimeError):
    pass


def failing_after(real: Callable[..., Any]) -> Callable[..., Any]:
    """``real`` that does its own write, pushes every pending write of the transaction to the
    database, then fails."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        db.session.flush()
        raise InjectedFault("the fault this test injects")

    return fail


def give_award(app: Any, world: FuzzWorld) -> None:
    """An award already there, so that replacing the list deletes a row before inserting one."""
    from app.accounts.models import User
    from app.challenges.models import Challenge
    from app.results.awards import replace_awards

    with app.app_context():
        organiser = db.session.query(User).filter_by(email=world.organiser).one()
        replace_awards(db.session.get(Challenge, world.judging_challenge), organiser,
                       [{"idea_id": world.judged_idea, "name": "Jury mention"}])


# name -> (who, method, path, body, what to break, how to check the retry succeeded)
WRITES: dict[str, tuple[str, str, Callable[[FuzzWorld], str], Any, tuple[Any, str], int]] = {
    # Status, audit row and first receipt written; the fault strikes while mailing the team.
    "idea submission": ("participant", "post", lambda w: f"/ideas/{w.open_idea}/submit", None,
                        ("app.submissions.services", "queue_mail_to_user"), 200),
    # Old award deleted and new one inserted; the fault strikes while auditing the change.
    "award replacement": ("organiser", "put", lambda w: f"/challenges/{w.judging_challenge}/awards",
                          lambda w: {"awards": [{"idea_id": w.judged_idea, "name": "First prize"}]},
                          (audit, "record"), 200),
    # Snapshot, status and every result mail written; the fault strikes while auditing it.
    "publication": ("organiser", "post", lambda w: f"/challenges/{w.judging_challenge}/publish-results", None,
                    (audit, "record"), 200),
    # Project, contacts and follows written; the fault strikes while auditing the promotion.
    "project promotion": ("publisher", "post", lambda w: f"/ideas/{w.unpromoted_idea}/promote", None,
                          (audit, "record"), 201),
}


@pytest.mark.parametrize("name", WRITES)
def test_a_write_failing_midway_leaves_nothing(app, world, monkeypatch, name):
    who, method, path, body, (target, attribute), success = WRITES[name]
    if name == "award replacement":
        give_award(app, world)
    client = app.test_client()
    headers = bearer(api_token(client, getattr(world, who)))
    assert client.get(f"{API}/me", headers=headers).status_code == 200  # its first use is recorded now
    if isinstance(target, str):
        import importlib

        target = importlib.import_module(target)
    send = getattr(client, method)
    payload = body(world) if callable(body) else body
    with app.app_context():
        before = all_rows()

    monkeypatch.setattr(target, attribute, failing_after(getattr(target, attribute)))
    failed = send(API + path(world), json=payload, headers=headers)
    assert failed.status_code == 500
    assert failed.get_json()["error"]["code"] == "internal_error"
    with app.app_context():
        after = all_rows()
    assert after == before, {t: (before[t], after[t]) for t in before if before[t] != after[t]}

    monkeypatch.undo()
    retried = send(API + path(world), json=payload, headers=headers)
    assert retried.status_code == success, retried.get_json()
    with app.app_context():
        assert all_rows() != before

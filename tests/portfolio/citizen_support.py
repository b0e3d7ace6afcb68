"""Projects, people and requests for the citizens' tests (follows, comments, moderation, digests,
assessments). Rows are inserted directly; every helper needs an app context."""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event as sa_event

from app.core import clock
from app.extensions import db
from app.portfolio import rules
from app.portfolio.events import record_event
from app.portfolio.models import Follow, PortfolioProject, ProjectComment
from tests.conftest import api_token, bearer, make_user

_numbers = itertools.count(1)


def project(title: str = "Heart failure at home", *, stage: str = "pilot", **fields: Any) -> PortfolioProject:
    settle()
    now = clock.now()
    row = PortfolioProject(reference=rules.reference(now.year, next(_numbers)), title=title, stage=stage,
                           summary=fields.pop("summary", "Nurses follow patients at home."), created_at=now,
                           updated_at=now, **fields)
    row.search_text = rules.search_text(row.title, row.summary)
    db.session.add(row)
    db.session.commit()
    return row


def person(name: str, *, locale: str = "en", confirmed: bool = True, admin: bool = False):
    email = f"{name.lower().replace(' ', '.')}@example.org"
    settle()
    return make_user(email, name=name, locale=locale, confirmed=confirmed, admin=admin)


def follows(row: PortfolioProject, *users: Any, mark: int = 0) -> None:
    settle()
    for user in users:
        db.session.add(Follow(project_id=row.id, user_id=user.id, notified_event_id=mark, created_at=clock.now()))
    db.session.commit()


def event(row: PortfolioProject, kind: str, **summary: Any) -> int:
    made = record_event(row, kind, **summary)
    db.session.commit()
    return made.id


def comment(row: PortfolioProject, author: Any, body: str = "A comment", **fields: Any) -> ProjectComment:
    settle()
    made = ProjectComment(project_id=row.id, author_id=author.id if author else None, body=body,
                          created_at=fields.pop("created_at", clock.now()), **fields)
    db.session.add(made)
    db.session.commit()
    return made


def headers_for(client, user: Any) -> dict[str, str]:
    return bearer(api_token(client, user.email))


def error_of(response) -> tuple[int, str]:
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return response.status_code, body["error"]["code"]


@contextmanager
def counting_queries():
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", listen)


def settle() -> None:
    """End the test's own read transaction: requests wrote in their sessions, and SQLite refuses a
    write from a snapshot older than theirs."""
    db.session.commit()


def unconfirm(user: Any) -> None:
    settle()
    user.confirmed_at = None
    db.session.commit()


def sign_out(client) -> None:
    from tests.conftest import csrf_from

    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code in (302, 303)

"""People and projects for the lifecycle tests, written directly (no services; needs an app context).

``lifecycle_world()`` gives a project promoted from a published challenge, with an administrator,
an organiser of that challenge (both editors), a participant, and the organiser of another
challenge (neither may edit)."""
from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from app.core import clock
from app.extensions import db
from app.portfolio import rules
from app.portfolio.models import PortfolioProject, ProjectEvent
from tests.conftest import make_user
from tests.factories import make_challenge

_numbers = itertools.count(500)

# What an attacker may type into Markdown; none of it may reach a page or the API's html as markup.
XSS_PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
    "<svg onload=alert(1)><circle r=1/></svg>",
    '<iframe src="https://evil.example.org"></iframe>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<body onload=alert(1)>",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
LIVE_TAGS = ("<script", "<svg", "<iframe", "<style", "<body", "<math", "<object", "<embed")
_HANDLER = re.compile(r"<[a-z][^>]*\s(?:on[a-z]+|style)\s*=", re.IGNORECASE)
_BAD_URL = re.compile(r"""<[a-z][^>]*\s(?:href|src)\s*=\s*["']?\s*(?:javascript|data|vbscript):""", re.IGNORECASE)


def assert_no_live_markup(html: str) -> None:
    """Nothing in ``html`` can run or load: no dangerous element, no event handler, no script URL.
    Escaped text (``&lt;script&gt;``) is harmless and allowed."""
    lowered = html.lower()
    for tag in LIVE_TAGS:
        assert tag not in lowered, (tag, html)
    assert not _HANDLER.search(html), html
    assert not _BAD_URL.search(html), html


def make_project(*, title: str = "Heart failure at home", stage: str = "pilot", origin_challenge: Any = None,
                 **fields: Any) -> PortfolioProject:
    now = clock.now()
    project = PortfolioProject(reference=rules.reference(now.year, next(_numbers)), title=title, stage=stage,
                               summary="Nurses follow patients at home.", organisation="Spitalul Județean Iași",
                               origin_challenge_id=getattr(origin_challenge, "id", None), created_at=now,
                               updated_at=now, **fields)
    db.session.add(project)
    db.session.commit()
    return project


@dataclass
class World:
    project: PortfolioProject
    admin: Any
    organiser: Any
    participant: Any
    other_organiser: Any
    challenge: Any


def lifecycle_world(**project_fields: Any) -> World:
    admin = make_user("admin@example.org", name="Ada Admin", admin=True)
    organiser = make_user("olga@example.org", name="Olga Organiser")
    participant = make_user("paul@example.org", name="Paul Participant")
    other = make_user("otto@example.org", name="Otto Other")
    challenge = make_challenge(title="Smart Health City Iași 2026", status="published", organisers=[organiser],
                               deadline_in=dt.timedelta(days=-10), opens_in=dt.timedelta(days=-40))
    make_challenge(title="Another challenge", status="published", organisers=[other],
                   deadline_in=dt.timedelta(days=-10), opens_in=dt.timedelta(days=-40))
    project = make_project(origin_challenge=challenge, **project_fields)
    return World(project, admin, organiser, participant, other, challenge)


def events_of(project_id: int) -> list[tuple[str, dict[str, Any]]]:
    rows = db.session.query(ProjectEvent).filter_by(project_id=project_id).order_by(ProjectEvent.id).all()
    return [(row.kind, row.summary) for row in rows]


def count_queries(client: Any, path: str, **kwargs: Any) -> tuple[int, Any]:
    statements: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path, **kwargs)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements), response

"""The last second before the deadline, against a real server: 50 teams' members writing at once.

A threaded werkzeug server runs the test app in this process (so ``clock.set_now`` moves its
clock too) on the test database; requests go over real sockets from a thread pool, with API
tokens. Run on SQLite by default and on PostgreSQL with TEST_DATABASE_URL.

What must hold: none lost (every accepted edit is a revision, and the idea shows the last one),
none half-written (every stored version is exactly one request's content), every late request
refused with 409 submissions_closed and leaving nothing behind.
"""
from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.accounts.services import create_api_token
from app.core import clock
from app.submissions.models import Attachment, Idea, IdeaRevision
from tests.conftest import make_user
from tests.factories import make_challenge, make_idea, make_team
from tests.submissions.helpers import COMPLETE

pytestmark = pytest.mark.slow

TEAMS, MEMBERS = 10, 5
REQUEST_ID = "HTTP_X_TEST_REQUEST"


class ClockFlip:
    """WSGI middleware: once ``after`` requests have come in, the clock reaches the deadline.

    Requests that arrive later are certainly late; the earlier ones race the flip, as real
    last-second requests do.
    """

    def __init__(self, app, deadline):
        self.app, self.deadline = app, deadline
        self.lock = threading.Lock()
        self.after: int | None = None
        self.seen = 0
        self.late: set[str] = set()

    def arm(self, after: int) -> None:
        with self.lock:
            self.after, self.seen, self.late = after, 0, set()

    def __call__(self, environ, start_response):
        with self.lock:
            if self.after is not None:
                self.seen += 1
                if self.seen > self.after:
                    clock.set_now(self.deadline)
                    self.late.add(environ.get(REQUEST_ID, ""))
        return self.app(environ, start_response)


@pytest.fixture
def server(app):
    holder = {}

    def start(deadline):
        flip = ClockFlip(app.wsgi_app, deadline)
        original = app.wsgi_app
        app.wsgi_app = flip
        srv = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        holder.update(srv=srv, thread=thread, original=original)
        return srv.server_port, flip

    yield start
    if holder:
        holder["srv"].shutdown()
        holder["thread"].join(timeout=30)
        app.wsgi_app = holder["original"]


def call(port, method, path, token, body=None, request_id=""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "X-Test-Request": request_id}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, "/api/v1" + path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
    finally:
        connection.close()
    return response.status, (json.loads(payload) if payload else None)


def fire(port, requests):
    """Send every request at the same instant; answers in the same order."""
    barrier = threading.Barrier(len(requests))

    def one(request):
        barrier.wait()
        return call(port, *request)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(one, requests))


def edit(team, member_index, token, phase):
    marker = f"{phase}-{team.id}-{member_index}-{uuid.uuid4().hex[:8]}"
    body = {**COMPLETE, "track_id": team.track_id, "title": f"Title {marker}", "solution": f"Solution {marker}",
            "problem": f"Problem {marker}"}
    return ("PUT", f"/teams/{team.id}/idea", token, body, marker), marker


def stored_state(db):
    db.session.rollback()
    db.session.expire_all()
    ideas = {i.id: (i.status, i.version, i.content(), i.submitted_at) for i in db.session.scalars(select(Idea))}
    revisions = {(r.idea_id, r.version): r.content for r in db.session.scalars(select(IdeaRevision))}
    attachments = db.session.query(Attachment).count()
    return ideas, revisions, attachments


def assert_whole(ideas, revisions, accepted_markers, refused_markers):
    """Every idea shows its newest revision; every revision is one request, whole."""
    by_idea = {}
    for (idea_id, version), content in revisions.items():
        by_idea.setdefault(idea_id, {})[version] = content
    for idea_id, (status, version, content, _submitted) in ideas.items():
        versions = by_idea[idea_id]
        assert sorted(versions) == list(range(1, version + 1)), "a version was lost or doubled"
        assert versions[version] == content, "the idea is not its newest revision"
        for revision in versions.values():
            marker = revision["title"].removeprefix("Title ")
            if marker.startswith(("in-time", "race", "late")):
                assert revision["solution"] == f"Solution {marker}" and revision["problem"] == f"Problem {marker}"
    stored = {r["title"].removeprefix("Title ") for r in revisions.values()}
    assert accepted_markers <= stored, "an accepted edit was lost"
    assert not (refused_markers & stored), "a refused edit left something behind"


def test_fifty_writes_in_the_last_second(app, db, frozen_clock, server):
    challenge = make_challenge(deadline_in=dt.timedelta(hours=1))
    deadline = challenge.submission_deadline
    teams, tokens = [], {}
    for t in range(TEAMS):
        members = [make_user(f"t{t}m{m}@example.org", name=f"Member {t}.{m}") for m in range(MEMBERS)]
        team = make_team(challenge, *members, name=f"Team {t}")
        idea = make_idea(team)
        revision = IdeaRevision(idea_id=idea.id, version=1, status="draft", content=idea.content(),
                                author_id=members[0].id)
        db.session.add(revision)
        for m, member in enumerate(members):
            raw, token = create_api_token(member)
            token.last_used_at = clock.now() + dt.timedelta(hours=2)  # no bookkeeping write during the race
            tokens[(team.id, m)] = raw
        db.session.commit()
        teams.append(SimpleNamespace(id=team.id, idea_id=idea.id, track_id=idea.track_id))
    port, flip = server(deadline)

    # 1. One second before the deadline: 30 edits and 20 submissions at once, all accepted.
    frozen_clock.set(deadline - dt.timedelta(seconds=1))
    requests, accepted = [], set()
    for team in teams:
        for m in range(MEMBERS):
            if m < 2:
                requests.append(("POST", f"/ideas/{team.idea_id}/submit", tokens[(team.id, m)], None, ""))
            else:
                request, marker = edit(team, m, tokens[(team.id, m)], "in-time")
                requests.append(request)
                accepted.add(marker)
    answers = fire(port, requests)
    assert [status for status, _ in answers] == [200] * len(requests), answers
    ideas, revisions, _ = stored_state(db)
    assert all(status == "submitted" and version == 1 + (MEMBERS - 2) for status, version, _c, _s in ideas.values())
    assert_whole(ideas, revisions, accepted, set())

    # 2. The deadline passes while 50 edits are in flight: the last 25 in are certainly late.
    frozen_clock.set(deadline - dt.timedelta(milliseconds=1))
    flip.arm(after=25)
    requests, markers = [], []
    for team in teams:
        for m in range(MEMBERS):
            request, marker = edit(team, m, tokens[(team.id, m)], "race")
            requests.append(request)
            markers.append(marker)
    answers = fire(port, requests)
    late = flip.late
    flip.arm(after=None)
    assert len(late) == 25
    raced_in, raced_out = set(), set()
    for marker, (status, body) in zip(markers, answers):
        if marker in late:
            assert (status, body["error"]["code"]) == (409, "submissions_closed"), (marker, status, body)
        else:
            assert status == 200 or (status, body["error"]["code"]) == (409, "submissions_closed"), (status, body)
        (raced_in if status == 200 else raced_out).add(marker)
    ideas, revisions, attachments = stored_state(db)
    assert_whole(ideas, revisions, accepted | raced_in, raced_out)
    assert clock.now() == deadline

    # 3. At the deadline: 50 more writes of every kind, all refused, nothing changed.
    before = stored_state(db)
    requests, refused = [], set()
    for team in teams:
        version = ideas[team.idea_id][1]
        for m in range(MEMBERS):
            token = tokens[(team.id, m)]
            if m == 0:
                requests.append(("POST", f"/ideas/{team.idea_id}/submit", token, None, ""))
            elif m == 1:
                requests.append(("POST", f"/ideas/{team.idea_id}/withdraw", token, None, ""))
            else:
                request, marker = edit(team, m, token, "late")
                if m == 2:
                    request[3]["version"] = version
                requests.append(request)
                refused.add(marker)
    answers = fire(port, requests)
    assert {(status, body["error"]["code"]) for status, body in answers} == {(409, "submissions_closed")}
    after = stored_state(db)
    assert after == before
    assert_whole(after[0], after[1], accepted | raced_in, raced_out | refused)

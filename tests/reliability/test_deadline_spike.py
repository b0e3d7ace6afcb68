"""The busiest minute of a challenge, against the production server: 200 requests from 100 teams
in the last seconds before the deadline, and just after it.

gunicorn serves the app from worker processes of its own (``tests/reliability/server.py``), on the
test database (SQLite file or PostgreSQL). The deadline is set a few seconds ahead of the
server's clock, and three bursts go out over loopback at set times, each request on its own
connection, whether or not the previous burst has been answered yet:

1. in time (6 s before): every team edits its idea and 30 teams submit, all at the same moment;
2. on the deadline (0.15 s before): 15 submits and 15 edits race it;
3. after it (0.25 s after): 40 writes, edits of drafts and of submitted ideas, and submits.

Each answer is timed on the server's clock, so it can be judged: a request answered before the
deadline must have been accepted, one sent after it must be refused with 409 submissions_closed,
and one that straddles it may go either way, but then the database must agree with its answer.
Afterwards every accepted write is in the database (none lost), no refused one left a trace, and
the rows are consistent: one revision per version, nothing dated after the deadline, one receipt
per member and one audit entry per accepted submission.
"""
from __future__ import annotations

import datetime as dt
import secrets
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.accounts.services import create_api_token
from app.challenges.models import Challenge
from app.core import clock
from app.core.audit import AuditEvent
from app.core.outbox import OutboxMail
from app.submissions.models import Idea, IdeaRevision
from app.teams.models import Team, TeamMember
from app.teams.rules import team_name_key
from tests.conftest import DEFAULT_PASSWORD
from tests.factories import make_challenge
from tests.reliability.server import Answer, fire_together, wait_until
from tests.submissions.helpers import COMPLETE


TEAMS, MEMBERS = 100, 2
LEAD = dt.timedelta(seconds=6)  # the first burst leaves this long before the deadline
RACE_AHEAD = dt.timedelta(milliseconds=150)  # the second this long before it
LATE_BY = dt.timedelta(milliseconds=250)  # the third this long after it

# Who sends what. An edit that names the version it started from only goes to a team no other
# accepted edit can reach first, so a version conflict is never a legitimate answer here.
VERSIONED_EDITS = range(0, 60)  # in time, "version": 1; the other teams' edits send no version
IN_TIME_SUBMITS = range(0, 30)
RACE_SUBMITS, RACE_EDITS = range(60, 75), range(75, 90)
LATE_EDITS_OF_SUBMITTED, LATE_EDITS, LATE_SUBMITS = range(0, 10), range(30, 45), range(45, 60)


@dataclass
class Sent:
    team: SimpleNamespace
    kind: str  # "edit" or "submit"
    burst: str
    version: int | None = None
    answer: Answer | None = None

    @property
    def marker(self) -> str:
        return f"{self.burst}-{self.team.index:03d}"

    @property
    def accepted(self) -> bool:
        return self.answer.status == 200

    @property
    def refused(self) -> bool:
        return self.answer.status == 409 and self.answer.code == "submissions_closed"

    def request(self) -> dict:
        team = self.team
        if self.kind == "submit":
            return {"method": "POST", "path": f"/api/v1/ideas/{team.idea_id}/submit", "token": team.tokens[1]}
        body = {**COMPLETE, "track_id": team.track_id, "title": f"Title {self.marker}",
                "solution": f"Solution {self.marker}", "problem": f"Problem {self.marker}"}
        if self.version is not None:
            body["version"] = self.version
        return {"method": "PUT", "path": f"/api/v1/teams/{team.id}/idea", "token": team.tokens[0], "body": body}


def build_world(db) -> tuple[int, list[SimpleNamespace]]:
    """100 teams of two with a complete draft (version 1 and its revision) and a token each.

    Written in a few statements rather than row by row: the factories would take longer to
    build this than the spike takes to run."""
    challenge = make_challenge(deadline_in=dt.timedelta(hours=1))
    track_id, now = challenge.tracks[0].id, clock.now()
    password = hash_password(DEFAULT_PASSWORD)
    people = [[User(email=f"t{t}m{m}@example.org", email_key=f"t{t}m{m}@example.org", password_hash=password,
                    name=f"Member {t}.{m}", created_at=now, confirmed_at=now, privacy_accepted_at=now,
                    password_changed_at=now) for m in range(MEMBERS)] for t in range(TEAMS)]
    db.session.add_all(person for members in people for person in members)
    db.session.flush()
    teams = [Team(challenge_id=challenge.id, name=f"Team {t:03d}", name_key=team_name_key(f"Team {t:03d}"),
                  invite_code=secrets.token_urlsafe(8), created_at=now,
                  members=[TeamMember(user_id=person.id, challenge_id=challenge.id,
                                      role="captain" if m == 0 else "member", joined_at=now)
                           for m, person in enumerate(members)])
             for t, members in enumerate(people)]
    db.session.add_all(teams)
    db.session.flush()
    ideas = [Idea(team_id=team.id, challenge_id=challenge.id, track_id=track_id, status="draft", version=1,
                  links=[], created_at=now, updated_at=now, **COMPLETE) for team in teams]
    db.session.add_all(ideas)
    db.session.flush()
    db.session.add_all(IdeaRevision(idea_id=idea.id, version=1, status="draft", content=idea.content(),
                                    author_id=members[0].id, created_at=now) for idea, members in zip(ideas, people))
    db.session.commit()
    # Issued as the API issues them, never used yet: each first use in the spike is a write too.
    tokens = [[create_api_token(person)[0] for person in members] for members in people]
    return challenge.id, [SimpleNamespace(index=t, id=team.id, idea_id=idea.id, tokens=tokens[t], track_id=track_id)
                          for t, (team, idea) in enumerate(zip(teams, ideas))]


def plan(teams: list[SimpleNamespace]) -> dict[str, list[Sent]]:
    in_time = [Sent(team, "edit", "in-time", 1 if team.index in VERSIONED_EDITS else None) for team in teams]
    in_time += [Sent(teams[t], "submit", "in-time") for t in IN_TIME_SUBMITS]
    race = [Sent(teams[t], "submit", "race") for t in RACE_SUBMITS]
    race += [Sent(teams[t], "edit", "race") for t in RACE_EDITS]
    late = [Sent(teams[t], "edit", "late", 2) for t in LATE_EDITS_OF_SUBMITTED]
    late += [Sent(teams[t], "edit", "late") for t in LATE_EDITS]
    late += [Sent(teams[t], "submit", "late") for t in LATE_SUBMITS]
    return {"in-time": in_time, "race": race, "late": late}


def send_on_schedule(server, bursts: dict[str, tuple[dt.datetime, list[Sent]]]) -> None:
    """Each burst leaves at its time on the server's clock, while earlier ones may still be served."""
    def launch(at: dt.datetime, items: list[Sent]) -> None:
        wait_until(server, at)
        for item, answer in zip(items, fire_together(server, [item.request() for item in items])):
            item.answer = answer

    launchers = [threading.Thread(target=launch, args=burst, daemon=True) for burst in bursts.values()]
    for launcher in launchers:
        launcher.start()
    for launcher in launchers:
        launcher.join(timeout=90)


@pytest.mark.slow
@pytest.mark.spike
@pytest.mark.timeout(180)
def test_two_hundred_writes_across_the_deadline(app, db, frozen_clock, gunicorn_server):
    server = gunicorn_server
    started = time.monotonic()
    challenge_id, teams = build_world(db)
    built_in = time.monotonic() - started

    now = server.now()
    deadline = now.replace(microsecond=now.microsecond // 1000 * 1000) + LEAD + dt.timedelta(milliseconds=200)
    db.session.execute(update(Challenge).where(Challenge.id == challenge_id).values(submission_deadline=deadline))
    db.session.commit()
    bursts = plan(teams)
    sent = [item for items in bursts.values() for item in items]
    assert len(sent) == 200

    started = time.monotonic()
    send_on_schedule(server, {"in-time": (deadline - LEAD, bursts["in-time"]),
                              "race": (deadline - RACE_AHEAD, bursts["race"]),
                              "late": (deadline + LATE_BY, bursts["late"])})
    sent_in = time.monotonic() - started

    # Every request answered: no time-out, no broken connection, no 5xx.
    unanswered = [(s.kind, s.burst, s.answer and (s.answer.status, s.answer.error)) for s in sent
                  if s.answer is None or s.answer.status is None or s.answer.status >= 500]
    assert not unanswered, unanswered
    # Every answer is an acceptance or the deadline's refusal, never anything else.
    other = [(s.kind, s.burst, s.answer.status, s.answer.body) for s in sent if not (s.accepted or s.refused)]
    assert not other, other
    # The deadline decides, to the instant, on the server's clock.
    answered_before = [s for s in sent if s.answer.answered_at < deadline]
    assert all(s.accepted for s in answered_before), [s.answer for s in answered_before if not s.accepted]
    sent_after = [s for s in sent if s.answer.sent_at >= deadline]
    assert all(s.refused for s in sent_after), [s.answer for s in sent_after if not s.refused]
    assert all(s.answer.sent_at >= deadline for s in bursts["late"])

    lost = check_database(db, teams, sent, deadline)
    accepted, refused = sum(s.accepted for s in sent), sum(s.refused for s in sent)
    figures = {
        "database": db.engine.dialect.name, "sent": len(sent), "accepted": accepted, "refused": refused,
        "lost": lost, "straddling the deadline": len(sent) - len(answered_before) - len(sent_after),
        "by burst": dict(Counter((s.burst, s.kind, s.answer.status) for s in sent)),
        "latency median/max s": (round(statistics.median(s.answer.latency for s in sent), 3),
                                 round(max(s.answer.latency for s in sent), 3)),
        "last answer after the deadline s": round((max(s.answer.answered_at for s in sent) - deadline)
                                                  .total_seconds(), 2),
        "build s": round(built_in, 1), "sending s": round(sent_in, 1),
    }
    print("\ndeadline spike:", figures)
    assert lost == 0, figures
    # A machine so slow that almost nothing got in would prove little; the figures say how many did.
    assert accepted >= 20, figures
    assert not server.crashes(), server.crashes()


def check_database(db, teams: list[SimpleNamespace], sent: list[Sent], deadline: dt.datetime) -> int:
    """Compare every answer with the rows; return how many accepted writes are missing (lost)."""
    db.session.remove()
    ideas = {idea.id: idea for idea in db.session.scalars(select(Idea))}
    revisions: dict[int, dict[int, IdeaRevision]] = {}
    for revision in db.session.scalars(select(IdeaRevision)):
        revisions.setdefault(revision.idea_id, {})[revision.version] = revision
    lost = 0
    by_team: dict[int, list[Sent]] = {}
    for s in sent:
        by_team.setdefault(s.team.index, []).append(s)
    for team in teams:
        idea, mine = ideas[team.idea_id], by_team.get(team.index, [])
        stored = revisions[idea.id]
        titles = {r.content["title"] for r in stored.values()}
        accepted_edits = sorted((s for s in mine if s.kind == "edit" and s.accepted),
                                key=lambda s: s.answer.body["version"])
        for s in accepted_edits:
            revision = stored.get(s.answer.body["version"])
            if revision is None or revision.content["title"] != f"Title {s.marker}":
                lost += 1
                continue
            # Whole: every field of the revision is this one request's.
            assert (revision.content["solution"], revision.content["problem"]) == \
                (f"Solution {s.marker}", f"Problem {s.marker}")
        # One revision per version, no gap, no double; the idea is its newest revision.
        assert sorted(stored) == list(range(1, idea.version + 1)), (team.index, sorted(stored), idea.version)
        assert [s.answer.body["version"] for s in accepted_edits] == list(range(2, idea.version + 1)), team.index
        assert stored[idea.version].content == idea.content()
        for s in mine:
            if s.kind == "edit" and s.refused:
                assert f"Title {s.marker}" not in titles, f"a refused edit was stored: {s.marker}"
        accepted_submits = [s for s in mine if s.kind == "submit" and s.accepted]
        if accepted_submits:
            if idea.status != "submitted":
                lost += 1
                continue
            assert idea.submitted_at == dt.datetime.fromisoformat(accepted_submits[0].answer.body["submitted_at"])
        else:
            assert (idea.status, idea.submitted_at) == ("draft", None), team.index
    # Nothing dated at or after the deadline: an accepted write carries the instant it was judged.
    late_rows = [("idea", i.id, i.submitted_at, i.updated_at) for i in ideas.values()
                 if (i.submitted_at is not None and i.submitted_at >= deadline) or i.updated_at >= deadline]
    late_rows += [("revision", r.idea_id, r.version, r.created_at) for per_idea in revisions.values()
                  for r in per_idea.values() if r.created_at >= deadline]
    assert not late_rows, (deadline, late_rows)
    # One receipt per member and one audit entry for each accepted submission, none for the others.
    submitted = sum(1 for s in sent if s.kind == "submit" and s.accepted)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "idea.submitted")) == submitted
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)
                             .where(OutboxMail.kind == "idea_submitted")) == submitted * MEMBERS
    return lost


@pytest.mark.parametrize("write", ["edit", "submit"])
def test_a_write_judged_in_time_is_dated_in_time(db, frozen_clock, monkeypatch, write):
    """The clock moves on while a request works; the write carries the instant it was judged at,
    so a submission accepted in the last millisecond never looks late."""
    from app.submissions import services
    from tests.conftest import make_user
    from tests.factories import make_idea, make_team

    challenge = make_challenge(deadline_in=dt.timedelta(hours=1))
    deadline = challenge.submission_deadline
    member = make_user("last@example.org", name="Last Minute")
    team = make_team(challenge, member)
    idea = make_idea(team)
    idea_id = idea.id
    instants = iter([deadline - dt.timedelta(milliseconds=1)])
    monkeypatch.setattr(clock, "now", lambda: next(instants, deadline + dt.timedelta(seconds=1)))
    if write == "edit":
        services.save_idea(team, member, {"title": "Sent at the last moment"}, version=1)
    else:
        services.submit_idea(idea, member)
    monkeypatch.undo()
    db.session.remove()
    stored = db.session.get(Idea, idea_id)
    stamps = [stored.updated_at] + ([stored.submitted_at] if write == "submit" else [])
    stamps += [r.created_at for r in db.session.scalars(select(IdeaRevision).where(IdeaRevision.idea_id == idea_id))]
    assert stamps and all(stamp < deadline for stamp in stamps), (deadline, stamps)

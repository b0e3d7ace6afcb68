"""The audit log page: what each action leaves in the trail, how organisers read and filter it,
its CSV, that it cannot be changed, and who may see it."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event, func, select

from app.accounts.personal_data import erase_account
from app.challenges import services as challenge_services
from app.core import audit
from app.core.audit import AuditEvent
from app.extensions import db as database
from app.judging import jury, reviews
from tests.conftest import login, make_user
from tests.factories import make_challenge, make_idea, make_juror, make_team


@dataclass
class Trail:
    challenge: Any
    organiser: Any
    juror: Any
    idea: Any
    criteria: list[Any]


def lived_challenge(db, frozen_clock) -> Trail:
    """A challenge taken through its life by the real services: opened, judged, an entry assigned,
    scored then rescored; then an award change and a publication, written as their services do."""
    organiser = make_user("olga@example.org", name="Olga Organiser")
    juror = make_user("jana@example.org", name="Jana Juror")
    challenge = make_challenge(title="Heart at home", status="draft", organisers=[organiser],
                               opens_in=dt.timedelta(hours=1), deadline_in=dt.timedelta(days=2))
    challenge_services.open_challenge(challenge, organiser)
    team = make_team(challenge, make_user("ana@example.org", name="Ana Alpha"), name="Team Alpha")
    idea = make_idea(team, status="submitted", title="Idea Alpha")
    make_juror(challenge, juror)
    frozen_clock.advance(days=3)
    challenge_services.start_judging(challenge, organiser)
    frozen_clock.advance(minutes=1)
    jury.add_assignment(challenge, organiser, idea.id, juror.id)
    relevance, feasibility = challenge.criteria
    frozen_clock.advance(minutes=1)
    reviews.save_review(idea.id, juror, {relevance.id: 3, feasibility.id: 4}, comment="Good.")
    frozen_clock.advance(minutes=1)
    reviews.save_review(idea.id, juror, {relevance.id: 5, feasibility.id: 4}, comment="Better after the call.")
    frozen_clock.advance(minutes=1)
    audit.record("awards.changed", actor=organiser, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id,
                 before=[], after=[{"idea_id": idea.id, "name": "First prize", "amount": "5000.00"}])
    frozen_clock.advance(minutes=1)
    audit.record("results.published", actor=organiser, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, visibility="full", digest="ab" * 32)
    database.session.commit()
    return Trail(challenge, organiser, juror, idea, [relevance, feasibility])


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def events_in(page: str) -> list[str]:
    """The "What" cell of each row, in page order."""
    return re.findall(r"<td data-label=\"What\">([^<]*)", page)


def test_every_recorded_action_appears_newest_first_with_who_when_and_what(app, db, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    response = signed_in(app, trail.organiser.email).get(f"/challenges/{trail.challenge.id}/audit")
    assert response.status_code == 200
    page = text(response)
    assert page.count("<h1") == 1 and "Audit log" in page
    assert events_in(page) == ["Results published", "Awards changed", "Scores changed after the first save",
                               "Entry assigned to a juror", "Judging started", "Challenge opened to participants"]
    assert page.count("Olga Organiser") >= 5 and "Jana Juror" in page
    assert "Nov 23, 2026, 12:05 (Europe/Bucharest)" in page


def test_a_score_change_shows_the_criteria_before_and_after(app, db, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    page = text(signed_in(app, trail.organiser.email).get(f"/challenges/{trail.challenge.id}/audit?kind=score"))
    assert events_in(page) == ["Scores changed after the first save"]
    change = page[page.index('<table class="audit-change">'):]
    change = change[:change.index("</table>")]
    before, after = re.findall(r'<td data-label="(?:Before|After)">(.*?)</td>', change, re.S)
    assert before == "Relevance: 3<br>Feasibility: 4" and after == "Relevance: 5<br>Feasibility: 4"
    assert "Entry</dt><dd>Idea Alpha" in page  # the idea by its title, not its id


def test_an_award_change_and_a_publication_are_readable(app, db, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    client = signed_in(app, trail.organiser.email)
    awards = text(client.get(f"/challenges/{trail.challenge.id}/audit?kind=awards"))
    assert events_in(awards) == ["Awards changed"]
    assert '<td data-label="Before">—</td>' in awards and "Entry: Idea Alpha; Name: First prize; Amount: 5000.00" in awards
    published = text(client.get(f"/challenges/{trail.challenge.id}/audit?kind=results"))
    assert events_in(published) == ["Results published"] and "The whole ranking" in published


def test_the_filter_lists_only_kinds_present_and_ignores_anything_else(app, db, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    client = signed_in(app, trail.organiser.email)
    base = f"/challenges/{trail.challenge.id}/audit"
    page = text(client.get(base))
    select_box = page[page.index('id="filter-kind"'):]
    options = re.findall(r'<option value="(\w*)"', select_box[:select_box.index("</select>")])
    assert options == ["", "assignment", "awards", "challenge", "results", "score"]
    assert events_in(text(client.get(base + "?kind=challenge"))) == ["Judging started",
                                                                     "Challenge opened to participants"]
    for kind in ("nothing", "challenge' OR 1=1 --", "%", "score.changed", "x" * 500):
        response = client.get(base, query_string={"kind": kind})
        assert response.status_code == 200
        assert len(events_in(text(response))) == 6, kind
        assert "so every event is shown" in text(response)
    known_but_absent = text(client.get(base + "?kind=announcement"))
    assert events_in(known_but_absent) == [] and "No event of this kind yet." in known_but_absent


def test_pages_hold_50_events_newest_first(app, db, frozen_clock):
    organiser = make_user("olga@example.org", name="Olga Organiser")
    challenge = make_challenge(title="Busy", status="open", organisers=[organiser])
    for n in range(120):
        frozen_clock.advance(seconds=1)
        audit.record("team.created", actor=organiser, subject_type="team", subject_id=None,
                     challenge_id=challenge.id, name=f"Team {n:03d}")
    database.session.commit()
    client = signed_in(app, organiser.email)
    base = f"/challenges/{challenge.id}/audit"
    first = text(client.get(base))
    assert len(events_in(first)) == 50 and "120 events." in first and "Page 1 of 3." in first
    assert first.index("Team 119") < first.index("Team 070") and "Team 069" not in first
    assert f'href="{base}?page=2"' in first and "Newer events" not in first
    last = text(client.get(base + "?page=3"))
    assert len(events_in(last)) == 20 and "Team 000" in last and "Older events" not in last
    for odd in ("0", "-1", "abc", "99999999999999999999"):
        assert client.get(base, query_string={"page": odd}).status_code == 200
    beyond = text(client.get(base + "?page=9"))
    assert "This page is past the last event." in beyond


def test_the_actor_reads_deleted_user_or_system(app, db, frozen_clock):
    organiser = make_user("olga@example.org", name="Olga Organiser")
    helper = make_user("helper@example.org", name="Helga Helper")
    challenge = make_challenge(title="Names", status="open", organisers=[organiser])
    audit.record("challenge.updated", actor=helper, subject_type="challenge", subject_id=challenge.id,
                 challenge_id=challenge.id, fields=["title"])
    audit.record("team.deadline_exception_granted", actor=None, subject_type="team", subject_id=None,
                 challenge_id=challenge.id, new_deadline=dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone.utc))
    database.session.commit()
    erase_account(helper)
    page = text(signed_in(app, organiser.email).get(f"/challenges/{challenge.id}/audit"))
    assert "Helga" not in page and "deleted user" in page and ">System<" in page
    assert "Dec 1, 2026, 12:00 (Europe/Bucharest)" in page  # the deadline in the reader's zone


def test_an_unknown_action_falls_back_to_its_code(app, db, frozen_clock):
    organiser = make_user("olga@example.org", name="Olga Organiser")
    challenge = make_challenge(title="Future", status="open", organisers=[organiser])
    audit.record("portfolio.promoted", actor=organiser, subject_type="idea", subject_id=None,
                 challenge_id=challenge.id, stage_name="Pilot", nested={"a": [1, 2]})
    database.session.commit()
    page = text(signed_in(app, organiser.email).get(f"/challenges/{challenge.id}/audit"))
    assert events_in(page) == ["portfolio.promoted"]
    assert "Stage name</dt><dd>Pilot" in page and "Nested</dt><dd>A: 1, 2" in page


def test_the_log_downloads_as_csv_with_safe_cells(app, db, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    database.session.rollback()
    trail.juror.name = "=HYPERLINK(\"http://evil\")"
    database.session.commit()
    response = signed_in(app, trail.organiser.email).get(f"/challenges/{trail.challenge.id}/audit.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text(response).lstrip("\ufeff"))))
    assert rows[0][:5] == ["When (UTC)", "Who", "Person id", "What", "Action"]
    assert [row[4] for row in rows[1:]] == ["results.published", "awards.changed", "score.changed",
                                            "assignment.added", "challenge.judging_started", "challenge.opened"]
    score = rows[3]
    assert score[1].startswith("'=HYPERLINK") and '"old"' in score[7]
    filtered = signed_in(app, trail.organiser.email).get(f"/challenges/{trail.challenge.id}/audit.csv?kind=score")
    assert len(list(csv.reader(io.StringIO(text(filtered).lstrip("\ufeff"))))) == 2


def test_audit_rows_refuse_updates(db):
    entry = audit.record("challenge.opened", actor=None, subject_type="challenge", subject_id=1, challenge_id=1)
    database.session.commit()
    entry.action = "challenge.closed"
    with pytest.raises(RuntimeError, match="append-only"):
        database.session.commit()
    database.session.rollback()
    assert database.session.scalar(select(AuditEvent.action)) == "challenge.opened"


def test_no_route_writes_on_the_audit_path(app, db, frozen_clock):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, (rule.rule, rule.methods)
    trail = lived_challenge(db, frozen_clock)
    client = signed_in(app, trail.organiser.email)
    base = f"/challenges/{trail.challenge.id}/audit"
    for method in ("post", "put", "patch", "delete"):
        for path in (base, base + ".csv", f"{base}/1", f"/api/v1{base}"):
            response = getattr(client, method)(path)
            assert response.status_code in (404, 405), (method, path, response.status_code)
    database.session.rollback()
    assert database.session.scalar(select(func.count()).select_from(AuditEvent)) == 6


def test_only_the_challenges_organisers_read_the_log(app, db, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    other_owner = make_user("other.owner@example.org", name="Other Owner")
    make_challenge(title="Another", status="open", organisers=[other_owner])
    draft = make_challenge(title="Hidden draft", status="draft", organisers=[other_owner])
    admin = make_user("root@example.org", name="Ada Admin", admin=True)
    base = f"/challenges/{trail.challenge.id}/audit"
    anonymous = app.test_client()
    for path in (base, base + ".csv"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for email in ("ana@example.org", trail.juror.email, other_owner.email):
        client = signed_in(app, email)
        assert client.get(base).status_code == 403, email
        assert client.get(base + ".csv").status_code == 403, email
    organiser = signed_in(app, trail.organiser.email)
    assert organiser.get(f"/challenges/{draft.id}/audit").status_code == 404
    assert organiser.get(f"/challenges/{2**40}/audit").status_code == 404
    assert signed_in(app, admin.email).get(base).status_code == 200


def count_get(app, email, path):
    client = signed_in(app, email)
    statements = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def test_the_page_takes_the_same_number_of_queries_for_2_or_10_events(app, db, frozen_clock):
    counts = []
    for size in (2, 10):
        database.session.rollback()
        organiser = make_user(f"olga{size}@example.org", name="Olga")
        challenge = make_challenge(title=f"Size {size}", status="judging", organisers=[organiser])
        for n in range(size):
            person = make_user(f"p{size}-{n}@example.org", name=f"Person {n}")
            team = make_team(challenge, person, name=f"Team {n}")
            idea = make_idea(team, status="submitted", title=f"Idea {n}")
            audit.record("assignment.added", actor=person, subject_type="idea", subject_id=idea.id,
                         challenge_id=challenge.id, juror_id=person.id, round=1)
            audit.record("score.changed", actor=person, subject_type="review", subject_id=n,
                         challenge_id=challenge.id, idea_id=idea.id,
                         old={str(challenge.criteria[0].id): 1}, new={str(challenge.criteria[0].id): 2})
            audit.record("team.member_joined", actor=person, subject_type="team", subject_id=team.id,
                         challenge_id=challenge.id, user_id=person.id)
        database.session.commit()
        counts.append(count_get(app, organiser.email, f"/challenges/{challenge.id}/audit"))
        counts.append(count_get(app, organiser.email, f"/challenges/{challenge.id}/audit?kind=score"))
    assert counts[:2] == counts[2:], counts


def test_the_log_reads_in_the_organisers_language(app, db, frozen_clock):
    trail = lived_challenge(db, frozen_clock)
    trail.organiser.locale = "ro"
    database.session.commit()
    page = text(signed_in(app, trail.organiser.email).get(f"/challenges/{trail.challenge.id}/audit"))
    assert "Istoricul modificărilor" in page and "Punctaje modificate după prima salvare" in page
    assert "Întregul clasament" in page and ">Înainte<" in page

"""Followers' digests: one mail per follower covering every project they follow, in their language,
through the outbox; sent once however often the run repeats; a constant number of queries."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.outbox import OutboxMail
from app.extensions import db as database
from app.portfolio import citizens
from app.portfolio.citizen_rules import project_news
from app.portfolio.digests import send_digests
from app.portfolio.events import record_event
from app.portfolio.models import Follow, PortfolioProject, ProjectEvent
from tests.conftest import flush_outbox
from tests.portfolio.citizen_support import counting_queries, event, follows, person, project, settle


def marks(*users) -> dict[tuple[int, int], int]:
    settle()
    return {(f.project_id, f.user_id): f.notified_event_id for f in database.session.scalars(
        select(Follow).where(Follow.user_id.in_([u.id for u in users])))}


def outbox() -> list[OutboxMail]:
    settle()
    return list(database.session.scalars(select(OutboxMail).where(OutboxMail.kind == "project_digest")
                                         .order_by(OutboxMail.id)))


def lively_world():
    heart, copou, quiet = project("Heart failure at home"), project("Diabetes screening in Copou"), project("Quiet")
    ana, bogdan, carla = person("Ana Pop"), person("Bogdan Ion", locale="ro"), person("Carla Rossi", locale="it")
    follows(heart, ana, bogdan)
    follows(copou, ana)
    follows(quiet, carla)
    event(heart, "stage", **{"from": "incubation", "to": "pilot", "reason": ""})
    event(heart, "progress", **{"from": 0, "to": 25})
    event(heart, "progress", **{"from": 25, "to": 50})
    event(heart, "milestone", title="First 20 patients", done=True, milestone_id=1)
    event(copou, "update", title="Twelve pharmacies joined", update_id=7)
    event(copou, "progress", indicator="Adults screened", indicator_id=3, value=1200.0, unit="people",
          current=1200.0, previous=800.0, target=5000.0, recorded_on="2026-11-20")
    return heart, copou, quiet, ana, bogdan, carla


def test_each_follower_gets_one_mail_once_however_often_it_runs(app, db, mailbox):
    heart, copou, quiet, ana, bogdan, carla = lively_world()
    assert send_digests() == 2
    flush_outbox(app)
    assert send_digests() == 0
    flush_outbox(app)
    assert len(mailbox.to(ana.email)) == 1 and len(mailbox.to(bogdan.email)) == 1
    assert mailbox.to(carla.email) == [] and len(mailbox.messages) == 2

    (mail,) = mailbox.to(ana.email)
    text = mailbox.text(mail)
    assert mail["Subject"] == "News from 2 projects you follow"
    assert "Hello Ana Pop," in text
    assert "Heart failure at home" in text and "Diabetes screening in Copou" in text
    assert "- Stage changed from Incubation to Pilot." in text
    assert "- Progress: from 0% to 50% of milestones done." in text  # two changes read as one
    assert "25%" not in text
    assert "- Milestone reached: First 20 patients" in text
    assert "- New update: Twelve pharmacies joined" in text
    assert "- Adults screened: now 1,200 people (target 5,000 people)." in text
    assert f"http://salus.test/portfolio/{heart.id}" in text and f"http://salus.test/portfolio/{copou.id}" in text
    assert text.index("Heart failure at home") < text.index("Stage changed") < text.index("Diabetes screening")
    html = mail.get_body(("html",)).get_content()
    assert f'<a href="http://salus.test/portfolio/{heart.id}">Heart failure at home</a>' in html
    assert "<li>Milestone reached: First 20 patients</li>" in html

    (mail,) = mailbox.to(bogdan.email)
    text = mailbox.text(mail)
    assert "Heart failure at home" in text and "Diabetes screening" not in text
    assert mail["Subject"] != "News from 1 project you follow"  # Romanian
    assert "Hello" not in text


def test_watermarks_move_with_the_mail_and_later_news_come_next_time(app, db, mailbox):
    heart, copou, quiet, ana, bogdan, carla = lively_world()
    send_digests()
    first = marks(ana, bogdan)
    assert first[(heart.id, ana.id)] == first[(heart.id, bogdan.id)] > 0
    assert first[(copou.id, ana.id)] > first[(heart.id, ana.id)]
    newest = event(heart, "update", title="Second ward", update_id=9)
    assert send_digests() == 2
    assert marks(ana)[(heart.id, ana.id)] == newest
    assert marks(ana)[(copou.id, ana.id)] == first[(copou.id, ana.id)]
    flush_outbox(app)
    texts = [mailbox.text(m) for m in mailbox.to(ana.email)]
    assert len(texts) == 2
    assert "Second ward" in texts[1] and "Stage changed" not in texts[1] and "Copou" not in texts[1]


def test_a_new_follower_is_not_mailed_old_news(app, db, mailbox):
    heart = project()
    event(heart, "update", title="Long ago", update_id=1)
    dan = person("Dan Mihai")
    assert citizens.follow(heart, dan)
    assert send_digests() == 0
    event(heart, "update", title="Fresh", update_id=2)
    assert send_digests() == 1
    flush_outbox(app)
    (mail,) = mailbox.to(dan.email)
    assert "Fresh" in mailbox.text(mail) and "Long ago" not in mailbox.text(mail)


def test_news_that_add_up_to_nothing_send_nothing_but_are_consumed(db):
    heart = project()
    ana = person("Ana Pop")
    follows(heart, ana)
    event(heart, "progress", **{"from": 50, "to": 75})
    last = event(heart, "progress", **{"from": 75, "to": 50})
    assert send_digests() == 0
    assert marks(ana)[(heart.id, ana.id)] == last
    assert outbox() == []


def test_erased_accounts_get_nothing(db, client):
    heart = project()
    ana, bogdan = person("Ana Pop"), person("Bogdan Ion")
    follows(heart, ana, bogdan)
    event(heart, "update", title="News", update_id=1)
    from app.accounts.personal_data import erase_account

    erase_account(bogdan)
    assert send_digests() == 1
    assert [m.to_address for m in outbox()] == [ana.email]


def test_a_run_reads_in_a_fixed_number_of_queries(db):
    counts = []
    for n in (2, 10):
        projects = [project(f"Project {n}-{i}") for i in range(3)]
        people = [person(f"Follower {n} {i}") for i in range(n)]
        for index, row in enumerate(projects):
            follows(row, *people[index % 2::1])
            event(row, "update", title=f"News {index}", update_id=index)
            event(row, "progress", **{"from": 0, "to": 10})
        settle()
        with counting_queries() as statements:
            sent = send_digests()
        assert sent == n
        counts.append(len(statements))
    print(f"digest run statements: {counts[0]} for 2 followers, {counts[1]} for 10")
    assert counts[0] == counts[1], counts


def test_the_command_and_the_worker_send_digests(app, db, mailbox):
    heart = project()
    ana = person("Ana Pop")
    address = ana.email  # the worker ends the session these rows belong to
    follows(heart, ana)
    event(heart, "update", title="From the command", update_id=1)
    settle()
    result = app.test_cli_runner().invoke(args=["portfolio", "digests"])
    assert result.exit_code == 0 and "digests queued: 1" in result.output
    event(heart, "update", title="From the worker", update_id=2)
    settle()
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--max-seconds", "0", "--interval", "0"])
    assert result.exit_code == 0, result.output
    assert "digests: queued 1" in result.output
    texts = sorted(mailbox.text(m) for m in mailbox.to(address))
    assert len(texts) == 2
    assert any("From the command" in t and "From the worker" not in t for t in texts)
    assert any("From the worker" in t and "From the command" not in t for t in texts)


def test_project_news_folds_and_lists():
    news = project_news(1, [(3, "progress", {"from": 10, "to": 20}), (4, "stage", {"from": "idea", "to": "pilot"}),
                            (5, "progress", {"from": 20, "to": 30}), (6, "milestone", {"title": "A", "done": False}),
                            (7, "progress", {"indicator": "Visits", "indicator_id": 2, "previous": 1, "current": 2}),
                            (8, "progress", {"indicator": "Visits", "indicator_id": 2, "previous": 2, "current": 1}),
                            (9, "update", {"title": "U"}), (10, "unknown", {})])
    assert news.progress == {"from": 10, "to": 30} and news.indicators == []
    assert news.stages == [{"from": "idea", "to": "pilot"}] and news.updates == [{"title": "U"}]
    assert news.milestones == [{"title": "A", "done": False}] and news.last_event_id == 10 and not news.empty
    assert project_news(1, []).empty


def test_record_event_keeps_json_safe_summaries_in_the_callers_transaction(db):
    fresh = PortfolioProject(reference="SH-2026-999", title="New", stage="idea")
    database.session.add(fresh)
    made = record_event(fresh, "milestone", title="Done", done=True, done_on=dt.date(2026, 3, 1),
                        amount=Decimal("12.50"), tags=("a", "b"))
    assert made.project_id == fresh.id is not None
    assert made.summary == {"title": "Done", "done": True, "done_on": "2026-03-01", "amount": "12.50",
                            "tags": ["a", "b"]}
    database.session.rollback()  # nothing is written unless the caller commits
    assert database.session.scalars(select(ProjectEvent)).all() == []
    row = project()
    record_event(row, "update", title="Kept", when=dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc))
    database.session.commit()
    (stored,) = database.session.scalars(select(ProjectEvent)).all()
    assert stored.summary == {"title": "Kept", "when": "2026-03-01T09:00:00+00:00"}
    with pytest.raises(ValueError):
        record_event(row, "gossip")

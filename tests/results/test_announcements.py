"""Announcements, the service: who each audience reaches, what is queued, and what is refused."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import event, func, select

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.accounts.personal_data import erase_account
from app.challenges.models import Challenge
from app.core.audit import AuditEvent
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core import outbox
from app.core.outbox import OutboxMail
from app.extensions import db as database
from app.results import announcements
from app.results.models import Announcement, Award
from app.teams.models import Team, TeamMember, TeamSeeker
from tests.conftest import flush_outbox, make_user
from tests.factories import make_assignment, make_challenge, make_idea, make_juror, make_team
from tests.results.scenario import judged

SCENARIO_MEMBERS = {"a1", "a2", "b1", "c1", "d1", "e1", "w1"}


def emails(users) -> set[str]:
    return {user.email.split("@")[0] for user in users}


def seek(challenge, user):
    database.session.add(TeamSeeker(challenge_id=challenge.id, user_id=user.id, skills="Python"))
    database.session.commit()


def world_with_audiences(db):
    """The judged scenario plus: two seekers (one without a team, one who later joined Alpha),
    an award for Beta, Gamma in the second track, a juror with an unscored entry, an unconfirmed
    seeker and an erased member (neither reachable)."""
    world = judged(db)
    challenge = world.challenge
    seek(challenge, make_user("s1@example.org", name="Sara Seeker", locale="it"))
    seek(challenge, world.members["Alpha"][0])  # a1: looking earlier, in a team now
    seek(challenge, make_user("u1@example.org", name="Unconfirmed Seeker", confirmed=False))
    gone = make_user("x1@example.org", name="Xena Erased")
    make_team(challenge, gone, name="Team Erased")
    erase_account(gone)
    second_track = challenge.tracks[1]
    world.ideas["Gamma"].track_id = second_track.id
    database.session.add(Award(challenge_id=challenge.id, idea_id=world.ideas["Beta"].id, name="First prize"))
    database.session.commit()
    late = make_idea(make_team(challenge, make_user("l1@example.org", name="Lia Late"), name="Team Late"),
                     status="submitted", title="Idea Late")
    make_assignment(late, world.jurors[1])
    world.ideas["Late"] = late
    return world


EXPECTED = {
    "registered": SCENARIO_MEMBERS | {"s1", "l1"},
    "without_team": {"s1"},
    "not_submitted": {"e1", "w1"},
    "submitted": {"a1", "a2", "b1", "c1", "d1", "l1"},
    "winners": {"b1"},
    "pending_jurors": {"juror2"},
}


@pytest.mark.parametrize("audience", sorted(EXPECTED))
def test_each_audience_reaches_its_people_once_and_only_reachable_accounts(db, audience):
    world = world_with_audiences(db)
    people = announcements.recipients(world.challenge, audience)
    assert emails(people) == EXPECTED[audience]
    assert len(people) == len(EXPECTED[audience])  # a1 is a member and a seeker: once
    assert announcements.count_recipients(world.challenge, audience) == len(EXPECTED[audience])


def test_the_track_audience_is_the_teams_whose_idea_is_in_that_track(db):
    world = world_with_audiences(db)
    first, second = world.challenge.tracks
    assert emails(announcements.recipients(world.challenge, "track", second.id)) == {"c1"}
    assert "c1" not in emails(announcements.recipients(world.challenge, "track", first.id))


def test_a_not_retained_entry_counts_as_submitted(db):
    world = judged(db)
    world.ideas["Delta"].status = "not_retained"
    database.session.commit()
    assert "d1" in emails(announcements.recipients(world.challenge, "submitted"))
    assert "d1" not in emails(announcements.recipients(world.challenge, "not_submitted"))


def sent_mails():
    return database.session.scalars(select(OutboxMail).where(OutboxMail.kind == "announcement")
                                    .order_by(OutboxMail.to_address)).all()


def test_sending_queues_one_mail_per_person_in_their_language_records_and_audits(db, frozen_clock):
    world = world_with_audiences(db)
    sent = announcements.send_announcement(
        world.challenge, world.organiser, audience="registered", subject="  Demo day moves to Friday ",
        body="The demo day is on **Friday** at 10:00.\r\n\r\n<script>alert(1)</script>")
    mails = sent_mails()
    assert sorted(m.to_address for m in mails) == sorted(f"{name}@example.org" for name in EXPECTED["registered"])
    assert sent.recipients == len(mails) == 9
    by_address = {m.to_address: m for m in mails}
    ana = by_address["a1@example.org"]
    assert ana.locale == "ro" and ana.subject == "Demo day moves to Friday"
    assert "Ana Alpha" in ana.text_body and "**Friday**" in ana.text_body
    assert "<strong>Friday</strong>" in ana.html_body and "<script>" not in ana.html_body
    assert "http://salus.test/challenges/" in ana.text_body
    assert by_address["s1@example.org"].locale == "it"
    row = database.session.scalars(select(Announcement)).one()
    assert (row.audience, row.recipients, row.sent_by_id) == ("registered", 9, world.organiser.id)
    assert row.subject == "Demo day moves to Friday" and "\r" not in row.body
    event = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "announcement.sent")).one()
    assert event.challenge_id == world.challenge.id and event.details["recipients"] == 9
    assert event.details["audience"] == "registered"


def test_the_frame_is_translated_and_the_text_is_the_organisers(db, frozen_clock):
    world = world_with_audiences(db)
    announcements.send_announcement(world.challenge, world.organiser, audience="winners", subject="Bravo!",
                                    body="See you at the ceremony.")
    (mail,) = sent_mails()
    assert mail.locale == "fr" and mail.subject == "Bravo!"
    assert "See you at the ceremony." in mail.text_body
    assert "A message from the organisers" not in mail.text_body  # in French


def test_each_person_receives_the_mail_once_even_when_the_outbox_runs_twice(app, db, mailbox, frozen_clock):
    world = world_with_audiences(db)
    announcements.send_announcement(world.challenge, world.organiser, audience="submitted", subject="Thanks",
                                    body="Thank you for submitting.")
    database.session.remove()
    flush_outbox(app)
    flush_outbox(app)
    for name in EXPECTED["submitted"]:
        assert len(mailbox.to(f"{name}@example.org")) == 1, name
    assert len(mailbox.messages) == len(EXPECTED["submitted"])


@pytest.mark.parametrize("fields, bad", [
    ({"audience": "everyone"}, "audience"),
    ({"audience": "track"}, "track_id"),
    ({"audience": "track", "track_id": 2**40}, "track_id"),
    ({"subject": ""}, "subject"),
    ({"subject": "   "}, "subject"),
    ({"subject": "x" * 201}, "subject"),
    ({"subject": "Two\nlines"}, "subject"),
    ({"body": ""}, "body"),
    ({"body": "x" * 20_001}, "body"),
    ({"body": "nul \x00"}, "body"),
])
def test_invalid_announcements_are_refused_and_nothing_is_stored(db, fields, bad):
    world = world_with_audiences(db)
    values = {"audience": "registered", "track_id": None, "subject": "Hello", "body": "Text", **fields}
    with pytest.raises(ValidationFailed) as refused:
        announcements.send_announcement(world.challenge, world.organiser, **values)
    database.session.rollback()
    assert bad in refused.value.fields
    assert database.session.scalar(select(func.count()).select_from(Announcement)) == 0
    assert sent_mails() == []


def test_limits_are_inclusive(db, frozen_clock):
    world = world_with_audiences(db)
    sent = announcements.send_announcement(world.challenge, world.organiser, audience="winners",
                                           subject="s" * 200, body="b" * 20_000)
    assert sent.recipients == 1


def test_a_track_of_another_challenge_is_refused(db):
    world = world_with_audiences(db)
    other = make_challenge(title="Other", status="open")
    with pytest.raises(ValidationFailed) as refused:
        announcements.send_announcement(world.challenge, world.organiser, audience="track",
                                        track_id=other.tracks[0].id, subject="Hi", body="Text")
    assert "track_id" in refused.value.fields


def test_an_empty_audience_is_refused_with_a_clear_message(db):
    world = judged(db)
    with pytest.raises(ValidationFailed) as refused:
        announcements.send_announcement(world.challenge, world.organiser, audience="winners", subject="Hi",
                                        body="Text")
    database.session.rollback()
    assert "Nobody is in this audience" in refused.value.fields["audience"]
    assert database.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_the_same_message_twice_in_a_row_is_sent_once(db, frozen_clock):
    world = world_with_audiences(db)
    values = {"audience": "winners", "subject": "Bravo", "body": "Well done."}
    announcements.send_announcement(world.challenge, world.organiser, **values)
    with pytest.raises(Conflict) as refused:
        announcements.send_announcement(world.challenge, world.organiser, **values)
    database.session.rollback()
    assert refused.value.code == "already_sent"
    frozen_clock.advance(minutes=11)
    announcements.send_announcement(world.challenge, world.organiser, **values)
    assert len(sent_mails()) == 2


def test_only_organisers_send(db):
    world = world_with_audiences(db)
    for person in (world.outsider, world.jurors[0], world.members["Alpha"][0]):
        with pytest.raises(Forbidden):
            announcements.send_announcement(world.challenge, person, audience="registered", subject="Hi",
                                            body="Text")
        with pytest.raises(Forbidden):
            announcements.preview(world.challenge, person, "registered", None, "Hi", "Text")


def count_statements(callable_):
    statements = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        callable_()
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    return len(statements)


def crowd(size: int, title: str):
    """``size`` teams with a draft, and ``size`` jurors each with one unscored entry."""
    owner = make_user(f"owner-{size}@example.org", name="Owner")
    challenge = make_challenge(title=title, status="judging", organisers=[owner])
    for n in range(size):
        team = make_team(challenge, make_user(f"p{size}-{n}@example.org", name=f"Person {n}"), name=f"Team {n}")
        idea = make_idea(team, status="submitted" if n % 2 else "draft", title=f"Idea {n}")
        juror = make_user(f"j{size}-{n}@example.org", name=f"Juror {n}")
        make_juror(challenge, juror)
        make_assignment(idea, juror)
    database.session.expire_all()
    return challenge, owner


@pytest.mark.parametrize("audience", ["registered", "not_submitted", "pending_jurors"])
def test_recipients_take_the_same_number_of_queries_for_2_or_10_people(db, audience):
    counts = []
    for size in (2, 10):
        challenge, _owner = crowd(size, f"Size {size}")
        challenge = database.session.get(Challenge, challenge.id)
        counts.append(count_statements(lambda: announcements.recipients(challenge, audience)))
    assert counts[0] == counts[1], counts


def test_a_thousand_recipients_queue_quickly(db, frozen_clock, capsys):
    owner = make_user("owner@example.org", name="Owner")
    challenge = make_challenge(title="Big", status="open", organisers=[owner])
    digest = hash_password("correct horse battery staple")
    now = frozen_clock.now()
    users = [User(email=f"big{n}@example.org", email_key=f"big{n}@example.org", password_hash=digest,
                  name=f"Big {n}", locale=("en", "ro", "fr", "it", "da")[n % 5], created_at=now, confirmed_at=now,
                  privacy_accepted_at=now, password_changed_at=now) for n in range(1000)]
    database.session.add_all(users)
    database.session.flush()
    for n in range(0, 1000, 5):
        team = Team(challenge_id=challenge.id, name=f"Big team {n}", name_key=f"big team {n}",
                    invite_code=f"code{n}", created_at=now)
        team.members = [TeamMember(user_id=users[n + k].id, challenge_id=challenge.id,
                                   role="captain" if k == 0 else "member", joined_at=now) for k in range(5)]
        database.session.add(team)
    database.session.commit()
    database.session.expire_all()
    started = time.perf_counter()
    statements = count_statements(lambda: announcements.send_announcement(
        challenge, owner, audience="registered", subject="Welcome", body="Welcome to **all** of you."))
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n1,000 recipients queued in {elapsed:.2f} s with {statements} statements")
    mails = {mail.to_address: mail for mail in database.session.scalars(select(OutboxMail))}
    assert len(mails) == 1000
    seventh = mails["big7@example.org"]
    assert seventh.locale == "fr" and "Bonjour Big 7," in seventh.text_body and "Big 7" in seventh.html_body
    assert not any(outbox.NAME_SLOT in m.text_body + m.html_body for m in mails.values())
    assert elapsed < 5, elapsed


def test_names_are_escaped_in_the_html_part_only(db, frozen_clock):
    world = judged(db)
    name = 'Ann <b>"&"</b>'
    world.members["Beta"][0].name = name
    database.session.add(Award(challenge_id=world.challenge.id, idea_id=world.ideas["Beta"].id, name="Prize"))
    database.session.commit()
    announcements.send_announcement(world.challenge, world.organiser, audience="winners", subject="Hi", body="Text")
    (mail,) = sent_mails()
    assert name in mail.text_body
    assert "Ann &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt;" in mail.html_body and "<b>" not in mail.html_body

"""The mails of a publication: each member of each submitted team once, in their language, with their
rank, awards and feedback link; each juror a thank-you; people loaded in constant queries."""
from __future__ import annotations

import time
from decimal import Decimal

from sqlalchemy import event, func, select

from app.core.outbox import OutboxMail
from app.extensions import db as database
from app.results.models import Award
from app.results.publication import publish_results
from tests.conftest import flush_outbox, make_user
from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team
from tests.results.scenario import judged


def publish_scenario(app, **kwargs):
    with app.app_context():
        world = judged(**kwargs)
        database.session.add(Award(challenge_id=world.challenge.id, idea_id=world.ideas["Alpha"].id,
                                   name="Marele premiu", amount=Decimal("5000"), position=0))
        database.session.commit()
        publish_results(world.challenge, world.organiser)
        return world.challenge.id, {name: idea.id for name, idea in world.ideas.items()}


def test_each_member_and_juror_gets_one_mail_however_often_the_outbox_is_flushed(app, mailbox, frozen_clock):
    challenge_id, _ideas = publish_scenario(app)
    flush_outbox(app)
    flush_outbox(app)
    received = sorted(str(m["To"]) for m in mailbox.messages)
    members = ["a1@example.org", "a2@example.org", "b1@example.org", "c1@example.org", "d1@example.org"]
    jurors = ["juror1@example.org", "juror2@example.org", "juror3@example.org"]
    assert received == sorted(members + jurors)
    # Draft and withdrawn teams, the organiser and outsiders hear nothing.
    for address in ("e1@example.org", "w1@example.org", "olga@example.org", "out@example.org"):
        assert mailbox.to(address) == []


def test_a_member_reads_their_rank_award_and_links_in_their_language(app, mailbox, frozen_clock):
    challenge_id, ideas = publish_scenario(app)
    flush_outbox(app)
    [romanian] = mailbox.to("a1@example.org")
    [english] = mailbox.to("a2@example.org")
    assert romanian["Subject"] == "Rezultatele „Smart Health City Iași 2026” au fost publicate"
    assert english["Subject"] == "The results of “Smart Health City Iași 2026” are published"
    text = mailbox.text(english)
    assert "ranked 1 out of 4" in text and "Marele premiu" in text and "€5,000.00" in text
    links = mailbox.links(english)
    assert f"http://salus.test/ideas/{ideas['Alpha']}/feedback" in links
    assert f"http://salus.test/challenges/{challenge_id}/results" in links
    assert "Marele premiu" in mailbox.text(romanian) and "5.000,00" in mailbox.text(romanian)
    beta = mailbox.text(mailbox.to("b1@example.org")[0])
    assert "2 sur 4" in beta and "Marele premiu" not in beta  # French, no award


def test_an_entry_without_counted_reviews_is_not_ranked(app, mailbox, frozen_clock):
    with app.app_context():
        organiser = make_user("olga@example.org")
        challenge = make_challenge(status="judging", organisers=[organiser])
        juror = make_user("juror@example.org")
        make_juror(challenge, juror)
        reviewed = make_idea(make_team(challenge, make_user("r@example.org")), status="submitted", title="Reviewed")
        make_review(reviewed, juror, {c.id: 4 for c in challenge.criteria})
        make_idea(make_team(challenge, make_user("n@example.org")), status="not_retained", title="Unreviewed")
        publish_results(challenge, organiser)
        challenge_id = challenge.id
    flush_outbox(app)
    assert "ranked 1 out of 1" in mailbox.text(mailbox.to("r@example.org")[0])
    assert "is not ranked" in mailbox.text(mailbox.to("n@example.org")[0])
    thanks = mailbox.to("juror@example.org")[0]
    assert thanks["Subject"].startswith("Thank you for judging")
    assert "1 review you wrote" in mailbox.text(thanks)
    assert f"http://salus.test/challenges/{challenge_id}/results" in mailbox.links(thanks)


def test_jurors_are_thanked_in_their_language(app, mailbox, frozen_clock):
    challenge_id, _ideas = publish_scenario(app)
    flush_outbox(app)
    [juror2] = mailbox.to("juror2@example.org")  # Romanian
    assert juror2["Subject"] == "Vă mulțumim că ați jurizat „Smart Health City Iași 2026”"
    assert f"http://salus.test/challenges/{challenge_id}/results" in mailbox.links(juror2)


def _big_challenge(members: int):
    organiser = make_user("olga@example.org")
    challenge = make_challenge(status="judging", organisers=[organiser], team_max_size=10)
    from app.accounts.models import User
    from app.teams.models import Team, TeamMember

    now = challenge.created_at
    password_hash = organiser.password_hash
    users = [User(email=f"m{n}@example.org", email_key=f"m{n}@example.org", name=f"Member {n}",
                  locale=("en", "ro", "fr", "it", "da")[n % 5], password_hash=password_hash, created_at=now)
             for n in range(members)]
    database.session.add_all(users)
    database.session.flush()
    for start in range(0, members, 5):
        team = Team(challenge_id=challenge.id, name=f"Team {start}", name_key=f"team {start}",
                    invite_code=f"code{start}", created_at=now)
        team.members = [TeamMember(user_id=u.id, challenge_id=challenge.id, joined_at=now)
                        for u in users[start:start + 5]]
        database.session.add(team)
        database.session.flush()
        make_idea(team, status="submitted", title=f"Idea {start}")
    database.session.commit()
    return challenge, organiser


def _selects_while_publishing(db, members: int) -> tuple[int, int]:
    challenge, organiser = _big_challenge(members)
    statements = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        publish_results(challenge, organiser)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    mails = db.session.scalar(select(func.count()).select_from(OutboxMail))
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT")), mails


def test_building_the_mails_needs_the_same_reads_for_10_or_50_members(db, frozen_clock):
    small, small_mails = _selects_while_publishing(db, 10)
    database.session.remove()
    for table in reversed(database.metadata.sorted_tables):
        database.session.execute(table.delete())
    database.session.commit()
    large, large_mails = _selects_while_publishing(db, 50)
    assert (small_mails, large_mails) == (10, 50)
    print(f"reads while publishing: {small} for 10 members, {large} for 50")
    assert small == large, (small, large)


def test_500_members_are_queued_quickly(db, frozen_clock):
    challenge, organiser = _big_challenge(500)
    started = time.perf_counter()
    publish_results(challenge, organiser)
    elapsed = time.perf_counter() - started
    assert database.session.scalar(select(func.count()).select_from(OutboxMail)) == 500
    print(f"500 result mails queued in {elapsed:.2f} s")
    assert elapsed < 20

"""Publishing results: the arrays and digest, who may publish and when, the frozen snapshot, the
closing of a public vote, the audit row, and two publications at the same instant."""
from __future__ import annotations

import hashlib
import json
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.challenges.models import Challenge
from app.core.audit import AuditEvent
from app.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from app.core.outbox import OutboxMail
from app.extensions import db as database
from app.judging.models import SafetyFlag
from app.results.models import Award, PeoplesChoice, Publication
from app.results.publication import publish_results, results_arrays, results_for, set_results_visibility
from tests.results.scenario import judged

ORDER = ["Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"]


def award(world, idea: str, name: str, amount: str | None = None, position: int = 0) -> Award:
    row = Award(challenge_id=world.challenge.id, idea_id=world.ideas[idea].id, name=name, position=position,
                amount=Decimal(amount) if amount is not None else None)
    database.session.add(row)
    database.session.commit()
    return row


def recomputed(awards, ranking) -> str:
    payload = json.dumps({"awards": awards, "ranking": ranking}, sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_the_arrays_follow_the_contract(db, frozen_clock):
    world = judged(db)
    award(world, "Beta", "Second prize", "3000.50", position=1)
    award(world, "Alpha", "First prize", "5000", position=0)
    award(world, "Delta", "Jury's mention", None, position=2)
    awards, ranking, full = results_arrays(world.challenge)
    assert awards == [
        {"idea_id": world.ideas["Alpha"].id, "title": "Idea Alpha", "team": "Team Alpha", "name": "First prize",
         "amount": 5000.0},
        {"idea_id": world.ideas["Beta"].id, "title": "Idea Beta", "team": "Team Beta", "name": "Second prize",
         "amount": 3000.5},
        {"idea_id": world.ideas["Delta"].id, "title": "Idea Delta", "team": "Team Delta", "name": "Jury's mention",
         "amount": None}]
    assert [row["title"] for row in ranking] == ORDER
    assert [row["rank"] for row in ranking] == [1, 2, 3, 4]
    assert set(ranking[0]) == {"rank", "idea_id", "title", "team", "score"}
    assert ranking[0]["team"] == "Team Alpha"
    assert [row["score"] for row in ranking] == sorted((row["score"] for row in ranking), reverse=True)
    assert [row["reviews"] for row in full] == [3, 3, 3, 2]


def test_the_score_is_the_value_of_the_challenges_method(db, frozen_clock):
    world = judged(db)
    world.challenge.ranking_method = "raw"
    database.session.commit()
    _awards, ranking, _full = results_arrays(world.challenge)
    # Alpha: (2·5+5)/3, (2·5+4)/3, (2·4+4)/3 → mean of 5, 14/3 and 4.
    assert ranking[0]["score"] == pytest.approx((5 + 14 / 3 + 4) / 3, abs=1e-9)


def test_publishing_freezes_a_snapshot_whose_digest_anyone_can_recompute(db, frozen_clock):
    world = judged(db)
    award(world, "Alpha", "Grand prix „Iași”", "10000")
    publication = publish_results(world.challenge, world.organiser)
    assert publication.digest == recomputed(publication.awards, publication.ranking)
    challenge = database.session.get(Challenge, world.challenge.id)
    assert challenge.status == "published" and challenge.published_at == frozen_clock.now()
    answer = results_for(challenge, None)
    assert answer["published_at"] == frozen_clock.now().isoformat()
    assert answer["digest"] == recomputed(answer["awards"], answer["ranking"])
    assert [row["title"] for row in answer["ranking"]] == ORDER


def test_later_edits_do_not_change_the_published_results(db, frozen_clock):
    world = judged(db)
    award(world, "Alpha", "First prize", "5000")
    publish_results(world.challenge, world.organiser)
    published = results_for(database.session.get(Challenge, world.challenge.id), None)
    world.ideas["Alpha"].title = "Renamed afterwards"
    world.teams["Beta"].name = "Team Renamed"
    database.session.execute(Award.__table__.update().values(name="Changed prize", amount=1))
    database.session.commit()
    assert results_for(database.session.get(Challenge, world.challenge.id), None) == published


def test_awards_only_publishes_an_empty_ranking(db, frozen_clock):
    world = judged(db, visibility="awards")
    award(world, "Gamma", "Citizens' prize")
    publication = publish_results(world.challenge, world.organiser)
    assert publication.ranking == [] and publication.visibility == "awards"
    assert [row["title"] for row in publication.full_ranking] == ORDER  # kept for the teams' own mails
    assert publication.digest == recomputed(publication.awards, [])


def test_the_visibility_given_at_publication_wins(db, frozen_clock):
    world = judged(db)
    publication = publish_results(world.challenge, world.organiser, visibility="awards")
    assert publication.ranking == [] and database.session.get(Challenge, world.challenge.id).results_visibility \
        == "awards"


def test_an_unknown_visibility_is_refused(db, frozen_clock):
    world = judged(db)
    with pytest.raises(ValidationFailed) as error:
        publish_results(world.challenge, world.organiser, visibility="everything")
    assert "visibility" in error.value.fields


def test_only_organisers_publish(db, frozen_clock):
    world = judged(db)
    for person in (world.members["Alpha"][0], world.jurors[0], world.outsider):
        with pytest.raises(Forbidden):
            publish_results(world.challenge, person)
    assert database.session.get(Challenge, world.challenge.id).status == "judging"


@pytest.mark.parametrize("status, code", [("open", "not_judging"), ("draft", "not_judging"),
                                          ("published", "already_published"), ("archived", "already_published")])
def test_publishing_needs_judging(db, frozen_clock, status, code):
    world = judged(db)
    world.challenge.status = status
    database.session.commit()
    with pytest.raises(Conflict) as error:
        publish_results(world.challenge, world.organiser)
    assert error.value.code == code
    assert database.session.scalar(select(func.count()).select_from(Publication)) == 0


def test_a_second_publication_is_refused_and_sends_nothing(db, frozen_clock):
    world = judged(db)
    publish_results(world.challenge, world.organiser)
    mails = database.session.scalar(select(func.count()).select_from(OutboxMail))
    with pytest.raises(Conflict) as error:
        publish_results(database.session.get(Challenge, world.challenge.id), world.organiser)
    assert error.value.code == "already_published"
    assert database.session.scalar(select(func.count()).select_from(OutboxMail)) == mails


def test_open_safety_flags_block_publication_until_cleared(db, frozen_clock):
    world = judged(db)
    flag = SafetyFlag(challenge_id=world.challenge.id, idea_id=world.ideas["Beta"].id, kind="patient_safety",
                      reason="Check the consent form.", raised_by_id=world.jurors[0].id)
    database.session.add(flag)
    database.session.commit()
    with pytest.raises(Conflict) as error:
        publish_results(world.challenge, world.organiser)
    assert error.value.code == "safety_flags_open"
    assert database.session.get(Challenge, world.challenge.id).status == "judging"
    flag.cleared = True
    database.session.commit()
    assert publish_results(world.challenge, world.organiser).challenge_id == world.challenge.id


def test_an_open_public_vote_closes_at_publication(db, frozen_clock):
    world = judged(db)
    database.session.add(PeoplesChoice(challenge_id=world.challenge.id, status="open", opened_at=frozen_clock.now()))
    database.session.commit()
    publish_results(world.challenge, world.organiser)
    vote = database.session.get(PeoplesChoice, world.challenge.id)
    assert vote.status == "closed" and vote.closed_at == frozen_clock.now()


def test_publication_is_audited(db, frozen_clock):
    world = judged(db)
    award(world, "Alpha", "First prize")
    publication = publish_results(world.challenge, world.organiser)
    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "results.published"))
    assert event.actor_id == world.organiser.id and event.challenge_id == world.challenge.id
    assert event.details["digest"] == publication.digest and event.details["awards"] == 1
    assert event.details["ranked"] == 4 and event.details["visibility"] == "full"


def test_before_publication_only_organisers_see_a_preview(db, frozen_clock):
    world = judged(db)
    preview = results_for(world.challenge, world.organiser)
    assert preview["published_at"] is None and [row["title"] for row in preview["ranking"]] == ORDER
    for person in (None, world.members["Alpha"][0], world.jurors[0], world.outsider):
        with pytest.raises(NotFound):
            results_for(world.challenge, person)


def test_the_visibility_choice_is_saved_until_publication(db, frozen_clock):
    world = judged(db)
    set_results_visibility(world.challenge, world.organiser, "awards")
    assert database.session.get(Challenge, world.challenge.id).results_visibility == "awards"
    assert database.session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "results.visibility_changed")) == {"before": "full", "after": "awards"}
    with pytest.raises(Forbidden):
        set_results_visibility(world.challenge, world.outsider, "full")
    publish_results(world.challenge, world.organiser)
    with pytest.raises(Conflict) as error:
        set_results_visibility(database.session.get(Challenge, world.challenge.id), world.organiser, "full")
    assert error.value.code == "already_published"


def _publish_in_thread(app, challenge_id: int, user_id: int, barrier: threading.Barrier, results: list[str]) -> None:
    with app.app_context():
        try:
            challenge = database.session.get(Challenge, challenge_id)
            user = database.session.get(User, user_id)
            barrier.wait()
            publish_results(challenge, user)
            results.append("published")
        except DomainError as error:
            results.append(error.code)
        except Exception as error:  # noqa: BLE001 - any other failure must show in the assertion
            results.append(f"crash: {error!r}")
        finally:
            database.session.remove()


@pytest.mark.parametrize("attempt", range(2))
def test_two_publications_at_the_same_instant_make_one(app, db, frozen_clock, attempt):
    world = judged(db)
    challenge_id, organiser_id = world.challenge.id, world.organiser.id
    second = User(email="olga2@example.org", email_key="olga2@example.org", name="Second Organiser",
                  password_hash=world.organiser.password_hash, is_admin=True, created_at=frozen_clock.now())
    database.session.add(second)
    database.session.commit()
    second_id = second.id
    database.session.remove()
    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=_publish_in_thread, args=(app, challenge_id, uid, barrier, results))
               for uid in (organiser_id, second_id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["already_published", "published"], results
    assert database.session.scalar(select(func.count()).select_from(Publication)) == 1
    # 5 members of submitted teams and 3 jurors, each mailed once.
    assert database.session.scalar(select(func.count()).select_from(OutboxMail)) == 8
    assert database.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "results.published")) == 1

"""The awards service: who may change awards and when, which entries may win, the budget that is
never exceeded (also by two organisers at once), replace semantics and the audit trail."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from app.accounts.models import User
from app.challenges.models import Challenge, ChallengeOrganiser
from app.core.audit import AuditEvent
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db as database
from app.results import awards
from app.results.models import Award
from tests.concurrency import run_together
from tests.conftest import make_user
from tests.factories import make_challenge, make_idea, make_team
from tests.results.scenario import judged

D = Decimal


@pytest.fixture
def world(db, frozen_clock):
    return judged(db)


def ids(world, *names):
    return [world.ideas[name].id for name in names]


def listed(challenge_id):
    return [(a.title, a.team, a.name, a.amount, a.source, a.position) for a in awards.awards_of(challenge_id)]


def audit_rows(db):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "awards.changed")
                              .order_by(AuditEvent.id)).all()


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    database.session.rollback()
    return caught.value


# --- giving, changing and taking back -----------------------------------------------------

def test_add_award_appends_and_awards_of_names_the_entry_and_team(db, world):
    alpha, gamma = ids(world, "Alpha", "Gamma")
    awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="  First prize ", amount=D("25000"))
    awards.add_award(world.challenge, world.organiser, idea_id=gamma, name="Special mention")
    assert listed(world.challenge.id) == [
        ("Idea Alpha", "Team Alpha", "First prize", D("25000.00"), "organiser", 0),
        ("Idea Gamma", "Team Gamma", "Special mention", None, "organiser", 1),
    ]


def test_an_entry_may_win_several_awards(db, world):
    [alpha] = ids(world, "Alpha")
    awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First prize", amount=1)
    awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="People's favourite", amount="2.5")
    assert [(a.name, a.amount) for a in awards.awards_of(world.challenge.id)] == [("First prize", D("1.00")),
                                                                                  ("People's favourite", D("2.50"))]


def test_update_and_remove_keep_the_order_of_the_others(db, world):
    alpha, beta, gamma = ids(world, "Alpha", "Beta", "Gamma")
    first = awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First", amount=D("10"))
    second = awards.add_award(world.challenge, world.organiser, idea_id=beta, name="Second", amount=D("5"))
    third_id = awards.add_award(world.challenge, world.organiser, idea_id=gamma, name="Third").id
    second_id = second.id
    awards.update_award(world.challenge, world.organiser, second_id, name="Runner-up", amount=None)
    awards.remove_award(world.challenge, world.organiser, first.id)
    lines = awards.awards_of(world.challenge.id)
    assert [(a.id, a.name, a.amount, a.position) for a in lines] == [(second_id, "Runner-up", None, 0),
                                                                     (third_id, "Third", None, 1)]


def test_an_award_of_another_challenge_or_already_gone_is_not_found(db, world):
    [alpha] = ids(world, "Alpha")
    award_id = awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First").id
    other = make_challenge(title="Another city", status="judging", organisers=[world.organiser])
    assert isinstance(refused(lambda: awards.update_award(other, world.organiser, award_id, name="X")),
                      NotFound)
    awards.remove_award(world.challenge, world.organiser, award_id)
    for call in (lambda: awards.remove_award(world.challenge, world.organiser, award_id),
                 lambda: awards.update_award(world.challenge, world.organiser, award_id, name="X"),
                 lambda: awards.remove_award(world.challenge, world.organiser, "1")):
        assert isinstance(refused(call), NotFound)


# --- replace semantics ----------------------------------------------------------------------

def test_replace_awards_replaces_the_whole_list_in_the_order_given(db, world):
    alpha, beta, gamma = ids(world, "Alpha", "Beta", "Gamma")
    awards.replace_awards(world.challenge, world.organiser, [
        {"idea_id": alpha, "name": "First", "amount": D("30000")}, {"idea_id": beta, "name": "Second"}])
    awards.replace_awards(world.challenge, world.organiser, [
        {"idea_id": gamma, "name": "Mention", "amount": None}, {"idea_id": alpha, "name": "First", "amount": 40000}])
    assert listed(world.challenge.id) == [
        ("Idea Gamma", "Team Gamma", "Mention", None, "organiser", 0),
        ("Idea Alpha", "Team Alpha", "First", D("40000.00"), "organiser", 1),
    ]
    awards.replace_awards(world.challenge, world.organiser, [])
    assert awards.awards_of(world.challenge.id) == []


def test_replacing_keeps_where_a_kept_award_came_from(db, world):
    alpha, beta, gamma = ids(world, "Alpha", "Beta", "Gamma")
    awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="Funding", amount=60000, source="funding")
    awards.add_award(world.challenge, world.organiser, idea_id=beta, name="People's choice", source="peoples_choice")
    # A script reads the list and writes it back with one more award: nothing loses its origin.
    awards.replace_awards(world.challenge, world.organiser, [
        {"idea_id": alpha, "name": "Funding", "amount": 60000}, {"idea_id": beta, "name": "People's choice"},
        {"idea_id": gamma, "name": "Mention"}])
    assert [a.source for a in awards.awards_of(world.challenge.id)] == ["funding", "peoples_choice", "organiser"]


def test_a_refused_replacement_changes_nothing(db, world):
    alpha, beta = ids(world, "Alpha", "Beta")
    awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First", amount=1)
    before = listed(world.challenge.id)
    error = refused(lambda: awards.replace_awards(world.challenge, world.organiser, [
        {"idea_id": beta, "name": "Second"}, {"idea_id": alpha, "name": ""}]))
    assert error.status == 422 and error.fields == {"awards.1.name": "This field is required."}
    assert listed(world.challenge.id) == before and len(audit_rows(db)) == 1


# --- the budget -----------------------------------------------------------------------------

def test_the_sum_of_the_amounts_never_exceeds_the_budget(db, world):
    alpha, beta, gamma = ids(world, "Alpha", "Beta", "Gamma")
    awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First", amount=D("60000"))
    error = refused(lambda: awards.add_award(world.challenge, world.organiser, idea_id=beta, name="Second",
                                             amount=D("50000")))
    assert error.status == 422 and set(error.fields) == {"awards"}
    assert error.fields["awards"].startswith("Budget exceeded")
    error = refused(lambda: awards.replace_awards(world.challenge, world.organiser, [
        {"idea_id": alpha, "name": "First", "amount": D("60000")},
        {"idea_id": beta, "name": "Second", "amount": D("40000.01")}]))
    assert set(error.fields) == {"awards"}
    second = awards.add_award(world.challenge, world.organiser, idea_id=beta, name="Second", amount=D("40000"))
    assert sum(a.amount for a in awards.awards_of(world.challenge.id)) == D("100000")  # an exact fit is fine
    assert set(refused(lambda: awards.update_award(world.challenge, world.organiser, second.id, name="Second",
                                                   amount=D("40000.01"))).fields) == {"awards"}
    # Prizes without money never count against the budget.
    awards.add_award(world.challenge, world.organiser, idea_id=gamma, name="Mention")


def test_without_a_budget_amounts_are_not_limited(db, frozen_clock):
    world = judged(db, budget=None)
    [alpha] = ids(world, "Alpha")
    awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="Big", amount=D("999999999999.99"))
    assert awards.awards_of(world.challenge.id)[0].amount == D("999999999999.99")


def test_after_a_budget_cut_the_awards_may_come_down_but_never_go_up(db, world):
    alpha, beta = ids(world, "Alpha", "Beta")
    first = awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First", amount=D("60000"))
    first_id = first.id
    awards.add_award(world.challenge, world.organiser, idea_id=beta, name="Second", amount=D("40000"))
    world.challenge.budget_total = D("50000")
    db.session.commit()
    awards.update_award(world.challenge, world.organiser, first_id, name="First", amount=D("20000"))  # 60 000: down
    assert set(refused(lambda: awards.update_award(world.challenge, world.organiser, first_id, name="First",
                                                   amount=D("20000.01"))).fields) == {"awards"}
    awards.remove_award(world.challenge, world.organiser, first_id)  # 40 000: within the budget again
    assert set(refused(lambda: awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="X",
                                                amount=D("10000.01"))).fields) == {"awards"}


def test_awards_read_for_the_budget_check_are_read_under_the_challenge_lock(db, world):
    """The check and the write happen in one locked transaction: BEGIN IMMEDIATE on SQLite,
    SELECT … FOR UPDATE of the challenge on PostgreSQL, before the awards are read."""
    [alpha] = ids(world, "Alpha")
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    db.session.rollback()
    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First", amount=1)
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    lock = next(i for i, s in enumerate(statements) if s == "BEGIN IMMEDIATE" or
                (s.startswith("SELECT") and "FROM challenges" in s and s.endswith("FOR UPDATE")))
    read = next(i for i, s in enumerate(statements) if s.startswith("SELECT") and "FROM awards" in s)
    write = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO awards"))
    assert lock < read < write
    assert not any(s in ("COMMIT", "ROLLBACK") for s in statements[lock:write])


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(2))
def test_two_organisers_at_once_cannot_together_exceed_the_budget(app, db, frozen_clock, attempt):
    world = judged(db)
    second = make_user("oscar@example.org", name="Oscar Organiser")
    db.session.add(ChallengeOrganiser(challenge_id=world.challenge.id, user_id=second.id))
    db.session.commit()
    challenge_id, organisers = world.challenge.id, [world.organiser.id, second.id]
    alpha, beta = ids(world, "Alpha", "Beta")
    db.session.remove()

    def add_prize(organiser_id: int, idea_id: int):
        def call():
            challenge = database.session.get(Challenge, challenge_id)
            actor = database.session.get(User, organiser_id)
            return awards.add_award(challenge, actor, idea_id=idea_id, name="Prize", amount=D("60000"))
        return call

    results = run_together(app, [add_prize(organisers[0], alpha), add_prize(organisers[1], beta)])
    assert Counter(results) == {"ok": 1, "validation_failed": 1}, results
    amounts = database.session.scalars(select(Award.amount).where(Award.challenge_id == challenge_id)).all()
    assert amounts == [D("60000")]


# --- refusals: who, when, which entries, which values ---------------------------------------

def test_only_organisers_change_awards(db, world):
    [alpha] = ids(world, "Alpha")
    for person in (world.jurors[0], world.outsider, world.members["Alpha"][0]):
        error = refused(lambda p=person: awards.add_award(world.challenge, p, idea_id=alpha, name="Mine"))
        assert isinstance(error, Forbidden)
    assert awards.awards_of(world.challenge.id) == []


@pytest.mark.parametrize("status, code", [("draft", "not_judging"), ("open", "not_judging"),
                                          ("published", "already_published"), ("archived", "already_published")])
def test_awards_change_only_while_judging(db, world, status, code):
    [alpha] = ids(world, "Alpha")
    world.challenge.status = status
    db.session.commit()
    calls = [lambda: awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First"),
             lambda: awards.replace_awards(world.challenge, world.organiser, []),
             lambda: awards.apply_funding_proposal(world.challenge, world.organiser, {}, "Funding"),
             lambda: awards.check_awards_editable(world.challenge)]
    for call in calls:
        error = refused(call)
        assert isinstance(error, Conflict) and error.code == code


def test_only_submitted_entries_of_this_challenge_and_round_may_win(db, world):
    other = make_challenge(title="Elsewhere", status="judging", organisers=[world.organiser])
    foreign = make_idea(make_team(other, world.outsider, name="Foreign"), status="submitted")
    not_retained = make_idea(make_team(world.challenge, *[], name="Not retained"), status="not_retained")
    earlier_round = make_idea(make_team(world.challenge, name="Earlier"), status="submitted")
    world.challenge.round = 2
    for idea in world.ideas.values():
        idea.round = 2
    db.session.commit()
    wanted = [world.ideas["Epsilon"].id, world.ideas["Withdrawn"].id, not_retained.id, earlier_round.id, foreign.id,
              2**31 - 1, world.ideas["Alpha"].id]
    error = refused(lambda: awards.replace_awards(world.challenge, world.organiser,
                                                  [{"idea_id": idea_id, "name": "Prize"} for idea_id in wanted]))
    assert error.status == 422
    assert error.fields == {
        "awards.0.idea_id": "Only submitted entries can win an award.",
        "awards.1.idea_id": "Only submitted entries can win an award.",
        "awards.2.idea_id": "Only submitted entries can win an award.",
        "awards.3.idea_id": "Only submitted entries can win an award.",
        "awards.4.idea_id": "This entry is not part of this challenge.",
        "awards.5.idea_id": "This entry is not part of this challenge.",
    }


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "This field is required."),
    ("name", "   ", "This field is required."),
    ("name", "x" * 201, "At most 200 characters."),
    ("name", "bad\x00name", "This text contains characters that cannot be stored."),
    ("name", 12, "Must be text."),
    ("amount", D("-0.01"), "Must be an amount from 0 to 999,999,999,999.99."),
    ("amount", D("1000000000000"), "Must be an amount from 0 to 999,999,999,999.99."),
    ("amount", "1e999999999", "Must be an amount from 0 to 999,999,999,999.99."),
    ("amount", float("nan"), "Must be an amount from 0 to 999,999,999,999.99."),
    ("amount", D("10.005"), "Use at most two decimals."),
    ("amount", "ten", "Must be an amount, like 25000 or 25000.50."),
    ("amount", True, "Must be an amount, like 25000 or 25000.50."),
    ("idea_id", "1", "Choose an entry of this challenge."),
    ("idea_id", None, "Choose an entry of this challenge."),
])
def test_bad_values_are_refused_with_the_field_named(db, world, field, value, message):
    award = {"idea_id": world.ideas["Alpha"].id, "name": "Prize", "amount": D("1"), field: value}
    error = refused(lambda: awards.add_award(world.challenge, world.organiser, **award))
    assert error.status == 422 and error.fields == {field: message}
    error = refused(lambda: awards.replace_awards(world.challenge, world.organiser, [award]))
    assert error.fields == {f"awards.0.{field}": message}


def test_a_list_that_is_not_a_list_of_awards_is_refused(db, world):
    assert refused(lambda: awards.replace_awards(world.challenge, world.organiser, ["x"])).fields == {
        "awards.0.idea_id": "Each award needs an entry and a name."}
    too_many = [{"idea_id": world.ideas["Alpha"].id, "name": "P"}] * (awards.MAX_AWARDS + 1)
    assert set(refused(lambda: awards.replace_awards(world.challenge, world.organiser, too_many)).fields) == {"awards"}


# --- the audit trail ------------------------------------------------------------------------

def test_every_change_is_audited_with_the_list_before_and_after(db, world):
    alpha, beta = ids(world, "Alpha", "Beta")
    award = awards.add_award(world.challenge, world.organiser, idea_id=alpha, name="First", amount=D("100.5"))
    award_id = award.id
    awards.update_award(world.challenge, world.organiser, award_id, name="First prize", amount=None)
    awards.replace_awards(world.challenge, world.organiser, [{"idea_id": beta, "name": "Second", "amount": 7}])
    awards.remove_award(world.challenge, world.organiser, awards.awards_of(world.challenge.id)[0].id)
    first = {"idea_id": alpha, "name": "First", "amount": "100.50", "source": "organiser"}
    renamed = {"idea_id": alpha, "name": "First prize", "amount": None, "source": "organiser"}
    second = {"idea_id": beta, "name": "Second", "amount": "7.00", "source": "organiser"}
    rows = audit_rows(db)
    assert [(r.details["before"], r.details["after"]) for r in rows] == [
        ([], [first]), ([first], [renamed]), ([renamed], [second]), ([second], [])]
    assert {(r.actor_id, r.challenge_id, r.subject_type, r.subject_id) for r in rows} == {
        (world.organiser.id, world.challenge.id, "challenge", world.challenge.id)}

"""Updates and stages, milestones and progress, funding sources: the lifecycle services' rules."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.core.audit import AuditEvent
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.portfolio import lifecycle
from app.portfolio.models import ProjectUpdate
from tests.portfolio.lifecycle_support import events_of, lifecycle_world, make_project


@pytest.fixture
def world(db, frozen_clock):
    return lifecycle_world()


# --- updates and stages ---------------------------------------------------------------------------

def test_an_update_without_a_stage_keeps_the_stage_and_tells_followers(db, world, frozen_clock):
    frozen_clock.advance(hours=2)
    update = lifecycle.add_update(world.project, world.organiser, "  First patients  ", "Ten *patients* enrolled.")
    assert (update.title, update.body, update.stage_from, update.stage_to) == \
        ("First patients", "Ten *patients* enrolled.", None, None)
    assert update.author_id == world.organiser.id and update.created_at == frozen_clock.now()
    project = db.session.get(type(world.project), world.project.id)
    assert project.stage == "pilot" and project.version == 1 and project.updated_at == frozen_clock.now()
    assert [kind for kind, _summary in events_of(project.id)] == ["update"]
    audit = db.session.query(AuditEvent).filter_by(action="project.update_added").one()
    assert audit.actor_id == world.organiser.id and audit.subject_id == project.id
    assert audit.challenge_id == world.challenge.id


def test_a_stage_change_is_recorded_on_the_update_and_the_project(db, world):
    update = lifecycle.add_update(world.project, world.admin, "Deployed city-wide", "", stage="deployed")
    assert (update.stage_from, update.stage_to) == ("pilot", "deployed")
    project = db.session.get(type(world.project), world.project.id)
    assert project.stage == "deployed" and project.version == 2
    kinds = events_of(project.id)
    assert [k for k, _s in kinds] == ["stage", "update"]
    assert kinds[0][1] == {"from": "pilot", "to": "deployed", "reason": ""}
    assert kinds[1][1]["update_id"] == update.id


def test_the_same_stage_again_is_no_change_and_no_error(db, world):
    update = lifecycle.add_update(world.project, world.admin, "Still piloting", "", stage="pilot")
    assert update.stage_from is None and update.stage_to is None
    assert [k for k, _s in events_of(world.project.id)] == ["update"]
    assert db.session.get(type(world.project), world.project.id).version == 1


def test_stopping_needs_a_reason_and_starting_again_clears_it(db, world):
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.add_update(world.project, world.admin, "Stopped", "", stage="stopped", stopped_reason="   ")
    assert set(refused.value.fields) == {"stopped_reason"}
    db.session.rollback()
    assert db.session.query(ProjectUpdate).count() == 0
    lifecycle.add_update(world.project, world.admin, "Stopped", "", stage="stopped",
                         stopped_reason="The hospital withdrew its support.")
    project = db.session.get(type(world.project), world.project.id)
    assert project.stage == "stopped" and project.stopped_reason == "The hospital withdrew its support."
    assert events_of(project.id)[0] == ("stage", {"from": "pilot", "to": "stopped",
                                                   "reason": "The hospital withdrew its support."})
    lifecycle.add_update(project, world.admin, "Restarted", "New funding.", stage="incubation")
    project = db.session.get(type(world.project), world.project.id)
    assert project.stage == "incubation" and project.stopped_reason == ""


@pytest.mark.parametrize("title, body, stage, fields", [
    ("", "", None, {"title"}),
    (None, "", None, {"title"}),
    ("x" * 201, "", None, {"title"}),
    ("Fine", "y" * 20_001, None, {"body"}),
    ("Fine", "", "finished", {"stage"}),
    ("", "y" * 20_001, "stopped", {"title", "body", "stopped_reason"}),
    ("Fine", 12, None, {"body"}),
    ("Nul \x00 inside", "", None, {"title"}),
])
def test_updates_refuse_bad_values_field_by_field(db, world, title, body, stage, fields):
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.add_update(world.project, world.admin, title, body, stage=stage)
    assert set(refused.value.fields) == fields


def test_the_longest_values_are_accepted(db, world):
    update = lifecycle.add_update(world.project, world.admin, "t" * 200, "b" * 20_000)
    assert len(update.title) == 200 and len(update.body) == 20_000


@pytest.mark.parametrize("who", ["participant", "other_organiser"])
def test_only_editors_post_updates(db, world, who):
    with pytest.raises(Forbidden):
        lifecycle.add_update(world.project, getattr(world, who), "Hello", "")
    assert db.session.query(ProjectUpdate).count() == 0


def test_a_local_initiative_is_edited_by_administrators_only(db, world):
    local = make_project(title="Local initiative")
    with pytest.raises(Forbidden):
        lifecycle.add_update(local, world.organiser, "Hello", "")
    assert lifecycle.add_update(local, world.admin, "Hello", "").id


def test_a_stage_changed_by_editing_goes_on_the_timeline(db, world):
    project = lifecycle.locked_project(world.project, world.admin)
    update = lifecycle.record_stage_change(project, world.admin, "scaled")
    db.session.commit()
    assert update.title == "Stage changed" and (update.stage_from, update.stage_to) == ("pilot", "scaled")
    assert lifecycle.record_stage_change(project, world.admin, "scaled") is None


# --- milestones -----------------------------------------------------------------------------------

def test_milestones_give_the_progress_and_done_defaults_to_today(db, world, frozen_clock):
    first = lifecycle.add_milestone(world.project, world.admin, {"title": "Ethics approval",
                                                                  "planned_on": "2026-10-01"})
    second = lifecycle.add_milestone(world.project, world.admin, {"title": "First patients",
                                                                   "planned_on": dt.date(2026, 12, 1)})
    assert lifecycle.page_context(world.project)["progress"] == 0
    done = lifecycle.set_milestone_done(world.project, world.organiser, first.id)
    # 10:00 UTC on 20 November is the same day in Bucharest.
    assert done.done and done.done_on == dt.date(2026, 11, 20)
    context = lifecycle.page_context(world.project)
    assert (context["progress"], context["done"]) == (50, 1)
    lifecycle.set_milestone_done(world.project, world.organiser, second.id, done_on="2026-11-18")
    assert lifecycle.page_context(world.project)["progress"] == 100
    reopened = lifecycle.set_milestone_done(world.project, world.organiser, first.id, done=False)
    assert not reopened.done and reopened.done_on is None
    assert lifecycle.page_context(world.project)["progress"] == 50


def test_today_is_the_citys_day(db, world, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 11, 20, 22, 30, tzinfo=dt.timezone.utc))  # 00:30 on the 21st in Iași
    milestone = lifecycle.add_milestone(world.project, world.admin, {"title": "Launch", "done": True})
    assert milestone.done_on == dt.date(2026, 11, 21)


def test_milestone_events_tell_done_reopened_and_progress(db, world):
    milestone = lifecycle.add_milestone(world.project, world.admin, {"title": "Ethics approval"})
    lifecycle.add_milestone(world.project, world.admin, {"title": "Enrolment"})
    lifecycle.set_milestone_done(world.project, world.admin, milestone.id)
    lifecycle.update_milestone(world.project, world.admin, milestone.id, {"title": "Ethics approval granted"})
    lifecycle.set_milestone_done(world.project, world.admin, milestone.id, done=False)
    kinds = events_of(world.project.id)
    # Adding open milestones leaves the bar empty: nothing to tell yet.
    assert kinds[0][0] == "milestone" and kinds[0][1]["done"] is True and kinds[0][1]["title"] == "Ethics approval"
    assert kinds[1] == ("progress", {"from": 0, "to": 50})
    # Renaming is not news; reopening is.
    assert kinds[2][0] == "milestone" and kinds[2][1]["done"] is False
    assert kinds[3] == ("progress", {"from": 50, "to": 0})
    assert len(kinds) == 4


def test_a_first_milestone_already_done_moves_the_bar(db, world):
    lifecycle.add_milestone(world.project, world.admin, {"title": "Kick-off", "done": True})
    assert [kind for kind, _s in events_of(world.project.id)] == ["milestone", "progress"]
    assert events_of(world.project.id)[1][1] == {"from": None, "to": 100}


def test_overdue_milestones_follow_the_clock(db, world, frozen_clock):
    lifecycle.add_milestone(world.project, world.admin, {"title": "Past", "planned_on": "2026-11-19"})
    lifecycle.add_milestone(world.project, world.admin, {"title": "Today", "planned_on": "2026-11-20"})
    lifecycle.add_milestone(world.project, world.admin, {"title": "Done", "planned_on": "2026-11-01", "done": True,
                                                         "done_on": "2026-11-02"})
    lifecycle.add_milestone(world.project, world.admin, {"title": "Undated"})
    context = lifecycle.page_context(world.project)
    assert context["overdue"] == 1
    assert [m.title for m in context["milestones"] if m.overdue] == ["Past"]
    frozen_clock.advance(days=1)
    assert lifecycle.page_context(world.project)["overdue"] == 2


@pytest.mark.parametrize("data, fields", [
    ({"title": ""}, {"title"}),
    ({"title": "x" * 201}, {"title"}),
    ({"title": "Ok", "planned_on": "31/12/2026"}, {"planned_on"}),
    ({"title": "Ok", "done": "yes"}, {"done"}),
    ({"title": "Ok", "done_on": "2026-11-01"}, {"done_on"}),
    ({"title": "Ok", "done": True, "done_on": "2026-11-21"}, {"done_on"}),
    ({"title": "Ok", "planned_on": 20261231}, {"planned_on"}),
])
def test_milestones_refuse_bad_values(db, world, data, fields):
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.add_milestone(world.project, world.admin, data)
    assert set(refused.value.fields) == fields


def test_a_milestone_of_another_project_is_not_found(db, world):
    other = make_project(title="Other", origin_challenge=world.challenge)
    foreign = lifecycle.add_milestone(other, world.admin, {"title": "Theirs"})
    for action in (lambda: lifecycle.update_milestone(world.project, world.admin, foreign.id, {"title": "Mine"}),
                   lambda: lifecycle.set_milestone_done(world.project, world.admin, foreign.id),
                   lambda: lifecycle.remove_milestone(world.project, world.admin, foreign.id),
                   lambda: lifecycle.remove_milestone(world.project, world.admin, 2**40)):
        with pytest.raises(NotFound):
            action()
        db.session.rollback()


def test_removing_a_milestone_recomputes_the_progress(db, world):
    keep = lifecycle.add_milestone(world.project, world.admin, {"title": "Done", "done": True})
    drop = lifecycle.add_milestone(world.project, world.admin, {"title": "Open"})
    assert lifecycle.page_context(world.project)["progress"] == 50
    lifecycle.remove_milestone(world.project, world.admin, drop.id)
    context = lifecycle.page_context(world.project)
    assert context["progress"] == 100 and [m.id for m in context["milestones"]] == [keep.id]
    assert events_of(world.project.id)[-1] == ("progress", {"from": 50, "to": 100})


# --- funding --------------------------------------------------------------------------------------

def test_funding_sources_show_co_financing_per_currency(db, world):
    lifecycle.add_funding(world.project, world.admin, {"programme": "PNRR", "amount": "300000", "currency": "eur",
                                                        "starts_on": "2026-01-01", "ends_on": "2027-12-31"})
    lifecycle.add_funding(world.project, world.admin, {"programme": "Municipal budget", "amount": 100000})
    lifecycle.add_funding(world.project, world.admin, {"programme": "County council", "amount": "50000.50",
                                                        "currency": "RON"})
    lifecycle.add_funding(world.project, world.admin, {"programme": "Private donors"})
    context = lifecycle.page_context(world.project)
    shares = {s.programme: s.share for s in context["funding"]}
    assert shares == {"PNRR": 75.0, "Municipal budget": 25.0, "County council": 100.0, "Private donors": None}
    totals = {t.currency: (t.total, t.sources, t.unknown) for t in context["funding_totals"]}
    assert totals == {"EUR": (Decimal("400000.00"), 3, 1), "RON": (Decimal("50000.50"), 1, 0)}
    assert db.session.get(type(world.project), world.project.id).version == 5


@pytest.mark.parametrize("data, fields", [
    ({}, {"programme"}),
    ({"programme": "x" * 201}, {"programme"}),
    ({"programme": "ESF", "amount": -1}, {"amount"}),
    ({"programme": "ESF", "amount": "lots"}, {"amount"}),
    ({"programme": "ESF", "amount": "1.005"}, {"amount"}),
    ({"programme": "ESF", "currency": "EURO"}, {"currency"}),
    ({"programme": "ESF", "currency": "€"}, {"currency"}),
    ({"programme": "ESF", "starts_on": "2027-01-01", "ends_on": "2026-01-01"}, {"ends_on"}),
    ({"programme": "ESF", "starts_on": "soon"}, {"starts_on"}),
])
def test_funding_sources_refuse_bad_values(db, world, data, fields):
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.add_funding(world.project, world.admin, data)
    assert set(refused.value.fields) == fields


def test_changing_a_funding_source_keeps_the_period_in_order(db, world):
    source = lifecycle.add_funding(world.project, world.admin, {"programme": "ESF", "starts_on": "2026-01-01",
                                                                 "ends_on": "2026-12-31"})
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.update_funding(world.project, world.admin, source.id, {"starts_on": "2027-01-01"})
    assert set(refused.value.fields) == {"ends_on"}
    db.session.rollback()
    changed = lifecycle.update_funding(world.project, world.admin, source.id, {"amount": "1000", "currency": "RON"})
    assert (changed.programme, changed.amount, changed.currency) == ("ESF", Decimal("1000.00"), "RON")
    lifecycle.remove_funding(world.project, world.admin, source.id)
    assert lifecycle.page_context(world.project)["funding"] == []
    actions = [a.action for a in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions == ["project.funding_added", "project.funding_changed", "project.funding_removed"]


@pytest.mark.parametrize("who", ["participant", "other_organiser"])
def test_only_editors_change_milestones_and_funding(db, world, who):
    person = getattr(world, who)
    milestone = lifecycle.add_milestone(world.project, world.admin, {"title": "Ethics"})
    for action in (lambda: lifecycle.add_milestone(world.project, person, {"title": "Mine"}),
                   lambda: lifecycle.set_milestone_done(world.project, person, milestone.id),
                   lambda: lifecycle.remove_milestone(world.project, person, milestone.id),
                   lambda: lifecycle.add_funding(world.project, person, {"programme": "ESF"})):
        with pytest.raises(Forbidden):
            action()
    assert [m.title for m in lifecycle.page_context(world.project)["milestones"]] == ["Ethics"]

"""Promoting a published challenge's entry: who may, when, what is copied, who becomes a contact
and follows, the frozen origin that no later edit touches, and promoting twice (also at once)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from app.core.audit import AuditEvent
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db as database
from app.portfolio import promotion
from app.portfolio.models import Follow, PortfolioProject, ProjectContact
from app.portfolio.services import promote_idea, update_project
from app.results.models import Award
from app.submissions.models import Idea
from app.teams.models import Team
from tests.factories import make_challenge, make_idea, make_team
from tests.portfolio.scenario import portfolio, published
from tests.results.scenario import judged


def test_an_awarded_entry_starts_in_incubation_with_its_content_and_frozen_origin(db):
    world = portfolio(db)
    project = world.promoted
    alpha = world.ideas["Alpha"]
    assert project.stage == "incubation" and project.reference.startswith("SH-")
    assert (project.title, project.summary) == ("Idea Alpha", "Summary of Alpha.")
    assert "Readmissions are frequent." in project.description
    assert "A tablet and a scale send daily readings." in project.description
    assert "Older patients." in project.description
    assert project.themes == ["Telemedicine"] and project.budget == alpha.budget_requested
    assert (project.origin_challenge_id, project.origin_idea_id) == (world.challenge.id, alpha.id)
    assert project.origin == {"challenge_id": world.challenge.id, "challenge_title": "Smart Health City Iași 2026",
                              "idea_id": alpha.id, "idea_title": "Idea Alpha", "team": "Team Alpha",
                              "awards": [{"name": "First prize", "amount": 25000.0}]}
    assert "idea alpha" in project.search_text and "telemedicine" in project.search_text


def test_an_entry_without_award_starts_on_the_shelf_as_an_idea(db):
    world, _admin = published(db)
    project = promote_idea(world.ideas["Gamma"], world.organiser)
    assert project.stage == "idea" and project.origin["awards"] == []


@pytest.mark.parametrize("stage", ["idea", "incubation", "pilot"])
def test_the_organiser_may_choose_the_first_stage(db, stage):
    world, _admin = published(db)
    assert promote_idea(world.ideas["Beta"], world.organiser, stage).stage == stage


@pytest.mark.parametrize("stage", ["deployed", "scaled", "stopped", "finished", 3])
def test_other_first_stages_are_refused(db, stage):
    world, _admin = published(db)
    with pytest.raises(ValidationFailed) as refused:
        promote_idea(world.ideas["Beta"], world.organiser, stage)
    assert set(refused.value.fields) == {"stage"}
    database.session.rollback()
    assert database.session.scalar(select(PortfolioProject.id)) is None


def test_the_organisation_is_that_of_the_challenges_organiser(db):
    world, _admin = published(db)
    world.organiser.organisation = "Primăria Municipiului Iași"
    database.session.commit()
    assert promote_idea(world.ideas["Beta"], world.organiser).organisation == "Primăria Municipiului Iași"


def test_named_members_become_contacts_and_every_member_follows(db):
    world = portfolio(db)
    ana, andrei = world.world.members["Alpha"]
    contacts = database.session.scalars(select(ProjectContact).where(ProjectContact.project_id == world.promoted.id)
                                        .order_by(ProjectContact.position)).all()
    assert [(c.name, c.user_id) for c in contacts] == [("Ana Alpha", ana.id)]
    followers = set(database.session.scalars(select(Follow.user_id).where(Follow.project_id == world.promoted.id)))
    assert followers == {ana.id, andrei.id}


def test_contacts_never_carry_an_address(db):
    from app.portfolio.services import project_json

    world = portfolio(db)
    body = project_json(world.promoted)
    assert body["contacts"] == [{"name": "Ana Alpha", "role": ""}]
    assert body["contact"] == {"name": "", "email": ""}
    assert "@" not in str(body)


def test_promotion_is_audited(db):
    world = portfolio(db)
    [row] = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "project.promoted")).all()
    assert (row.actor_id, row.subject_id, row.challenge_id) == (world.organiser.id, world.promoted.id,
                                                                world.challenge.id)
    assert row.details["idea_id"] == world.ideas["Alpha"].id and row.details["stage"] == "incubation"
    assert (row.details["contacts"], row.details["followers"]) == (1, 2)


def test_the_origin_survives_every_later_edit(db):
    world = portfolio(db)
    project, alpha = world.promoted, world.ideas["Alpha"]
    frozen = dict(project.origin)
    # The entry, its team and its awards change afterwards (by hand: the pages no longer allow it)...
    alpha.title, alpha.summary = "Renamed idea", "Rewritten."
    database.session.execute(update(Team).where(Team.id == alpha.team_id).values(name="Team Renamed"))
    database.session.execute(update(Award).where(Award.idea_id == alpha.id).values(name="Other prize", amount=1))
    world.challenge.title = "Renamed challenge"
    database.session.commit()
    # ...and the project is edited, even with origin fields in the body.
    update_project(project, world.organiser, {"title": "Heart failure at home", "stage": "pilot",
                                              "origin": {"challenge_id": 999}, "origin_idea_id": 999,
                                              "origin_challenge_id": 999})
    update_project(project, world.admin, {"summary": "Now a pilot in two hospitals."})
    database.session.expire_all()
    project = database.session.get(PortfolioProject, project.id)
    assert project.origin == frozen
    assert (project.origin_challenge_id, project.origin_idea_id) == (world.challenge.id, alpha.id)
    assert (project.title, project.stage) == ("Heart failure at home", "pilot")


def test_an_entry_is_promoted_once(db):
    world = portfolio(db)
    with pytest.raises(Conflict) as refused:
        promote_idea(world.ideas["Alpha"], world.organiser, "idea")
    assert refused.value.code == "already_promoted"
    database.session.rollback()
    assert database.session.scalar(select(database.func.count(PortfolioProject.id))
                                   .where(PortfolioProject.origin_idea_id == world.ideas["Alpha"].id)) == 1


def test_a_promotion_that_slips_past_the_checks_is_stopped_by_the_unique_origin(db, monkeypatch):
    world = portfolio(db)
    monkeypatch.setattr(promotion, "check_promotable", lambda plan: None)
    with pytest.raises(Conflict) as refused:
        promote_idea(world.ideas["Alpha"], world.organiser)
    assert refused.value.code == "already_promoted"


def test_two_organisers_promoting_at_the_same_moment_make_one_project(app):
    from app.accounts.models import User

    with app.app_context():
        world, admin = published()
        idea_id, user_ids = world.ideas["Beta"].id, [world.organiser.id, admin.id]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(user_id: int) -> None:
        with app.app_context():
            user, idea = database.session.get(User, user_id), database.session.get(Idea, idea_id)
            barrier.wait(timeout=30)
            try:
                promote_idea(idea, user)
                outcomes.append("promoted")
            except Conflict as error:
                outcomes.append(error.code)
            finally:
                database.session.remove()

    workers = [threading.Thread(target=work, args=(uid,)) for uid in user_ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(outcomes) == ["already_promoted", "promoted"]
    with app.app_context():
        assert database.session.scalar(select(database.func.count(PortfolioProject.id))) == 1


def test_nothing_is_promoted_before_the_results_are_published(db):
    world = judged(db)
    with pytest.raises(Conflict) as refused:
        promote_idea(world.ideas["Alpha"], world.organiser)
    assert refused.value.code == "not_published"


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_only_submitted_entries_are_promoted(db, status):
    world, _admin = published(db)
    name = {"draft": "Epsilon", "withdrawn": "Withdrawn"}[status]
    with pytest.raises(Conflict) as refused:
        promote_idea(world.ideas[name], world.organiser)
    assert refused.value.code == "not_promotable"


def test_an_entry_not_retained_after_a_shortlist_may_be_promoted(db):
    world, _admin = published(db)
    world.ideas["Delta"].status = "not_retained"
    database.session.commit()
    assert promote_idea(world.ideas["Delta"], world.organiser).stage == "idea"


@pytest.mark.parametrize("who, refusal", [("member", Forbidden), ("juror", Forbidden), ("outsider", NotFound),
                                          ("anonymous", NotFound), ("other_organiser", NotFound)])
def test_only_the_challenges_organisers_promote(db, who, refusal):
    world, _admin = published(db)
    other_organiser = world.outsider
    make_challenge(title="Another challenge", organisers=[other_organiser])
    users = {"member": world.members["Beta"][0], "juror": world.jurors[0], "outsider": world.outsider,
             "anonymous": None, "other_organiser": other_organiser}
    # Juror 1 is assigned to Beta and still sees it: seen, not theirs to promote.
    with pytest.raises(refusal):
        promote_idea(world.ideas["Beta"], users[who])
    database.session.rollback()
    assert database.session.scalar(select(PortfolioProject.id)) is None


def test_an_administrator_may_promote(db):
    world, admin = published(db)
    assert promote_idea(world.ideas["Gamma"], admin).created_by_id == admin.id


def test_the_plan_reads_a_constant_number_of_queries_whatever_the_team_size(db):
    from sqlalchemy import event

    from tests.conftest import make_user

    challenge = make_challenge(status="published")
    counts = []
    for size in (2, 10):
        members = [make_user(f"m{size}-{n}@example.org", name=f"Member {n}") for n in range(size)]
        idea = make_idea(make_team(challenge, *members), status="submitted")
        statements: list[str] = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(database.engine, "before_cursor_execute", listen)
        try:
            plan = promotion.promotion_plan(database.session.get(Idea, idea.id))
        finally:
            event.remove(database.engine, "before_cursor_execute", listen)
        assert len(plan.members) == size
        counts.append(len(statements))
        database.session.expire_all()
    assert counts[0] == counts[1]

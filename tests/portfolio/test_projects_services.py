"""Local initiatives and edits through the services: reference codes (also under concurrency),
search text, versions, stage changes on the timeline, audit rows, and who may write."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.core.errors import Conflict, Forbidden, Unauthorised, ValidationFailed
from app.extensions import db as database
from app.portfolio.models import FundingSource, PortfolioProject, ProjectEvent, ProjectUpdate
from app.portfolio.services import create_project, project_json, update_project
from tests.conftest import make_user
from tests.portfolio.scenario import LOCAL, portfolio

BASIC = {"title": "Mobile clinic for Păcurari", "summary": "A van with a nurse visits twice a week.",
         "organisation": "Primăria Iași", "stage": "idea"}


def audits(action):
    return database.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.id)).all()


def test_a_local_initiative_gets_every_field_and_the_next_code_of_the_year(db, frozen_clock):
    admin = make_user("admin@example.org", admin=True)
    first = create_project(admin, BASIC)
    project = create_project(admin, LOCAL[0])
    assert (first.reference, project.reference) == ("SH-2026-001", "SH-2026-002")
    body = project_json(project)
    assert body["stage"] == "pilot" and body["organisation"] == "Direcția de Sănătate Publică Iași"
    assert body["themes"] == ["Telemedicine", "Rural health"]
    assert body["partners"] == ["Spitalul Județean Iași", "UMF Iași"]
    assert body["funding_sources"] == [
        {"programme": "PNRR", "amount": 120000.0, "currency": "EUR", "starts_on": "2026-01-01",
         "ends_on": "2027-12-31"},
        {"programme": "Municipal budget", "amount": None, "currency": "EUR", "starts_on": None, "ends_on": None}]
    assert body["budget"] == 150000.0 and body["currency"] == "EUR"
    assert body["location"] == {"name": "Iași", "latitude": 47.1585, "longitude": 27.6014}
    assert (body["starts_on"], body["ends_on"]) == ("2026-01-01", "2027-12-31")
    assert body["contact"] == {"name": "Dana Popescu", "email": "dana@dsp-iasi.example.org"}
    assert body["website"] == "https://dsp-iasi.example.org/telemedicine"
    assert body["origin"] is None and body["progress"] is None and body["version"] == 1
    assert body["created_at"] == "2026-11-20T10:00:00+00:00"
    [row] = [a for a in audits("project.created") if a.subject_id == project.id]
    assert row.actor_id == admin.id and row.subject_type == "portfolio_project"
    assert row.details["reference"] == "SH-2026-002"


def test_numbering_starts_again_each_year_and_never_reuses_a_gap(db, frozen_clock):
    admin = make_user("admin@example.org", admin=True)
    assert create_project(admin, BASIC).reference == "SH-2026-001"
    gap = create_project(admin, BASIC)
    assert (gap.reference, create_project(admin, BASIC).reference) == ("SH-2026-002", "SH-2026-003")
    database.session.delete(gap)
    database.session.commit()
    assert create_project(admin, BASIC).reference == "SH-2026-004"
    frozen_clock.set(dt.datetime(2027, 1, 1, 0, 0, 1, tzinfo=dt.timezone.utc))
    assert create_project(admin, BASIC).reference == "SH-2027-001"


def test_projects_entered_at_the_same_moment_get_distinct_sequential_codes(app, frozen_clock):
    from app.accounts.models import User

    with app.app_context():
        admin_id = make_user("admin@example.org", admin=True).id
    threads, per_thread = 6, 3
    barrier = threading.Barrier(threads)
    codes: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            with app.app_context():
                admin = database.session.get(User, admin_id)
                barrier.wait(timeout=30)
                for i in range(per_thread):
                    project = create_project(admin, {**BASIC, "title": f"Project {n}-{i}"})
                    with lock:
                        codes.append(project.reference)
                database.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not failures, failures
    assert sorted(codes) == [f"SH-2026-{n:03d}" for n in range(1, threads * per_thread + 1)]


@pytest.mark.parametrize("actor", ["organiser", "participant", "juror", "outsider", "anonymous"])
def test_only_administrators_enter_local_initiatives(db, actor):
    world = portfolio(db)
    users = {"organiser": world.organiser, "participant": world.world.members["Alpha"][0],
             "juror": world.world.jurors[0], "outsider": world.world.outsider, "anonymous": None}
    before = database.session.scalar(select(database.func.count(PortfolioProject.id)))
    with pytest.raises(Unauthorised if actor == "anonymous" else Forbidden):
        create_project(users[actor], BASIC)
    assert database.session.scalar(select(database.func.count(PortfolioProject.id))) == before


def test_search_text_folds_every_searchable_field(db):
    world = portfolio(db)
    text = world.local["Telemedicine for rural Iași"].search_text
    for word in ("telemedicine for rural iasi", "village clinics", "family doctors", "directia de sanatate publica",
                 "rural health", "spitalul judetean iasi", "umf iasi", "sh-2026-", "pnrr", "municipal budget"):
        assert word in text, word
    assert "dana" not in text  # contacts are not searched


def test_search_text_follows_every_edit(db):
    world = portfolio(db)
    project = world.local["Diabetes screening in Copou"]
    update_project(project, world.admin, {"title": "Screening în Tătărași", "partners": ["Farmacia Sfântul Spiridon"],
                                          "location": "Tătărași", "funding_sources": ["Fondul Social European"],
                                          "themes": ["Diabet"], "description": "Adulți peste 40 de ani",
                                          "organisation": "Asociația Română de Diabet"})
    text = database.session.get(PortfolioProject, project.id).search_text
    for word in ("screening in tatarasi", "farmacia sfantul spiridon", "fondul social european", "diabet",
                 "adulti peste 40", "asociatia romana de diabet"):
        assert word in text, word
    assert "copou" not in text and "eu4health" not in text


def test_an_edit_raises_the_version_and_is_audited_with_the_changed_fields(db):
    world = portfolio(db)
    project = world.local["Diabetes screening in Copou"]
    update_project(project, world.admin, {"title": "Diabetes screening in Copou", "summary": "New summary.",
                                          "location": {"name": "Copou", "latitude": 47.18, "longitude": 27.56},
                                          "funding_sources": [{"programme": "EU4Health", "amount": 9000}]},
                   version=1)
    assert project.version == 2
    [row] = audits("project.updated")
    assert row.details["changed"] == ["summary", "location", "funding_sources"]
    assert row.subject_id == project.id and row.actor_id == world.admin.id
    funding = database.session.scalars(select(FundingSource).where(FundingSource.project_id == project.id)).all()
    assert [(f.programme, f.amount) for f in funding] == [("EU4Health", Decimal("9000.00"))]


def test_saving_the_same_values_changes_nothing(db):
    world = portfolio(db)
    project = world.local["Telemedicine for rural Iași"]
    update_project(project, world.admin, dict(LOCAL[0]), version=1)
    assert project.version == 1
    assert audits("project.updated") == []


def test_a_stale_version_is_refused_and_nothing_is_overwritten(db):
    world = portfolio(db)
    project = world.local["Diabetes screening in Copou"]
    update_project(project, world.admin, {"summary": "First editor."}, version=1)
    with pytest.raises(Conflict) as refused:
        update_project(project, world.admin, {"summary": "Second editor, stale."}, version=1)
    assert refused.value.code == "version_conflict"
    database.session.rollback()
    assert database.session.get(PortfolioProject, project.id).summary == "First editor."


def test_a_stage_change_by_editing_goes_on_the_timeline_and_to_followers(db):
    world = portfolio(db)
    project = world.local["Diabetes screening in Copou"]
    update_project(project, world.admin, {"stage": "scaled"})
    [update] = database.session.scalars(select(ProjectUpdate).where(ProjectUpdate.project_id == project.id)).all()
    assert (update.stage_from, update.stage_to, update.author_id) == ("deployed", "scaled", world.admin.id)
    assert update.title == "Stage changed"
    events = database.session.scalars(select(ProjectEvent).where(ProjectEvent.project_id == project.id)).all()
    stage = [e for e in events if e.kind == "stage"]
    assert len(stage) == 1 and stage[0].summary["from"] == "deployed" and stage[0].summary["to"] == "scaled"
    assert project.version == 2  # one edit, one version, whatever the timeline records
    assert audits("project.updated")[0].details["changed"] == ["stage"]


def test_stopping_needs_a_reason_and_starting_again_clears_it(db):
    world = portfolio(db)
    project = world.local["Diabetes screening in Copou"]
    with pytest.raises(ValidationFailed) as refused:
        update_project(project, world.admin, {"stage": "stopped"})
    assert set(refused.value.fields) == {"stopped_reason"}
    database.session.rollback()
    update_project(project, world.admin, {"stage": "stopped", "stopped_reason": "The pharmacies withdrew."})
    assert (project.stage, project.stopped_reason) == ("stopped", "The pharmacies withdrew.")
    update = database.session.scalars(select(ProjectUpdate).where(ProjectUpdate.project_id == project.id)).one()
    assert update.stage_to == "stopped"
    update_project(project, world.admin, {"stopped_reason": "The pharmacies withdrew in March."})
    assert project.stopped_reason == "The pharmacies withdrew in March."
    update_project(project, world.admin, {"stage": "pilot"})
    assert (project.stage, project.stopped_reason) == ("pilot", "")


@pytest.mark.parametrize("actor", ["organiser", "participant", "juror", "outsider", "anonymous"])
def test_only_administrators_edit_a_local_initiative(db, actor):
    world = portfolio(db)
    users = {"organiser": world.organiser, "participant": world.world.members["Alpha"][0],
             "juror": world.world.jurors[0], "outsider": world.world.outsider, "anonymous": None}
    project = world.local["Diabetes screening in Copou"]
    with pytest.raises(Unauthorised if actor == "anonymous" else Forbidden):
        update_project(project, users[actor], {"title": "Taken over"})
    database.session.rollback()
    assert database.session.get(PortfolioProject, project.id).title == "Diabetes screening in Copou"

"""The pages to add a local initiative and edit a project: one form with clear sections, errors
shown without losing anything typed, a version check, and every refusal."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from app.extensions import db as database
from app.portfolio.models import FundingSource, PortfolioProject, ProjectUpdate
from tests.conftest import csrf_from, form_post, login
from tests.factories import make_challenge
from tests.portfolio.scenario import portfolio

FORM = {"title": "Mobile clinic for Păcurari", "summary": "A van with a nurse visits twice a week.",
        "description": "Blood pressure and **diabetes** checks.", "themes": "Prevention, Rural health",
        "stage": "pilot", "organisation": "Primăria Iași", "partners": "Crucea Roșie\nFarmacia Catena",
        "budget": "80000", "currency": "EUR",
        "funding-0-programme": "PNRR", "funding-0-amount": "50000", "funding-0-currency": "EUR",
        "funding-0-starts_on": "2026-01-01", "funding-0-ends_on": "2026-12-31",
        "funding-1-programme": "Municipal budget", "funding-1-amount": "30000", "funding-1-currency": "RON",
        "funding-2-programme": "", "funding-2-currency": "EUR",
        "location": "Păcurari", "latitude": "47.17", "longitude": "27.55",
        "starts_on": "2026-02-01", "ends_on": "2026-12-31", "contact_name": "Ioana Pop",
        "contact_email": "ioana@example.org", "website": "https://clinic.example.org"}


@pytest.fixture
def world(app):
    with app.app_context():
        built = portfolio()
        make_challenge(title="Another challenge", organisers=[built.world.outsider])
        return {"promoted": built.promoted.id, "local": built.local["Diabetes screening in Copou"].id}


def signed_in(app, email):
    client = app.test_client()
    if email:
        login(client, email)
    return client


# --- adding a local initiative --------------------------------------------------------------

def test_the_form_has_its_sections(app, world):
    page = signed_in(app, "admin@example.org").get("/portfolio/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for legend in ("About the project", "Organisation and partners", "Funding", "Funding source 3", "Location",
                   "Dates", "Contact"):
        assert f"<legend>{legend}</legend>" in html, legend
    assert 'name="latitude"' in html and 'type="date"' in html


def test_an_administrator_adds_a_local_initiative(app, world):
    client = signed_in(app, "admin@example.org")
    response = form_post(client, "/portfolio/new", FORM)
    assert response.status_code == 302
    with app.app_context():
        project = database.session.scalars(select(PortfolioProject).where(
            PortfolioProject.title == "Mobile clinic for Păcurari")).one()
        assert response.location.endswith(f"/portfolio/{project.id}")
        assert (project.stage, project.organisation, project.location) == ("pilot", "Primăria Iași", "Păcurari")
        assert project.themes == ["Prevention", "Rural health"]
        assert project.partners == ["Crucea Roșie", "Farmacia Catena"]
        assert (project.latitude, project.longitude) == (47.17, 27.55)
        assert [(f.programme, str(f.amount), f.currency) for f in project.funding] == [
            ("PNRR", "50000.00", "EUR"), ("Municipal budget", "30000.00", "RON")]
        assert project.contact_email == "ioana@example.org" and project.origin is None
    assert project.reference.startswith("SH-") and project.reference in client.get(response.location).get_data(
        as_text=True)


def test_errors_are_summarised_and_nothing_typed_is_lost(app, world):
    client = signed_in(app, "admin@example.org")
    data = {**FORM, "title": "", "latitude": "91", "funding-1-programme": "", "website": "javascript:alert(1)",
            "stage": "stopped"}
    response = form_post(client, "/portfolio/new", data, page="/portfolio/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    for message in ("Give the project a title.", "Must be between -90 and 90.", "Name the programme or budget",
                    "Give an address starting with https:// or http://.", "Say why the project stopped."):
        assert message in html, message
    for kept in ("A van with a nurse visits twice a week.", "Crucea Roșie", 'value="30000"', 'value="PNRR"',
                 'value="2026-01-01"', 'value="ioana@example.org"', 'value="Păcurari"'):
        assert kept in html, kept
    with app.app_context():
        assert database.session.scalar(select(PortfolioProject.id).where(
            PortfolioProject.summary == FORM["summary"])) is None


def test_another_funding_row_can_be_added_without_saving(app, world):
    client = signed_in(app, "admin@example.org")
    response = form_post(client, "/portfolio/new", {**FORM, "add_funding": "1"}, page="/portfolio/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Funding source 4" in html and 'value="Municipal budget"' in html and "error-summary" not in html
    with app.app_context():
        assert database.session.scalar(select(PortfolioProject.id).where(
            PortfolioProject.title == FORM["title"])) is None


@pytest.mark.parametrize("email", ["olga@example.org", "a1@example.org", "juror1@example.org",
                                   "out@example.org"])
def test_only_administrators_may_add(app, world, email):
    client = signed_in(app, email)
    assert client.get("/portfolio/new").status_code == 403
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert client.post("/portfolio/new", data={**FORM, "csrf_token": token}).status_code == 403
    with app.app_context():
        assert database.session.scalar(select(PortfolioProject.id).where(
            PortfolioProject.title == FORM["title"])) is None


def test_visitors_are_asked_to_sign_in(app, world):
    client = signed_in(app, None)
    for path in ("/portfolio/new", f"/portfolio/{world['promoted']}/edit"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_a_form_without_its_token_is_refused(app, world):
    assert signed_in(app, "admin@example.org").post("/portfolio/new", data=FORM).status_code == 400


# --- editing ----------------------------------------------------------------------------------

def test_the_edit_form_shows_the_stored_values(app, world):
    html = signed_in(app, "admin@example.org").get(f"/portfolio/{world['local']}/edit").get_data(as_text=True)
    for shown in ('value="Diabetes screening in Copou"', 'value="Asociația Diabet Iași"', 'value="EU4Health"',
                  'value="Copou"', 'name="version" type="hidden" value="1"', "Funding source 2"):
        assert shown in html, shown


def test_an_organiser_of_the_origin_edits_the_promoted_project_and_a_stage_change_is_on_the_timeline(app, world):
    client = signed_in(app, "olga@example.org")
    project_id = world["promoted"]
    page = client.get(f"/portfolio/{project_id}/edit")
    assert page.status_code == 200
    data = {**FORM, "version": "1", "stage": "pilot", "title": "Heart failure at home"}
    response = client.post(f"/portfolio/{project_id}/edit", data={**data, "csrf_token": csrf_from(
        page.get_data(as_text=True))})
    assert response.status_code == 302 and response.location.endswith(f"/portfolio/{project_id}")
    with app.app_context():
        project = database.session.get(PortfolioProject, project_id)
        assert (project.title, project.stage, project.version) == ("Heart failure at home", "pilot", 2)
        assert project.origin["idea_title"] == "Idea Alpha"
        [update] = database.session.scalars(select(ProjectUpdate).where(ProjectUpdate.project_id == project_id))
        assert (update.stage_from, update.stage_to) == ("incubation", "pilot")


def test_a_stale_form_is_refused_and_keeps_what_was_typed(app, world):
    client = signed_in(app, "admin@example.org")
    project_id = world["local"]
    token = csrf_from(client.get(f"/portfolio/{project_id}/edit").get_data(as_text=True))
    first = client.post(f"/portfolio/{project_id}/edit",
                        data={**FORM, "title": "First", "version": "1", "csrf_token": token})
    assert first.status_code == 302
    second = client.post(f"/portfolio/{project_id}/edit",
                         data={**FORM, "title": "Second, from an old page", "version": "1", "csrf_token": token})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Someone else changed this project" in html and 'value="Second, from an old page"' in html
    with app.app_context():
        assert database.session.get(PortfolioProject, project_id).title == "First"


def test_edit_errors_answer_422_on_the_form(app, world):
    client = signed_in(app, "admin@example.org")
    response = form_post(client, f"/portfolio/{world['local']}/edit", {**FORM, "summary": "", "version": "1"})
    assert response.status_code == 422
    assert "Write a short summary of the project." in response.get_data(as_text=True)


@pytest.mark.parametrize("email, project", [
    ("olga@example.org", "local"), ("a1@example.org", "promoted"), ("juror1@example.org", "promoted"),
    ("out@example.org", "promoted"), ("b1@example.org", "local")])
def test_everyone_else_is_refused_the_edit_page(app, world, email, project):
    client = signed_in(app, email)
    project_id = world[project]
    assert client.get(f"/portfolio/{project_id}/edit").status_code == 403
    token = csrf_from(client.get("/account").get_data(as_text=True))
    response = client.post(f"/portfolio/{project_id}/edit", data={**FORM, "version": "1", "csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        assert database.session.get(PortfolioProject, project_id).title != FORM["title"]


def test_an_unknown_project_has_no_edit_page(app, world):
    assert signed_in(app, "admin@example.org").get("/portfolio/999999/edit").status_code == 404


def count_queries(client, path: str) -> int:
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with client.application.app_context():
        engine = database.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def test_the_edit_page_needs_the_same_queries_for_2_or_10_funding_sources(app, world):
    client = signed_in(app, "admin@example.org")
    counts = []
    for sources in (2, 10):
        with app.app_context():
            database.session.query(FundingSource).filter_by(project_id=world["local"]).delete()
            database.session.add_all(FundingSource(project_id=world["local"], programme=f"Source {n}")
                                     for n in range(sources))
            database.session.commit()
        counts.append(count_queries(client, f"/portfolio/{world['local']}/edit"))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("locale, path, expected", [
    ("ro", "/portfolio/new", "<legend>Despre proiect</legend>"),
    ("fr", "/portfolio/{local}/edit", "<h1>Modifier le projet</h1>"),
    ("it", "/portfolio/{local}/edit", "Fonte di finanziamento 2"),
    ("da", "/portfolio/new", "Tilføj endnu en finansieringskilde")])
def test_the_pages_speak_the_readers_language(app, world, locale, path, expected):
    from app.accounts.models import User

    with app.app_context():
        database.session.execute(database.update(User).where(User.email == "admin@example.org").values(locale=locale))
        database.session.commit()
    html = signed_in(app, "admin@example.org").get(path.format(local=world["local"])).get_data(as_text=True)
    assert f'lang="{locale}"' in html and expected in html

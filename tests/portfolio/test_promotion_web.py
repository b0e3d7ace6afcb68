"""The promotion page: a check-your-answers page showing what will be copied and who becomes a
contact, the stage choice, then the project; and every refusal."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select, update

from app.accounts.models import User
from app.extensions import db as database
from app.portfolio.models import PortfolioProject
from app.teams.models import TeamMember
from tests.conftest import csrf_from, form_post, login, make_user
from tests.factories import make_challenge, make_idea, make_team
from tests.portfolio.scenario import published
from tests.results.scenario import judged


@pytest.fixture
def world(app):
    with app.app_context():
        built, _admin = published()
        make_challenge(title="Another challenge", organisers=[built.outsider])
        return {name: idea.id for name, idea in built.ideas.items()}


def checked(html: str) -> str:
    [value] = re.findall(r'<input checked[^>]*value="(\w+)"', html)
    return value


def signed_in(app, email):
    client = app.test_client()
    if email:
        login(client, email)
    return client


def test_the_page_shows_what_will_be_copied_and_who_becomes_a_contact(app, world):
    html = signed_in(app, "olga@example.org").get(f"/ideas/{world['Beta']}/promote").get_data(as_text=True)
    for shown in ("Idea Beta", "Summary of Beta.", "Readmissions are frequent.", "Telemedicine", "Team Beta",
                  "Jury mention", "Smart Health City Iași 2026", "Bea Beta"):
        assert shown in html, shown
    assert "b1@example.org" not in html
    assert checked(html) == "incubation"  # an awarded entry: incubation is suggested
    assert "Suggested: Incubation, because the entry won an award." in html
    for stage in ("idea", "incubation", "pilot"):
        assert f'value="{stage}"' in html
    assert 'value="deployed"' not in html


def test_an_entry_without_award_is_suggested_as_an_idea(app, world):
    html = signed_in(app, "olga@example.org").get(f"/ideas/{world['Gamma']}/promote").get_data(as_text=True)
    assert checked(html) == "idea"


def test_members_who_chose_not_to_be_named_are_counted_not_named(app, world):
    with app.app_context():
        carla = database.session.scalar(select(User.id).where(User.email == "c1@example.org"))
        database.session.execute(update(TeamMember).where(TeamMember.user_id == carla).values(show_name=False))
        database.session.commit()
    html = signed_in(app, "olga@example.org").get(f"/ideas/{world['Gamma']}/promote").get_data(as_text=True)
    assert "Carla Gamma" not in html
    assert "No member agreed to be named" in html and "1 member chose not to be named" in html


def test_promoting_leads_to_the_project_page(app, world):
    client = signed_in(app, "olga@example.org")
    response = form_post(client, f"/ideas/{world['Beta']}/promote", {"stage": "pilot"})
    assert response.status_code == 302
    with app.app_context():
        project = database.session.scalars(select(PortfolioProject).where(
            PortfolioProject.origin_idea_id == world["Beta"])).one()
        assert project.stage == "pilot"
        assert response.location.endswith(f"/portfolio/{project.id}")
    # Coming back: the entry is in the portfolio already, with a link to it.
    again = client.get(f"/ideas/{world['Beta']}/promote")
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert "This entry is already in the portfolio." in html and f"/portfolio/{project.id}" in html
    assert 'name="stage"' not in html


def test_a_second_promotion_from_an_old_page_answers_409(app, world):
    client = signed_in(app, "olga@example.org")
    token = csrf_from(client.get(f"/ideas/{world['Beta']}/promote").get_data(as_text=True))
    first = client.post(f"/ideas/{world['Beta']}/promote", data={"stage": "idea", "csrf_token": token})
    assert first.status_code == 302
    second = client.post(f"/ideas/{world['Beta']}/promote", data={"stage": "idea", "csrf_token": token})
    assert second.status_code == 409 and "already in the portfolio" in second.get_data(as_text=True)
    with app.app_context():
        assert len(database.session.scalars(select(PortfolioProject.id).where(
            PortfolioProject.origin_idea_id == world["Beta"])).all()) == 1


def test_a_stage_outside_the_choice_answers_422(app, world):
    response = form_post(signed_in(app, "olga@example.org"), f"/ideas/{world['Beta']}/promote", {"stage": "scaled"})
    assert response.status_code == 422 and "Choose one of: idea, incubation, pilot." in response.get_data(as_text=True)


def test_before_publication_the_page_explains_and_refuses(app):
    with app.app_context():
        idea_id = judged().ideas["Alpha"].id
    client = signed_in(app, "olga@example.org")
    page = client.get(f"/ideas/{idea_id}/promote")
    assert page.status_code == 200
    assert "once the challenge&#39;s results are published" in page.get_data(as_text=True)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert client.post(f"/ideas/{idea_id}/promote", data={"csrf_token": token}).status_code == 409


@pytest.mark.parametrize("email, status", [("b1@example.org", 403), ("juror1@example.org", 403),
                                           ("a1@example.org", 404), ("out@example.org", 404)])
def test_everyone_else_is_refused(app, world, email, status):
    client = signed_in(app, email)
    assert client.get(f"/ideas/{world['Beta']}/promote").status_code == status
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert client.post(f"/ideas/{world['Beta']}/promote", data={"csrf_token": token}).status_code == status
    with app.app_context():
        assert database.session.scalar(select(PortfolioProject.id)) is None


def test_visitors_are_asked_to_sign_in(app, world):
    response = signed_in(app, None).get(f"/ideas/{world['Beta']}/promote")
    assert response.status_code == 302 and "/login" in response.location


def test_an_unknown_entry_answers_404(app, world):
    assert signed_in(app, "olga@example.org").get("/ideas/999999/promote").status_code == 404


def test_the_page_needs_the_same_queries_for_a_team_of_2_or_10(app):
    with app.app_context():
        organiser = make_user("olga@example.org", name="Olga Organiser")
        challenge = make_challenge(status="published", organisers=[organiser])
        ideas = {}
        for size in (2, 10):
            members = [make_user(f"m{size}-{n}@example.org", name=f"Member {n}") for n in range(size)]
            ideas[size] = make_idea(make_team(challenge, *members), status="submitted").id
        engine = database.engine
    client = signed_in(app, "olga@example.org")
    counts = []
    for size in (2, 10):
        statements: list[str] = []

        def listen(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", listen)
        try:
            response = client.get(f"/ideas/{ideas[size]}/promote")
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        assert response.status_code == 200
        assert ("Member 9" in response.get_data(as_text=True)) is (size == 10)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_page_speaks_the_organisers_language(app, world):
    with app.app_context():
        database.session.execute(update(User).where(User.email == "olga@example.org").values(locale="ro"))
        database.session.commit()
    html = signed_in(app, "olga@example.org").get(f"/ideas/{world['Beta']}/promote").get_data(as_text=True)
    assert 'lang="ro"' in html and "<h1>Promovați în portofoliu</h1>" in html
    assert "Sugerat: Incubare, pentru că proiectul a câștigat un premiu." in html


@pytest.mark.parametrize("payload", ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">',
                                     '[click](javascript:alert(1))', '<a href="javascript:alert(1)">x</a>',
                                     '<svg onload=alert(1)>'])
def test_what_the_entry_says_is_shown_sanitised(app, world, payload):
    from app.submissions.models import Idea

    with app.app_context():
        idea = database.session.get(Idea, world["Gamma"])
        idea.title, idea.problem, idea.summary = f"Title {payload}", f"Problem {payload}", f"Summary {payload}"
        database.session.commit()
    html = signed_in(app, "olga@example.org").get(f"/ideas/{world['Gamma']}/promote").get_data(as_text=True)
    lowered = html.lower()
    assert "<script>alert" not in lowered and "<svg" not in lowered
    assert not re.search(r"<[^>]+\s(onerror|onload)\s*=", lowered)
    assert not re.search(r"""<[^>]+(href|src)\s*=\s*["']?\s*javascript:""", lowered)

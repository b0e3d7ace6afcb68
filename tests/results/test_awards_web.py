"""The organisers' awards page: giving, changing and taking back awards, errors that lose nothing,
the budget, refusals for everyone else, and a query count that does not grow with the entries."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import event

from app.challenges.models import Challenge
from app.extensions import db as database
from app.results import awards
from tests.conftest import csrf_from, form_post, login, make_user
from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team
from tests.results.scenario import judged

D = Decimal


@pytest.fixture
def world(app, db, frozen_clock):
    made = judged(db)
    db.session.rollback()
    return made


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def banner(response) -> str:
    return " ".join(re.findall(r'<div class="banner banner-\w+" role="\w+">\s*<p>(.*?)</p>', text(response), re.S))


def page(world) -> str:
    return f"/challenges/{world.challenge.id}/awards"


def listed(world):
    database.session.rollback()  # a fresh snapshot: the requests wrote from their own sessions
    return [(a.title, a.name, a.amount) for a in awards.awards_of(world.challenge.id)]


def give(world, name="First prize", amount=None, idea="Alpha"):
    database.session.rollback()
    award = awards.add_award(database.session.get(Challenge, world.challenge.id), world.organiser,
                             idea_id=world.ideas[idea].id, name=name, amount=amount)
    return award.id


# --- the page -------------------------------------------------------------------------------

def test_the_page_lists_the_ranked_entries_the_awards_and_the_budget(app, db, world):
    give(world, amount=D("25000"))
    response = signed_in(app, "olga@example.org").get(page(world))
    html = text(response)
    assert response.status_code == 200 and html.count("<h1") == 1
    assert f'href="/challenges/{world.challenge.id}/console"' in html and 'aria-current="page">Awards<' in html
    entries = html[html.index('id="entries"'):]
    positions = [entries.index(f"Idea {name}") for name in ("Alpha", "Beta", "Gamma", "Delta")]
    assert positions == sorted(positions)
    assert "Idea Epsilon" not in entries and "Idea Withdrawn" not in entries
    assert "€60,000.00" in entries and 'data-label="Score"' in entries and 'scope="col">Requested budget<' in entries
    assert "<dt>Budget</dt><dd>€100,000.00</dd>" in html and "<dt>Remaining</dt><dd>€75,000.00</dd>" in html
    assert "Given by an organiser" in html and "€25,000.00" in html
    assert "<caption" in html and "<script>" not in html and "style=" not in html
    assert f'href="/challenges/{world.challenge.id}/awards/funding"' in html


def test_an_organiser_adds_an_award(app, db, world):
    client = signed_in(app, "olga@example.org")
    response = form_post(client, page(world), {"idea_id": world.ideas["Beta"].id, "name": "Second prize",
                                               "amount": "12 500,50"}, follow_redirects=True)
    assert response.status_code == 200 and "The award “Second prize” is given." in banner(response)
    assert listed(world) == [("Idea Beta", "Second prize", D("12500.50"))]
    assert "<dt>Awarded</dt><dd>€12,500.50</dd>" in text(response)


def test_a_prize_without_money_needs_no_amount(app, db, world):
    client = signed_in(app, "olga@example.org")
    response = form_post(client, page(world), {"idea_id": world.ideas["Gamma"].id, "name": "Mention", "amount": ""})
    assert response.status_code == 302 and listed(world) == [("Idea Gamma", "Mention", None)]


def test_bad_input_shows_an_error_summary_and_keeps_what_was_typed(app, db, world):
    client = signed_in(app, "olga@example.org")
    response = form_post(client, page(world), {"idea_id": world.ideas["Beta"].id, "name": "", "amount": "12.345"})
    html = text(response)
    assert response.status_code == 422 and 'class="error-summary"' in html
    assert '<a href="#name">Give the award a name.</a>' in html
    assert '<a href="#amount">Must be an amount, like 25000 or 25000.50.</a>' in html
    assert 'value="12.345"' in html and f'<option selected value="{world.ideas["Beta"].id}">' in html
    response = form_post(client, page(world), {"idea_id": "", "name": "Prize", "amount": "-5"})
    assert response.status_code == 422 and '<a href="#idea_id">Choose an entry.</a>' in text(response)
    assert 'value="Prize"' in text(response) and listed(world) == []


def test_over_the_budget_the_amount_is_refused_and_nothing_is_lost(app, db, world):
    give(world, amount=D("60000"))
    client = signed_in(app, "olga@example.org")
    response = form_post(client, page(world), {"idea_id": world.ideas["Beta"].id, "name": "Second",
                                               "amount": "50000"})
    html = text(response)
    assert response.status_code == 422 and "Budget exceeded" in html and 'href="#amount"' in html
    assert 'value="Second"' in html and 'value="50000"' in html
    assert listed(world) == [("Idea Alpha", "First prize", D("60000.00"))]


def test_an_organiser_edits_an_award(app, db, world):
    award_id = give(world, amount=D("1000"))
    client = signed_in(app, "olga@example.org")
    html = text(client.get(page(world)))
    token = re.search(rf'name="award-{award_id}-csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(f"{page(world)}/{award_id}", data={
        f"award-{award_id}-csrf_token": token, f"award-{award_id}-name": "Grand prize",
        f"award-{award_id}-amount": "2000.5"}, follow_redirects=True)
    assert "The award “Grand prize” is saved." in banner(response)
    assert listed(world) == [("Idea Alpha", "Grand prize", D("2000.50"))]
    response = client.post(f"{page(world)}/{award_id}", data={
        f"award-{award_id}-csrf_token": token, f"award-{award_id}-name": "Grand prize",
        f"award-{award_id}-amount": "100001"})
    html = text(response)
    assert response.status_code == 422 and "<details open>" in html and "Budget exceeded" in html
    assert 'value="100001"' in html and listed(world) == [("Idea Alpha", "Grand prize", D("2000.50"))]


def test_an_organiser_takes_an_award_back(app, db, world):
    first, second = give(world, "First"), give(world, "Second", idea="Beta")
    client = signed_in(app, "olga@example.org")
    response = form_post(client, f"{page(world)}/{first}/remove", page=page(world), follow_redirects=True)
    assert "The award is taken back." in banner(response)
    assert listed(world) == [("Idea Beta", "Second", None)]
    # Twice (a second tab): said plainly, nothing else changes.
    response = form_post(client, f"{page(world)}/{first}/remove", page=page(world), follow_redirects=True)
    assert "This award no longer exists" in banner(response) and listed(world) == [("Idea Beta", "Second", None)]
    assert second


def test_a_form_without_its_csrf_token_is_refused(app, db, world):
    award_id = give(world)
    client = signed_in(app, "olga@example.org")
    assert client.post(page(world), data={"idea_id": world.ideas["Beta"].id, "name": "X"}).status_code == 400
    assert client.post(f"{page(world)}/{award_id}/remove").status_code == 400
    assert client.post(f"{page(world)}/{award_id}", data={f"award-{award_id}-name": "Y"}).status_code == 400
    assert listed(world) == [("Idea Alpha", "First prize", None)]


@pytest.mark.parametrize("status, message", [("open", "Awards can be given once judging has started."),
                                             ("published", "The results are published, so the awards can no "
                                                           "longer change.")])
def test_outside_judging_the_page_reads_only_and_posts_are_refused(app, db, world, status, message):
    award_id = give(world)
    client = signed_in(app, "olga@example.org")
    token = csrf_from(text(client.get(page(world))))
    database.session.rollback()
    database.session.get(Challenge, world.challenge.id).status = status
    database.session.commit()
    html = text(client.get(page(world)))
    assert message in html and "Give an award" not in html and "Take back" not in html and "First prize" in html
    for path, data in ((page(world), {"idea_id": world.ideas["Beta"].id, "name": "X"}),
                       (f"{page(world)}/{award_id}/remove", {})):
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)
        assert message in banner(response)
    assert listed(world) == [("Idea Alpha", "First prize", None)]


# --- who may see the page ---------------------------------------------------------------------

@pytest.mark.parametrize("email", ["a1@example.org", "juror1@example.org", "out@example.org"])
def test_participants_jurors_and_outsiders_are_refused_403(app, db, world, email):
    award_id = give(world)
    client = signed_in(app, email)
    assert client.get(page(world)).status_code == 403
    assert client.get(f"{page(world)}/funding").status_code == 403
    token = csrf_from(text(client.get("/account")))
    for path in (page(world), f"{page(world)}/{award_id}", f"{page(world)}/{award_id}/remove", f"{page(world)}/funding"):
        assert client.post(path, data={"csrf_token": token, "idea_id": world.ideas["Alpha"].id,
                                       "name": "Mine"}).status_code == 403
    assert listed(world) == [("Idea Alpha", "First prize", None)]


def test_a_hidden_draft_or_an_unknown_challenge_is_404(app, db, world):
    draft = make_challenge(title="Hidden draft", status="draft", organisers=[make_user("owner@example.org")])
    client = signed_in(app, "a1@example.org")
    for challenge_id in (draft.id, 999999):
        assert client.get(f"/challenges/{challenge_id}/awards").status_code == 404
        assert client.get(f"/challenges/{challenge_id}/awards/funding").status_code == 404


def test_visitors_are_asked_to_sign_in(app, world):
    response = app.test_client().get(page(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- queries ----------------------------------------------------------------------------------

def build(entries: int) -> int:
    """A judging call with ``entries`` scored entries, each with an award."""
    organiser = make_user("olga@example.org")
    challenge = make_challenge(status="judging", kind="call", organisers=[organiser], budget_total=D("1000000"))
    jurors = [make_user(f"j{n}@example.org", name=f"Juror {n}") for n in range(3)]
    for juror in jurors:
        make_juror(challenge, juror)
    ideas = []
    for n in range(entries):
        idea = make_idea(make_team(challenge, make_user(f"t{n}@example.org"), name=f"Team {n}"), status="submitted",
                         title=f"Idea {n}", budget_requested=D(1000 * (n + 1)))
        for k, juror in enumerate(jurors):
            make_review(idea, juror, {c.id: 1 + (n + k) % 5 for c in challenge.criteria})
        ideas.append(idea.id)
    for idea_id in ideas:
        awards.add_award(challenge, organiser, idea_id=idea_id, name="Prize", amount=D("10"))
    challenge_id = challenge.id
    database.session.remove()
    return challenge_id


def count_queries(app, path):
    client = signed_in(app, "olga@example.org")
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def empty_tables():
    database.session.remove()
    with database.engine.begin() as connection:
        for table in reversed(database.metadata.sorted_tables):
            connection.execute(table.delete())


def test_the_query_count_does_not_grow_with_the_entries(app, db, frozen_clock):
    counts = []
    for entries in (2, 10):
        challenge_id = build(entries)
        counts.append((count_queries(app, f"/challenges/{challenge_id}/awards"),
                       count_queries(app, f"/challenges/{challenge_id}/awards/funding")))
        empty_tables()
    print(f"awards page and funding page queries for 2 and 10 entries: {counts}")
    assert counts[0] == counts[1], counts
    assert max(counts[1]) <= 25

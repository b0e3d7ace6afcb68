"""The funding proposal page: the proposal in rank order, editing the amounts, applying it, and the
budget that applying may never exceed."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app.accounts.models import User
from app.challenges.models import Challenge
from app.extensions import db as database
from app.results import awards
from tests.conftest import csrf_from, form_post, login
from tests.results.scenario import judged

D = Decimal


@pytest.fixture
def world(app, db, frozen_clock):
    made = judged(db)
    db.session.rollback()
    return made


def signed_in(app, email="olga@example.org"):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def banner(response) -> str:
    return " ".join(re.findall(r'<div class="banner banner-\w+" role="\w+">\s*<p>(.*?)</p>', text(response), re.S))


def path(world) -> str:
    return f"/challenges/{world.challenge.id}/awards/funding"


def listed(world):
    database.session.rollback()
    return [(a.title, a.name, a.amount, a.source) for a in awards.awards_of(world.challenge.id)]


def amounts(world, **by_name):
    return {f"amount-{world.ideas[name].id}": value for name, value in by_name.items()}


def row(html: str, title: str) -> str:
    return re.search(rf"<tr>\s*<td data-label=\"Rank\">\d+</td>\s*<th[^>]*>{title}.*?</tr>", html, re.S).group(0)


def test_the_proposal_funds_in_rank_order_and_says_what_it_skips(app, db, world):
    response = signed_in(app).get(path(world))
    html = text(response)
    assert response.status_code == 200 and html.count("<h1") == 1 and "<caption" in html
    assert f'href="/challenges/{world.challenge.id}/awards">Awards</a>' in html
    alpha, beta, gamma, delta = (row(html, f"Idea {n}") for n in ("Alpha", "Beta", "Gamma", "Delta"))
    assert "Funded" in alpha and 'value="60000.00"' in alpha and "€40,000.00" in alpha
    assert "Skipped: no longer fits the budget" in beta and 'value=""' in beta and "€40,000.00" in beta
    assert "Funded" in gamma and 'value="30000.00"' in gamma and "€10,000.00" in gamma
    assert "No amount requested" in delta and 'value=""' in delta
    assert 'for="amount-%d">Amount for Idea Beta, in EUR</label>' % world.ideas["Beta"].id in html
    assert 'name="name" required type="text" value="Funding"' in html and ">Apply</button>" in html


def test_applying_the_proposal_as_it_stands(app, db, world):
    client = signed_in(app)
    html = text(client.get(path(world)))
    data = {"csrf_token": csrf_from(html), "name": "Funding",
            **{name: value for name, value in re.findall(r'name="(amount-\d+)" value="([^"]*)"', html)}}
    response = client.post(path(world), data=data, follow_redirects=True)
    assert "2 funding awards are given, €90,000.00 in all." in banner(response)
    assert listed(world) == [("Idea Alpha", "Funding", D("60000.00"), "funding"),
                             ("Idea Gamma", "Funding", D("30000.00"), "funding")]


def test_the_organiser_edits_the_amounts_and_the_name_before_applying(app, db, world):
    awards.add_award(database.session.get(Challenge, world.challenge.id), world.organiser,
                     idea_id=world.ideas["Delta"].id, name="Mention", amount=D("4000"))
    client = signed_in(app)
    response = form_post(client, path(world), {"name": "City grant", **amounts(
        world, Alpha="55 000", Beta="40000,50", Gamma="0", Delta="")}, follow_redirects=True)
    assert "2 funding awards are given, €95,000.50 in all." in banner(response)
    assert listed(world) == [("Idea Delta", "Mention", D("4000.00"), "organiser"),
                             ("Idea Alpha", "City grant", D("55000.00"), "funding"),
                             ("Idea Beta", "City grant", D("40000.50"), "funding")]


def test_over_the_budget_says_budget_exceeded_and_keeps_the_amounts(app, db, world):
    client = signed_in(app)
    response = form_post(client, path(world), {"name": "Funding", **amounts(world, Alpha="60000", Beta="50000")})
    html = text(response)
    assert response.status_code == 422 and 'class="error-summary"' in html
    assert re.search(r'<div class="error-summary".*?Budget exceeded', html, re.S)
    assert 'value="60000"' in row(html, "Idea Alpha") and 'value="50000"' in row(html, "Idea Beta")
    assert listed(world) == []


def test_an_amount_that_is_not_one_is_named_next_to_its_entry(app, db, world):
    client = signed_in(app)
    beta = world.ideas["Beta"].id
    response = form_post(client, path(world), {"name": "", **amounts(world, Alpha="1000", Beta="lots")})
    html = text(response)
    assert response.status_code == 422
    assert f'<a href="#amount-{beta}">Idea Beta: Must be an amount, like 25000 or 25000.50.</a>' in html
    assert '<a href="#name">Give the award a name.</a>' in html
    assert 'aria-invalid="true"' in row(html, "Idea Beta") and 'value="lots"' in row(html, "Idea Beta")
    assert 'value="1000"' in row(html, "Idea Alpha") and listed(world) == []


def test_without_a_budget_there_is_nothing_to_apply(app, db, frozen_clock):
    world = judged(db, budget=None)
    database.session.rollback()
    html = text(signed_in(app).get(path(world)))
    assert "This challenge has no budget" in html and ">Apply</button>" not in html


def test_once_published_the_proposal_cannot_be_applied(app, db, world):
    client = signed_in(app)
    token = csrf_from(text(client.get(path(world))))
    database.session.rollback()
    database.session.get(Challenge, world.challenge.id).status = "published"
    database.session.commit()
    html = text(client.get(path(world)))
    assert "the proposal cannot be applied" in html and ">Apply</button>" not in html and " disabled>" in html
    response = client.post(path(world), data={"csrf_token": token, "name": "Funding",
                                              **amounts(world, Alpha="60000")}, follow_redirects=True)
    assert "The results are published, so the awards can no longer change." in banner(response)
    assert listed(world) == []


def test_the_page_speaks_the_organisers_language(app, db, world):
    database.session.get(User, world.organiser.id).locale = "ro"
    database.session.commit()
    html = text(signed_in(app).get(path(world)))
    assert '<html lang="ro">' in html and "Funding proposal" not in html and "Skipped: no longer fits" not in html

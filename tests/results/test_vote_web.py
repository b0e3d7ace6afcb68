"""The People's choice pages: voting and taking back from the public page, every refusal, counts
hidden until the vote closes, the organisers' page, the challenge page's link, query counts."""
from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from sqlalchemy import event, select

from app.extensions import db as database
from app.results import votes
from app.results.models import Award
from tests.conftest import csrf_from, form_post, login
from tests.results.test_vote_world import settle, more_entries, open_world, vote_rows, voter


@contextlib.contextmanager
def counting(engine):
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


@pytest.fixture
def world(db):
    made = open_world(db)
    database.session.commit()
    return made


def signed_in(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def banner(response) -> str:
    return " ".join(re.findall(r'<div class="banner banner-\w+" role="\w+">\s*<p>(.*?)</p>', text(response), re.S))


def page(world) -> str:
    return f"/challenges/{world.challenge.id}/vote"


def manage(world) -> str:
    return f"/challenges/{world.challenge.id}/vote/manage"


def cast(client, world, name: str, action: str = "vote"):
    return form_post(client, page(world), {"idea_id": str(world.ideas[name].id), "action": action})


# --- the public page ------------------------------------------------------------------------

def test_anyone_sees_the_entries_but_must_sign_in_to_vote(client, world):
    response = client.get(page(world))
    html = text(response)
    assert response.status_code == 200
    for name in ("Alpha", "Beta", "Gamma", "Delta"):
        assert f"Idea {name}" in html and f"Summary of {name}." in html
    assert "Idea Epsilon" not in html and "Idea Withdrawn" not in html
    assert "Sign in to vote" in html and 'name="action" value="vote"' not in html
    assert "vote-count" not in html and "Votes per entry" not in html
    response = client.post(page(world), data={"idea_id": str(world.ideas["Beta"].id), "action": "vote",
                                              "csrf_token": csrf_from(html)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert vote_rows(world.challenge.id) == []


def test_a_person_votes_and_takes_a_vote_back(app, world):
    client = signed_in(app, voter(1).email)
    html = text(client.get(page(world)))
    assert "You have 3 votes left." in html and html.count('name="action" value="vote"') == 4
    response = cast(client, world, "Beta")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#entry-{world.ideas['Beta'].id}")
    after = client.get(page(world))
    assert "Your vote for “Idea Beta” is counted. You have 2 votes left." in banner(after)
    assert "You voted for this entry" in text(after) and "Take back my vote" in text(after)
    assert cast(client, world, "Beta", "withdraw").status_code == 303
    assert "Your vote for “Idea Beta” is taken back. You have 3 votes left." in banner(client.get(page(world)))
    assert vote_rows(world.challenge.id) == []


def test_refusals_on_the_page_say_why_with_their_status(app, world):
    member = signed_in(app, "a2@example.org")
    html = text(member.get(page(world)))
    assert "Your team&#39;s entry" in html or "Your team's entry" in html
    response = cast(member, world, "Alpha")
    assert response.status_code == 403 and "own team" in text(response) and "There is a problem" in text(response)
    for name in ("Beta", "Gamma", "Delta"):
        assert cast(member, world, name).status_code == 303
    response = cast(member, world, "Beta")
    assert response.status_code == 409 and "You have already voted for “Idea Beta”." in text(response)
    assert "You have used all your votes." in text(member.get(page(world)))
    more_entries(world, 1)
    response = form_post(member, page(world), {"idea_id": str(votes.entries(world.challenge.id)[-1].idea_id),
                                               "action": "vote"})
    assert response.status_code == 409 and "You have used all your 3 votes." in text(response)
    response = cast(member, world, "Epsilon")
    assert response.status_code == 404
    response = form_post(member, page(world), {"idea_id": "", "action": "vote"})
    assert response.status_code == 422 and "Choose an entry to vote for." in text(response)
    assert len(vote_rows(world.challenge.id)) == 3


def test_unconfirmed_and_outside_the_domains_are_told_why(app, world):
    person = voter(1)
    client = signed_in(app, person.email)
    settle()
    person.confirmed_at = None
    database.session.commit()
    assert "Send me a new confirmation link" in text(client.get(page(world)))
    response = cast(client, world, "Beta")
    assert response.status_code == 403 and "Confirm your e-mail address to vote" in text(response)
    votes.set_vote(world.challenge, world.organiser, status="open", allowed_domains="iasi.ro")
    outside = signed_in(app, voter(2).email)
    assert "Only people with an e-mail address at iasi.ro can vote" in text(outside.get(page(world)))
    response = cast(outside, world, "Beta")
    assert response.status_code == 403 and "iasi.ro" in text(response)
    assert vote_rows(world.challenge.id) == []


def test_closed_vote_shows_counts_winner_and_tie_rule_to_everyone(app, client, world):
    ideas = world.ideas
    ideas["Gamma"].submitted_at = ideas["Beta"].submitted_at - dt.timedelta(hours=1)
    ideas["Alpha"].submitted_at = ideas["Beta"].submitted_at + dt.timedelta(hours=1)
    database.session.commit()
    for n, name in enumerate(("Beta", "Gamma", "Alpha")):
        votes.cast_vote(world.challenge, voter(n), ideas[name].id)
    hidden = text(client.get(page(world)))
    assert "Votes per entry" not in hidden and "The People&#39;s choice" not in hidden
    votes.set_vote(world.challenge, world.organiser, status="closed")
    html = text(client.get(page(world)))
    assert "The vote is closed" in html and "Votes per entry" in html
    assert "“Idea Gamma”, with 1 vote" in html and "the entry submitted first is listed first and wins" in html
    titles = re.findall(r"<td data-label=\"Entry\">(.*?)</td>", html)
    assert titles == ["Idea Gamma", "Idea Beta", "Idea Alpha", "Idea Delta"]
    assert re.findall(r'class="vote-count">(\d+)<', html) == ["1", "1", "1", "0"]
    voter_client = signed_in(app, voter(9).email)
    response = cast(voter_client, world, "Delta")
    assert response.status_code == 409 and "The public vote is not open" in text(response)


def test_a_vote_never_opened_is_not_found_except_for_organisers(app, client, db):
    from tests.results.scenario import judged

    world = judged(db)
    assert client.get(page(world)).status_code == 404
    organiser = signed_in(app, "olga@example.org")
    response = organiser.get(page(world))
    assert response.status_code == 302 and response.headers["Location"].endswith(manage(world))


# --- the organisers' page -------------------------------------------------------------------

def test_only_organisers_run_the_vote(app, client, world):
    assert client.get(manage(world)).status_code == 302
    outsider = signed_in(app, "out@example.org")
    assert outsider.get(manage(world)).status_code == 403
    response = outsider.post(manage(world), data={"action": "close", "confirmed": "yes",
                                                  "csrf_token": csrf_from(text(outsider.get(page(world))))})
    assert response.status_code == 403
    assert votes.vote_of(world.challenge.id).status == "open"


def test_organiser_opens_with_settings_and_sees_errors_next_to_fields(app, db):
    from tests.results.scenario import judged

    world = judged(db)
    organiser = signed_in(app, "olga@example.org")
    html = text(organiser.get(manage(world)))
    assert "Not opened" in html and 'value="open"' in html
    response = form_post(organiser, manage(world), {"action": "open", "votes_per_person": "0",
                                                    "allowed_domains": "iasi, umfiasi.ro"})
    assert response.status_code == 422 and "There is a problem" in text(response)
    assert "Give a whole number of votes from 1 to 1000." in text(response)
    assert "is not an e-mail domain" in text(response)
    assert votes.vote_of(world.challenge.id) is None
    response = form_post(organiser, manage(world), {"action": "open", "votes_per_person": "2",
                                                    "allowed_domains": "Iasi.ro, umfiasi.ro"})
    assert response.status_code == 303
    settle()
    vote = votes.vote_of(world.challenge.id)
    assert (vote.status, vote.votes_per_person, vote.allowed_domains) == ("open", 2, ["iasi.ro", "umfiasi.ro"])
    after = organiser.get(manage(world))
    assert "The public vote is open." in banner(after) and 'value="iasi.ro, umfiasi.ro"' in text(after)
    assert form_post(organiser, manage(world), {"action": "save", "votes_per_person": "4",
                                                "allowed_domains": ""}).status_code == 303
    settle()
    assert (votes.vote_of(world.challenge.id).votes_per_person, votes.vote_of(world.challenge.id).allowed_domains) \
        == (4, [])


def test_organiser_sees_totals_and_warning_signs_but_no_counts_while_open(app, world, frozen_clock):
    fresh = [voter(n, age=dt.timedelta(hours=1)) for n in range(5)]
    for person in fresh:
        votes.cast_vote(world.challenge, person, world.ideas["Delta"].id)
        frozen_clock.advance(minutes=1)
    votes.cast_vote(world.challenge, fresh[0], world.ideas["Beta"].id)
    organiser = signed_in(app, "olga@example.org")
    html = text(organiser.get(manage(world)))
    assert re.search(r'id="votes-cast">6<', html) and re.search(r'id="voters">5<', html)
    bursts = html[html.index('id="bursts-heading"'):]
    assert "Idea Delta" in bursts and ">5<" in bursts
    assert "Idea Beta" not in html and "Votes per entry" not in html
    public = text(organiser.get(page(world)))
    assert "Votes per entry" not in public


def test_organiser_closes_after_confirming_then_awards_the_winner(app, world):
    votes.cast_vote(world.challenge, voter(1), world.ideas["Gamma"].id)
    organiser = signed_in(app, "olga@example.org")
    confirm = form_post(organiser, manage(world), {"action": "close"})
    assert confirm.status_code == 200 and "Close the vote?" in text(confirm)
    assert votes.vote_of(world.challenge.id).status == "open"
    response = form_post(organiser, manage(world), {"action": "close", "confirmed": "yes"})
    assert response.status_code == 303
    settle()
    assert votes.vote_of(world.challenge.id).status == "closed"
    html = text(organiser.get(manage(world)))
    assert "The winner is “Idea Gamma”, with 1 vote." in html and 'value="People&#39;s choice"' in html
    response = form_post(organiser, manage(world), {"action": "award", "name": "Prize of the public"})
    assert response.status_code == 303
    after = organiser.get(manage(world))
    assert "The award “Prize of the public” is given to “Idea Gamma”." in banner(after)
    assert "already given" in text(after)
    settle()
    award = database.session.scalars(select(Award).where(Award.challenge_id == world.challenge.id)).one()
    assert (award.idea_id, award.source) == (world.ideas["Gamma"].id, "peoples_choice")
    response = form_post(organiser, manage(world), {"action": "award", "name": "Again"})
    assert response.status_code == 409 and "already given" in text(response)
    assert form_post(organiser, manage(world), {"action": "open", "votes_per_person": "3",
                                                "allowed_domains": ""}).status_code == 303
    settle()
    assert votes.vote_of(world.challenge.id).status == "open"


def test_refused_organiser_actions_show_the_reason(app, world):
    organiser = signed_in(app, "olga@example.org")
    response = form_post(organiser, manage(world), {"action": "award", "name": "Too early"})
    assert response.status_code == 409 and "Close the public vote first" in text(response)
    response = form_post(organiser, manage(world), {"action": "explode"})
    assert response.status_code == 422
    settle()
    world.challenge.status = "published"
    database.session.commit()
    html = text(organiser.get(manage(world)))
    assert "Vote closed" in html and 'value="open"' not in html


# --- the challenge page and query counts ----------------------------------------------------

def test_the_challenge_page_links_to_the_vote_while_it_is_open(client, world):
    challenge_page = f"/challenges/{world.challenge.id}"
    assert f'href="{page(world)}"' in text(client.get(challenge_page))
    votes.set_vote(world.challenge, world.organiser, status="closed")
    assert f'href="{page(world)}"' not in text(client.get(challenge_page))


@pytest.mark.parametrize("state", ["open", "closed"])
def test_the_vote_pages_need_the_same_number_of_queries_for_4_or_12_entries(app, world, state):
    person = voter(1)
    votes.cast_vote(world.challenge, person, world.ideas["Beta"].id)
    if state == "closed":
        votes.set_vote(world.challenge, world.organiser, status="closed")
    clients = {page(world): signed_in(app, person.email), manage(world): signed_in(app, "olga@example.org")}

    def statements() -> dict[str, int]:
        seen_by_page = {}
        for path, client in clients.items():
            client.get(path)
            with counting(database.engine) as seen:
                assert client.get(path).status_code == 200
            seen_by_page[path] = len(seen)
        return seen_by_page

    few = statements()
    more_entries(world, 8)
    assert statements() == few

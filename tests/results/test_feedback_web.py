"""The feedback page: what a team reads, what it never reads, who gets 404, the chart, and a query
count that does not grow with reviews or criteria."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import event, select

from app.core import clock
from app.judging.models import Review
from app.results.feedback_chart import criterion_chart
from app.results.models import Publication
from tests.conftest import login
from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team, make_user
from tests.results.scenario import judged
from tests.results.test_feedback import publish

SVG = re.compile(r"<svg .*?</svg>", re.S)


def signed_in(client, email):
    """A browser of its own for ``email`` (signing in again on one browser only redirects)."""
    browser = client.application.test_client()
    login(browser, email)
    return browser


def page(client, idea_id, email=None):
    return (signed_in(client, email) if email else client).get(f"/ideas/{idea_id}/feedback")


def test_a_member_reads_rank_award_charts_table_and_anonymous_comments(db, client):
    world = judged(db)
    publish(db, world)
    response = page(client, world.ideas["Alpha"].id, "a2@example.org")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Idea Alpha" in text and world.challenge.title in text
    assert "1 of 4 entries" in text and "First prize" in text and "60,000" in text
    assert "Preview." not in text
    svgs = SVG.findall(text)
    assert len(svgs) == 2
    assert all('role="img"' in svg and "<title" in svg for svg in svgs)
    # The table holds the same numbers as the charts: 14/3 and 37/11 on Relevance.
    assert "4.67" in text and "3.36" in text and "4.33" in text and "3.09" in text
    assert text.count("Juror comment") == 3
    for n in (1, 2, 3):
        assert f"Comment from Juror {n} on Alpha." in text
    assert f'href="/ideas/{world.ideas["Alpha"].id}"' in text  # breadcrumbs back to the idea


def test_the_comment_order_is_the_same_on_every_visit(db, client):
    world = judged(db)
    publish(db, world)
    login(client, "a1@example.org")
    url = f"/ideas/{world.ideas['Alpha'].id}/feedback"

    def order():
        text = client.get(url).get_data(as_text=True)
        return sorted(range(1, 4), key=lambda n: text.index(f"Comment from Juror {n} on Alpha."))

    assert order() == order()


def test_no_private_note_and_no_juror_identity_on_any_page(db, client):
    world = judged(db)
    for n, review in enumerate(db.session.scalars(select(Review)), start=1):
        review.comment = f"Anonymous remark {n}."
    db.session.commit()
    publish(db, world)
    secrets = [review.private_note for review in db.session.scalars(select(Review))]
    secrets += [name for juror in world.jurors for name in (juror.name, juror.email, juror.organisation)]
    assert all("PRIVATE" in s for s in secrets[:11]) and len(secrets) == 20
    readers = [(world.organiser.email, team) for team in ("Alpha", "Beta", "Gamma", "Delta")]
    readers += [(world.members[team][0].email, team) for team in ("Alpha", "Beta", "Gamma", "Delta")]
    for email, team in readers:
        response = page(client, world.ideas[team].id, email)
        assert response.status_code == 200
        text = html.unescape(response.get_data(as_text=True))
        assert "Anonymous remark" in text
        assert not [secret for secret in secrets if secret in text]
        assert not re.search(r"juror[_-]?id|/users/", text, re.I)


def test_organisers_preview_before_publication_with_a_banner(db, client):
    world = judged(db)
    response = page(client, world.ideas["Beta"].id, "olga@example.org")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Preview." in text and "Comment from Juror 2 on Beta." in text
    assert " of 4 entries" not in text


def test_anonymous_visitors_get_404_like_the_other_team_pages(db, client):
    world = judged(db)
    publish(db, world)
    response = client.get(f"/ideas/{world.ideas['Alpha'].id}/feedback")
    assert response.status_code == 404
    assert "sign in" in response.get_data(as_text=True).lower()
    assert client.get(f"/ideas/{world.ideas['Alpha'].id}").status_code == 404  # the idea page does the same


@pytest.mark.parametrize("email", ["out@example.org", "b1@example.org", "juror1@example.org", "juror3@example.org"])
def test_outsiders_other_teams_and_jurors_get_404(db, client, email):
    world = judged(db)
    publish(db, world)
    response = page(client, world.ideas["Alpha"].id, email)
    assert response.status_code == 404
    assert "Comment from" not in response.get_data(as_text=True)


def test_members_before_publication_and_of_never_judged_ideas_get_404(db, client):
    world = judged(db)
    member = signed_in(client, "a1@example.org")
    assert member.get(f"/ideas/{world.ideas['Alpha'].id}/feedback").status_code == 404
    publish(db, world)
    assert member.get(f"/ideas/{world.ideas['Alpha'].id}/feedback").status_code == 200
    assert page(client, world.ideas["Epsilon"].id, "e1@example.org").status_code == 404
    assert page(client, world.ideas["Withdrawn"].id, "w1@example.org").status_code == 404


def test_the_dashboard_links_to_the_feedback_after_publication(db, client):
    world = judged(db)
    feedback_url = f"/ideas/{world.ideas['Alpha'].id}/feedback"
    login(client, "a1@example.org")
    assert feedback_url not in client.get("/dashboard").get_data(as_text=True)
    publish(db, world)
    assert feedback_url in client.get("/dashboard").get_data(as_text=True)
    draft = signed_in(client, "e1@example.org")  # a draft: no feedback, no link
    assert "/feedback" not in draft.get("/dashboard").get_data(as_text=True)


def test_the_page_speaks_the_readers_language(db, client):
    world = judged(db)
    publish(db, world)
    text = page(client, world.ideas["Alpha"].id, "a1@example.org").get_data(as_text=True)  # Ana reads Romanian
    assert '<html lang="ro">' in text and "4,67" in text


# --- the chart ---------------------------------------------------------------------------------

@pytest.mark.parametrize("mean, average, low, high", [(14 / 3, 37 / 11, 1, 5), (None, None, 1, 5), (0, 100, 0, 100),
                                                      (7, 3, 1, 1)])
def test_the_chart_is_valid_accessible_svg(app_ctx, mean, average, low, high):
    svg = str(criterion_chart("feedback-9", 'Safety <&> "risks"\x01', mean, average, low, high))
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "feedback-9-title feedback-9-desc"
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text.startswith('Safety <&> "risks"')
    assert root.find("{http://www.w3.org/2000/svg}desc") is not None


def test_every_chart_on_the_page_parses(db, client):
    world = judged(db)
    publish(db, world)
    text = page(client, world.ideas["Delta"].id, "d1@example.org").get_data(as_text=True)
    svgs = SVG.findall(text)
    assert len(svgs) == 2
    for svg in svgs:
        ET.fromstring(svg)


# --- queries -------------------------------------------------------------------------------------

def count_queries(db, fetch):
    statements = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        response = fetch()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def _published_idea(db, n, member, organiser):
    """A published challenge with ``n`` criteria and ``n`` complete reviews of the member's idea."""
    challenge = make_challenge(title=f"Challenge {n}", status="judging", organisers=[organiser],
                               criteria=tuple((f"Criterion {k}", 1.0) for k in range(n)))
    idea = make_idea(make_team(challenge, member, name=f"Team {n}"), status="submitted", title=f"Idea {n}")
    other = make_idea(make_team(challenge, make_user(f"other{n}@example.org"), name=f"Other {n}"), status="submitted")
    for k in range(n):
        juror = make_user(f"juror{n}-{k}@example.org", name=f"Juror {n}-{k}", organisation=f"Org {n}-{k}")
        make_juror(challenge, juror)
        for target in (idea, other):
            make_review(target, juror, {c.id: 1 + (k + c.position) % 5 for c in challenge.criteria},
                        comment=f"Remark {k} on {target.id}.")
    challenge.status = "published"
    challenge.published_at = clock.now()
    db.session.add(Publication(challenge_id=challenge.id, method="raw", digest="0" * 64,
                               full_ranking=[{"rank": 1, "idea_id": idea.id}, {"rank": 2, "idea_id": other.id}]))
    db.session.commit()
    return idea


def test_the_query_count_does_not_grow_with_reviews_or_criteria(db, client):
    organiser = make_user("olga@example.org")
    member = make_user("member@example.org")
    small, large = _published_idea(db, 2, member, organiser).id, _published_idea(db, 9, member, organiser).id
    login(client, "member@example.org")
    counts = [count_queries(db, lambda: client.get(f"/ideas/{idea_id}/feedback")) for idea_id in (small, large)]
    assert counts[0] == counts[1], counts
    text = client.get(f"/ideas/{large}/feedback").get_data(as_text=True)
    assert len(SVG.findall(text)) == 9 and text.count("Juror comment") == 9

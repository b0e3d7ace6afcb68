"""The classic web bugs, attacked through the real app: stored XSS, missing authorisation checks,
open redirects and cross-site request forgery. (CSV formulas, uploads and ORDER BY injection are in
test_classic_bugs_data.py; links that outlive their purpose in test_classic_bugs_links.py.)"""
from __future__ import annotations

import html
import re
from decimal import Decimal
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from app.core.outbox import OutboxMail
from tests.conftest import login
from tests.factories import make_challenge, make_team, make_user
from tests.portfolio.scenario import LOCAL
from tests.results.scenario import judged
from tests.security.classic_support import (ESCAPED, OFF_SITE, XSS, XSS_MARKDOWN, api_headers, dangers,
                                            signed_in, token_of)

ATOM = "http://www.w3.org/2005/Atom"
ORGANISER, ADMIN, ANA, BEA, JUROR = ("olga@example.org", "admin@example.org", "a1@example.org", "b1@example.org",
                                     "juror1@example.org")


def poisoned(db):
    """The judged scenario with an attack in every text people write: names, team, idea, challenge."""
    world = judged(title="Challenge " + XSS)
    challenge = world.challenge
    challenge.description = challenge.rules_text = challenge.prizes = XSS_MARKDOWN
    # Different organisations: the same one would make the juror conflicted with the team.
    for person, organisation in ((world.members["Alpha"][0], "Team org "), (world.jurors[0], "Jury org ")):
        person.name = "Name " + XSS
        person.organisation = organisation + XSS
    world.teams["Alpha"].name = "Team " + XSS
    idea = world.ideas["Alpha"]
    for field in ("title", "summary", "problem", "solution", "beneficiaries"):
        setattr(idea, field, f"{field} {XSS}")
    db.session.commit()
    return world


def assert_clean(client, paths, *, must_show=True):
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        page = response.get_data(as_text=True)
        assert dangers(page) == [], (path, dangers(page))
        if must_show:
            assert ESCAPED in page, f"{path} does not show the (escaped) attack: the check proves nothing"


# --- stored XSS ---------------------------------------------------------------------------------

def test_stored_xss_is_escaped_on_every_page_of_a_challenge(app, db, frozen_clock):
    world = poisoned(db)
    cid, idea, team = world.challenge.id, world.ideas["Alpha"].id, world.teams["Alpha"].id
    assert_clean(app.test_client(), ["/challenges", f"/challenges/{cid}"])
    assert_clean(signed_in(app, ANA), ["/dashboard", f"/teams/{team}", f"/ideas/{idea}"])
    assert_clean(signed_in(app, ORGANISER), [
        f"/challenges/{cid}/console", f"/challenges/{cid}/judging", f"/challenges/{cid}/jury",
        f"/challenges/{cid}/awards", f"/challenges/{cid}/audit", f"/ideas/{idea}"])
    assert_clean(signed_in(app, JUROR), ["/reviews", f"/reviews/{idea}"])


def test_stored_xss_is_escaped_in_results_portfolio_comments_and_mails(app, db, frozen_clock):
    from app.portfolio.services import create_project, promote_idea
    from app.results.awards import replace_awards
    from app.results.publication import publish_results

    world = poisoned(db)
    admin = make_user(ADMIN, name="Ada Admin", admin=True)
    alpha = world.ideas["Alpha"]
    replace_awards(world.challenge, world.organiser, [{"idea_id": alpha.id, "name": "Prize " + XSS,
                                                       "amount": Decimal("1000")}])
    publish_results(world.challenge, world.organiser)
    project = promote_idea(alpha, world.organiser)
    local = create_project(admin, {**LOCAL[0], "title": "Local " + XSS, "description": XSS_MARKDOWN,
                            "themes": [XSS], "organisation": "Org " + XSS})
    cid, pid = world.challenge.id, project.id

    # A comment through the API, as anyone would post it; Bea reports it so that moderators see it.
    posted = app.test_client().post(f"/api/v1/portfolio/{pid}/comments", json={"body": XSS_MARKDOWN},
                                    headers=api_headers(app, ANA))
    assert posted.status_code == 201, posted.get_json()
    assert dangers(posted.get_json()["html"]) == [] and ESCAPED in posted.get_json()["html"]
    report = app.test_client().post(f"/api/v1/portfolio/{pid}/comments/{posted.get_json()['id']}/reports",
                                    json={"reason": XSS}, headers=api_headers(app, BEA))
    assert report.status_code in (200, 201), report.get_json()
    # An announcement to every participant: Markdown in the mail's HTML part.
    sent = app.test_client().post(f"/api/v1/challenges/{cid}/announcements", headers=api_headers(app, ORGANISER),
                                  json={"audience": "registered", "subject": "News " + XSS, "body": XSS_MARKDOWN})
    assert sent.status_code == 201, sent.get_json()
    # A progress update: Markdown on the project page, and escaped HTML inside the Atom feed.
    update = app.test_client().post(f"/api/v1/portfolio/{pid}/updates", headers=api_headers(app, ORGANISER),
                                    json={"title": "Update " + XSS, "body": XSS_MARKDOWN})
    assert update.status_code == 201, update.get_json()
    feed = ElementTree.fromstring(app.test_client().get("/portfolio/feed.atom").data)
    contents = [element.text or "" for element in feed.iter(f"{{{ATOM}}}content")]
    assert contents and all(dangers(html) == [] for html in contents), contents
    assert any(ESCAPED in html for html in contents)

    assert_clean(app.test_client(), [
        f"/challenges/{cid}/results", "/portfolio", f"/portfolio/{pid}", f"/portfolio/{pid}/comments",
        f"/portfolio/{local.id}", "/portfolio/map", "/portfolio/pipeline"])
    assert_clean(signed_in(app, ANA), [f"/ideas/{alpha.id}/feedback"])
    assert_clean(signed_in(app, ORGANISER), [f"/challenges/{cid}/portfolio", f"/portfolio/{pid}/manage",
                                             f"/challenges/{cid}/announcements"])
    assert_clean(signed_in(app, ADMIN), ["/admin/moderation"])

    db.session.rollback()  # a fresh read: the requests above committed in their own sessions
    mails = db.session.scalars(select(OutboxMail)).all()
    kinds = {mail.kind for mail in mails}
    assert {"announcement", "results_member"} <= kinds, kinds
    for mail in mails:
        assert dangers(mail.html_body, allow_style=True) == [], (mail.kind, dangers(mail.html_body, allow_style=True))
        assert "\n" not in mail.subject and "\r" not in mail.subject
    assert any(ESCAPED in mail.html_body for mail in mails if mail.kind == "announcement")


# --- missing authorisation checks -----------------------------------------------------------------

def test_participants_and_jurors_cannot_do_what_organisers_and_administrators_do(app, db, frozen_clock):
    """One write per package that only an organiser (or the administrator, or the team) may do, tried by
    someone else through the API and the page: refused with 403 or 404, and nothing changes."""
    from app.accounts.models import ApiToken
    from app.judging.models import Juror, Review
    from app.portfolio.models import ProjectComment
    from app.portfolio.services import create_project
    from app.results.models import Award
    from app.submissions.models import Idea
    from app.teams.models import Team

    world = judged()
    admin = make_user(ADMIN, name="Ada Admin", admin=True)
    project = create_project(admin, LOCAL[0])
    cid, pid = world.challenge.id, project.id
    alpha, beta = world.teams["Alpha"], world.ideas["Beta"]
    code = alpha.invite_code
    ana_api, bea_api, juror_api = (api_headers(app, email) for email in (ANA, BEA, JUROR))
    db.session.rollback()  # see the tokens just made by those requests
    bea_token = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == world.members["Beta"][0].id))
    criteria = {str(c.id): 5 for c in world.challenge.criteria}
    before = {"jurors": db.session.scalar(select(func.count(Juror.id))),
              "reviews": db.session.scalar(select(func.count(Review.id)))}
    tried = [
        # (package, who, method, path, JSON body or None for a form post, form data)
        ("challenges", ANA, "PATCH", f"/api/v1/challenges/{cid}", {"title": "Hijacked"}, None),
        ("challenges", ANA, "POST", f"/challenges/{cid}/setup/tracks", None, {"name": "Hijacked"}),
        ("teams", BEA, "POST", f"/api/v1/teams/{alpha.id}/invite-code", {}, None),
        ("teams", BEA, "POST", f"/teams/{alpha.id}/invite-code", None, {}),
        ("submissions", BEA, "PUT", f"/api/v1/teams/{alpha.id}/idea", {"title": "Hijacked"}, None),
        ("submissions", BEA, "POST", f"/teams/{alpha.id}/idea", None, {"title": "Hijacked"}),
        ("judging", ANA, "POST", f"/api/v1/challenges/{cid}/jurors", {"email": "friend@example.org"}, None),
        ("judging", ANA, "POST", f"/challenges/{cid}/jury/jurors", None, {"email": "friend@example.org"}),
        ("judging", ANA, "PUT", f"/api/v1/ideas/{beta.id}/score", {"scores": criteria, "comment": "x"}, None),
        ("judging", JUROR, "POST", f"/api/v1/challenges/{cid}/assignments", {}, None),
        ("judging", JUROR, "POST", f"/challenges/{cid}/jury/assign", None, {}),
        ("results", ANA, "PUT", f"/api/v1/challenges/{cid}/awards",
         {"awards": [{"idea_id": world.ideas["Alpha"].id, "name": "Self-awarded"}]}, None),
        ("results", ANA, "POST", f"/challenges/{cid}/awards", None,
         {"idea_id": world.ideas["Alpha"].id, "name": "Self-awarded"}),
        ("results", JUROR, "POST", f"/api/v1/challenges/{cid}/publish-results", {}, None),
        ("results", ANA, "POST", f"/challenges/{cid}/publish", None, {"confirmed": "y"}),
        ("portfolio", ANA, "PATCH", f"/api/v1/portfolio/{pid}", {"title": "Hijacked"}, None),
        ("portfolio", ANA, "POST", f"/portfolio/{pid}/edit", None, {"title": "Hijacked"}),
        ("portfolio", ANA, "POST", f"/api/v1/ideas/{world.ideas['Alpha'].id}/promote", {}, None),
        ("accounts", ANA, "POST", f"/account/tokens/{bea_token}/revoke", None, {}),
        ("administration", ANA, "POST", "/admin/archives/import", None, {}),
        ("administration", ORGANISER, "GET", "/admin/moderation", None, None),
    ]
    clients = {email: signed_in(app, email) for email in (ANA, BEA, JUROR, ORGANISER)}
    headers = {ANA: ana_api, BEA: bea_api, JUROR: juror_api}
    for package, who, method, path, body, form in tried:
        if path.startswith("/api/"):
            response = app.test_client().open(path, method=method, json=body, headers=headers[who])
        elif method == "GET":
            response = clients[who].get(path)
        else:
            response = clients[who].open(path, method=method, data={**form, "csrf_token": token_of(clients[who])})
        assert response.status_code in (403, 404), (package, who, method, path, response.status_code)

    db.session.rollback()
    db.session.expire_all()
    assert world.challenge.title == "Smart Health City Iași 2026" and world.challenge.status == "judging"
    assert [t.name for t in world.challenge.tracks] == ["Telemedicine", "Prevention"]
    assert alpha.invite_code == code and world.ideas["Alpha"].title == "Idea Alpha"
    assert db.session.scalar(select(func.count(Juror.id))) == before["jurors"]
    assert db.session.scalar(select(func.count(Review.id))) == before["reviews"]
    assert db.session.scalar(select(func.count(Award.id))) == 0
    assert project.title == LOCAL[0]["title"]
    assert db.session.get(ApiToken, bea_token).revoked_at is None


# --- open redirects -------------------------------------------------------------------------------

def on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (parts.netloc in ("", "salus.test", "localhost") and parts.scheme in ("", "http")
            and location.startswith(("/", "http://salus.test/", "http://localhost/"))
            and not location.startswith("//") and "\\" not in location and "evil" not in parts.netloc)


@pytest.mark.parametrize("target", OFF_SITE)
def test_no_redirect_leaves_the_site(app, db, frozen_clock, target):
    make_user(ANA)
    client = app.test_client()
    # Signing in with ?next=, the language switcher's next field, and signed in already.
    response = login(client, ANA, next=target)
    assert response.status_code in (302, 303) and on_site(response.headers["Location"]), response.headers
    response = client.post("/language", data={"locale": "fr", "next": target,
                                              "csrf_token": token_of(client, "/")})
    assert response.status_code == 303 and on_site(response.headers["Location"]), response.headers
    response = client.get("/login", query_string={"next": target})
    assert response.status_code in (302, 303) and on_site(response.headers["Location"]), response.headers
    # The sign-in form carries the target it will use: the fallback, not the attacker's.
    page = app.test_client().get("/login", query_string={"next": target}).get_data(as_text=True)
    carried = re.search(r'<input type="hidden" name="next" value="([^"]*)">', page)
    assert carried and on_site(html.unescape(carried.group(1))) and dangers(page) == []


def test_a_refused_form_goes_back_only_to_a_page_of_this_site(app, db, frozen_clock):
    """A refused form post returns to the page it came from, read from the Referer header: a crafted
    path on this host (``//evil.example``) must not turn that into a way out."""
    world = judged()
    client = signed_in(app, BEA)
    token = token_of(client)
    # The test client's host is "localhost": the Referer of a page of this site starts with it.
    for referrer in ("http://localhost//evil.example/x", "http://localhost/\\evil.example",
                     "http://localhost/%5C%5Cevil.example", "https://evil.example/teams", "http://localhost/dashboard"):
        # Bea is in a team already: joining Alpha is refused (409) with a message on the page she came from.
        response = client.post(f"/join/{world.teams['Alpha'].invite_code}", data={"csrf_token": token},
                               headers={"Referer": referrer})
        assert response.status_code == 303 and on_site(response.headers["Location"]), (referrer, response.headers)
    assert response.headers["Location"] == "/dashboard"


def test_the_safe_target_is_kept(app, db, frozen_clock):
    make_user(ANA)
    response = login(app.test_client(), ANA, next="/portfolio?stage=pilot")
    assert response.headers["Location"] == "/portfolio?stage=pilot"


# --- cross-site request forgery ---------------------------------------------------------------------

def test_a_form_post_without_its_token_is_refused(app, db, frozen_clock):
    """A sample of forms across the packages; the browser would send the session cookie, not the token."""
    from app.portfolio.models import ProjectComment
    from app.portfolio.services import create_project
    from app.results.models import Award
    from app.submissions.models import Idea
    from app.teams.models import Team

    world = judged()
    admin = make_user(ADMIN, name="Ada Admin", admin=True)
    open_challenge = make_challenge(title="Open call")
    ana = world.members["Alpha"][0]
    draft_team = make_team(open_challenge, ana, name="Ana's open team")
    project = create_project(admin, LOCAL[0])
    cid, idea = world.challenge.id, world.ideas["Beta"].id
    criteria = {f"score-{c.id}": "4" for c in world.challenge.criteria}
    posts = [
        (ANA, "/logout", {}),
        (BEA, f"/challenges/{open_challenge.id}/teams/new", {"name": "Forged team"}),
        (ANA, f"/teams/{draft_team.id}/idea", {"title": "Forged idea"}),
        (JUROR, f"/reviews/{idea}", {**criteria, "comment": "Forged"}),
        (ORGANISER, f"/challenges/{cid}/awards", {"idea_id": idea, "name": "Forged award"}),
        (ORGANISER, f"/challenges/{cid}/publish", {"confirmed": "y"}),
        (ANA, f"/portfolio/{project.id}/comments", {"body": "Forged comment"}),
        (ADMIN, f"/portfolio/{project.id}/edit", {"title": "Forged title"}),
        (ANA, "/account/password", {"current_password": "x", "password": "forged password 123"}),
        (ANA, "/account/sessions/end-all", {}),
        (None, "/login", {"email": ANA, "password": "correct horse battery staple"}),
    ]
    for who, path, data in posts:
        client = signed_in(app, who) if who else app.test_client()
        response = client.post(path, data=data)
        assert response.status_code == 400, (path, response.status_code)
        if who:
            assert client.get("/account").status_code == 200, f"{path} changed the session"
    db.session.rollback()
    db.session.expire_all()
    assert world.challenge.status == "judging" and project.title == LOCAL[0]["title"]
    assert db.session.scalar(select(func.count(Award.id))) == 0
    assert db.session.scalar(select(func.count(ProjectComment.id))) == 0
    assert db.session.scalar(select(Team.id).where(Team.name == "Forged team")) is None
    assert db.session.scalar(select(Idea.id).where(Idea.team_id == draft_team.id)) is None
    # The JSON API needs no token because it takes no cookie: a signed-in browser gets 401 there.
    browser = signed_in(app, ORGANISER)
    forged = browser.put(f"/api/v1/challenges/{cid}/awards", json={"awards": []})
    assert forged.status_code == 401

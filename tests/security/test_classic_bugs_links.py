"""Links that must not outlive their purpose, followed through the real app: a team's invitation link
once renewed or past the deadline, password-reset links used once, made before a password change or
expired, confirmation links expired, and a jury invitation once withdrawn."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from app.core.outbox import OutboxMail
from tests.conftest import DEFAULT_PASSWORD, login, make_user
from tests.factories import make_challenge, make_team
from tests.security.classic_support import api_headers, signed_in, token_of

ANA, OTTO, OLGA = "a1@example.org", "out@example.org", "olga@example.org"
NEW_PASSWORD = "a brand new passphrase for Ana"  # nosec B105 - test credential


def mailed_links(db, kind: str, to: str) -> list[str]:
    """The links of the newest mail of this kind to this address, as its reader would click them."""
    db.session.rollback()
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == kind, OutboxMail.to_address == to)
                             .order_by(OutboxMail.id.desc()))
    assert mail is not None, f"no {kind} mail to {to}"
    return re.findall(r"https?://\S+", mail.text_body)


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_a_renewed_team_link_stops_working_everywhere_and_no_link_outlives_the_deadline(app, db, frozen_clock):
    ana, otto = make_user(ANA, name="Ana"), make_user(OTTO, name="Otto")
    challenge = make_challenge(team_max_size=3, deadline_in=dt.timedelta(hours=2))
    team = make_team(challenge, ana, name="Alpha")
    team_id, old_code = team.id, team.invite_code
    captain = signed_in(app, ANA)
    # An invitation by mail carries the link of the moment.
    sent = captain.post(f"/teams/{team_id}/invitations", data={"email": "friend@example.org",
                                                               "csrf_token": token_of(captain)})
    assert sent.status_code in (302, 303)
    mailed = [path_of(link) for link in mailed_links(db, "team_invitation", "friend@example.org")
              if "/join/" in link]
    assert mailed == [f"/join/{old_code}"]

    renewed = captain.post(f"/teams/{team_id}/invite-code", data={"csrf_token": token_of(captain)})
    assert renewed.status_code in (302, 303)
    db.session.rollback()
    new_code = db.session.get(type(team), team_id).invite_code
    assert new_code != old_code

    stranger = signed_in(app, OTTO)
    otto_api = api_headers(app, OTTO)
    assert stranger.get(mailed[0]).status_code == 404
    assert stranger.get("/join", query_string={"code": old_code}).status_code == 404
    assert stranger.post(f"/join/{old_code}", data={"csrf_token": token_of(stranger)}).status_code == 404
    assert app.test_client().post("/api/v1/teams/join", json={"invite_code": old_code},
                                  headers=otto_api).status_code == 404
    # The new link works, until the deadline: then it no longer makes anyone a member.
    frozen_clock.advance(hours=3)
    late = app.test_client().post("/api/v1/teams/join", json={"invite_code": new_code}, headers=otto_api)
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "submissions_closed"
    frozen_clock.advance(hours=-3)
    joined = app.test_client().post("/api/v1/teams/join", json={"invite_code": new_code}, headers=otto_api)
    assert joined.status_code == 200, joined.get_json()
    assert {m["user_id"] for m in joined.get_json()["members"]} == {ana.id, otto.id}


def test_a_reset_link_works_once_dies_with_the_password_and_expires(app, db, frozen_clock):
    make_user(ANA, name="Ana")

    def request_link() -> str:
        client = app.test_client()
        response = client.post("/reset", data={"email": ANA, "csrf_token": token_of(client, "/reset")})
        assert response.status_code == 200
        (link,) = [path_of(link) for link in mailed_links(db, "reset_password", ANA) if "/reset/" in link]
        return link

    def use(link: str, password: str):
        client = app.test_client()
        page = client.get(link)
        if page.status_code != 200:
            return page
        return client.post(link, data={"password": password, "csrf_token": token_of(client, link)})

    first = request_link()
    assert use(first, NEW_PASSWORD).status_code in (302, 303)
    assert use(first, "yet another passphrase 42").status_code == 404, "a used link must die"
    assert login(app.test_client(), ANA, NEW_PASSWORD).status_code in (302, 303)

    # A link asked for, then the password changed another way: the link dies with the old password.
    second = request_link()
    frozen_clock.advance(seconds=1)
    client = signed_in_with(app, ANA, NEW_PASSWORD)
    changed = client.post("/account/password", data={"current_password": NEW_PASSWORD,
                                                      "new_password": DEFAULT_PASSWORD + " again",
                                                      "csrf_token": token_of(client)})
    assert changed.status_code in (302, 303)
    assert use(second, "stolen passphrase 12345").status_code == 404

    # An unused link expires after an hour; an altered one never worked.
    third = request_link()
    assert app.test_client().get(third[:-3] + ("AAA" if not third.endswith("AAA") else "BBB")).status_code == 404
    frozen_clock.advance(hours=1, seconds=1)
    assert use(third, "too late passphrase 123").status_code == 404
    assert login(app.test_client(), ANA, DEFAULT_PASSWORD + " again").status_code in (302, 303)


def signed_in_with(app, email: str, password: str):
    client = app.test_client()
    assert login(client, email, password).status_code in (302, 303)
    return client


def test_a_confirmation_link_expires(app, db, frozen_clock):
    make_user(ANA, name="Ana", confirmed=False)
    client = app.test_client()
    client.post("/confirm", data={"email": ANA, "csrf_token": token_of(client, "/confirm")})
    (link,) = [path_of(link) for link in mailed_links(db, "confirm_email", ANA) if "/confirm/" in link]
    frozen_clock.advance(days=7, seconds=1)
    assert app.test_client().get(link).status_code == 404
    assert login(app.test_client(), ANA).status_code != 302  # still unconfirmed


def test_a_withdrawn_jury_invitation_gives_no_seat(app, db, frozen_clock):
    from app.judging.models import Juror, JurorInvitation

    challenge = make_challenge(status="open", organisers=[make_user(OLGA, name="Olga")])
    invited = app.test_client().post(f"/api/v1/challenges/{challenge.id}/jurors", json={"email": "new@example.org"},
                                     headers=api_headers(app, OLGA))
    assert invited.status_code == 202
    db.session.rollback()
    invitation = db.session.scalar(select(JurorInvitation.id))
    organiser = signed_in(app, OLGA)
    cancelled = organiser.post(f"/challenges/{challenge.id}/jury/invitations/{invitation}/cancel",
                               data={"csrf_token": token_of(organiser)})
    assert cancelled.status_code in (302, 303)
    registered = app.test_client().post("/api/v1/auth/register", json={
        "email": "new@example.org", "password": "a long enough passphrase", "name": "Newcomer",
        "accept_privacy": True})
    assert registered.status_code == 202
    db.session.rollback()
    assert db.session.scalar(select(func.count(Juror.id))) == 0

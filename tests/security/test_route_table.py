"""Access control seen from the refused side: every route of the URL map, for every role.

The walk sends every (route, method) of the application — pages and API, everything but HEAD,
OPTIONS and static files — as each role of ``route_world.ROLES`` (one test per role), with URL
parameters taken from one built world, and compares the outcome class with
``route_expectations.TABLE``:

    ok         2xx, or a redirect anywhere but to sign in first
    allowed    ok, or 409/422: past the access check, where the state or the body may still say no
               (a page form refused by the state answers a 303 back with a message: ok too)
    conflict   409/422
    login      401, or a redirect to /login?next=…
    forbidden  403
    hidden     404

Anything else (400, 405, 429, 5xx) matches nothing and is reported.

A route missing from the table, or a table entry for a route that no longer exists, fails
``test_the_table_names_every_route``.

``test_hidden_things_answer_exactly_like_absent_ones`` then checks that what a role may not see (a
draft challenge, an idea whose juror is conflicted, another team's idea, results and feedback not
yet published, a row of another challenge or project reached through one's own) answers exactly
like an id that does not exist — same status, same body — and that no refused request changed a row.

Forms are posted the way a browser posts them, with a CSRF token: one per signed-in session,
read once from a page with a form (the token belongs to the session, not to the form, and a
refused role could not fetch the page it posts to). API calls use each role's bearer token,
never a cookie.

Reads run first, then writes in the table's ``order``, so that a write that gets through changes
nothing a later request depends on (the page and the API remove different funding lines, say).
Where that cannot be arranged (an account erased twice), ``resets`` puts the world back from a
snapshot of every row; ``signs_out`` signs the role in again.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import url_for

from app.core import clock
from tests.conftest import DEFAULT_PASSWORD, api_token, bearer, csrf_from
from tests.security.route_expectations import PARAMETERS, TABLE, Route
from tests.security.route_world import ABSENT_ID, ROLES, World, build_world, restore_snapshot, take_snapshot
from tests.submissions.helpers import pdf_bytes

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
FORM_PAGE = "/reset"  # a page with a form for everybody, signed in or not
ALLOWED = {"ok", "conflict"}


def url_map_routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) of every route a client can call."""
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def outcome(response) -> str:
    status = response.status_code
    if status == 401:
        return "login"
    if status in (301, 302, 303, 307, 308):
        # Sent to sign in first: to /login with the page to come back to. A plain /login is where some
        # actions end (signed out everywhere, a confirmation link re-sent).
        location = urlsplit(response.headers.get("Location", ""))
        return "login" if location.path == "/login" and "next=" in location.query else "ok"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "hidden"
    if 200 <= status < 300:
        return "ok"
    if status in (409, 422):
        return "conflict"
    return f"status {status}"


def matches(expected: str, observed: str) -> bool:
    return observed in ALLOWED if expected == "allowed" else observed == expected


@dataclass
class Visitor:
    """One role's browser (a session cookie) and API client (a bearer token, no cookies)."""

    app: Any
    world: World
    role: str
    html: Any = None
    api: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def sign_in(self) -> None:
        self.html = self.app.test_client()
        self.api = self.app.test_client(use_cookies=False)
        self.headers = {}
        email = self.world.email(self.role)
        if email is not None:
            page = self.html.get("/login").get_data(as_text=True)
            response = self.html.post("/login", data={"email": email, "password": DEFAULT_PASSWORD,
                                                      "csrf_token": csrf_from(page)})
            assert response.status_code in (302, 303), f"{self.role} could not sign in"
            self.headers = bearer(api_token(self.api, email))
        self.csrf_token = csrf_from(self.html.get(FORM_PAGE).get_data(as_text=True))

    def send(self, method: str, url: str, route: Route):
        ids = self.world.ids
        if url.startswith("/api/"):
            kwargs: dict[str, Any] = {"headers": self.headers}
            if route.upload:
                kwargs["data"] = {"file": (io.BytesIO(pdf_bytes("upload")), "plan.pdf")}
            elif route.body is not None and method in WRITES:
                kwargs["json"] = route.body(ids) if callable(route.body) else route.body
            return self.api.open(url, method=method, query_string=route.query, **kwargs)
        data: dict[str, Any] | None = None
        if method in WRITES:
            data = route.form(ids) if callable(route.form) else dict(route.form or {})
            data["csrf_token"] = self.csrf_token
            if route.upload:
                data["file"] = (io.BytesIO(pdf_bytes("upload")), "plan.pdf")
        return self.html.open(url, method=method, data=data, query_string=route.query)


def build_url(app, endpoint: str, route: Route, ids: dict[str, Any]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {}
    for name in rule.arguments:
        source = route.params.get(name, PARAMETERS.get(name))
        assert source is not None, f"{endpoint}: no value for <{name}>"
        values[name] = source[1:] if isinstance(source, str) and source.startswith("=") else ids[source]
    with app.test_request_context():
        return url_for(endpoint, **values)


def walk_order(keys: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Reads first (they change nothing), then writes, the later ``order`` last."""
    return sorted(keys, key=lambda key: (key[1] in WRITES, TABLE[key].order, key))


@dataclass
class Walk:
    checked: int = 0
    mismatches: list[str] = field(default_factory=list)


def walk(app, world: World, snapshot, role: str) -> Walk:
    """Every route as one role, from the world as built (the caller restores it first)."""
    result = Walk()
    visitor = Visitor(app, world, role)
    visitor.sign_in()
    for key in walk_order(set(TABLE)):
        endpoint, method = key
        route = TABLE[key]
        url = build_url(app, endpoint, route, world.ids)
        response = visitor.send(method, url, route)
        observed = outcome(response)
        expected = route.expect[role]
        result.checked += 1
        if not matches(expected, observed):
            result.mismatches.append(f"{method:6} {url:64} {endpoint:38} expected {expected:9} "
                                     f"got {observed} ({response.status_code})")
        if route.resets and observed in ALLOWED:
            with app.app_context():
                restore_snapshot(snapshot)
            visitor.sign_in()
        elif route.signs_out and observed in ALLOWED:
            visitor.sign_in()
    return result


def test_the_table_names_every_route(app):
    routes = url_map_routes(app)
    missing = sorted(routes - set(TABLE))
    stale = sorted(set(TABLE) - routes)
    assert not missing, ("routes without an entry in tests/security/route_expectations.py (say who may call "
                         "them): " + ", ".join(f"{m} {e}" for e, m in missing))
    assert not stale, "entries for routes that no longer exist: " + ", ".join(f"{m} {e}" for e, m in stale)


@pytest.fixture(scope="module")
def built(app):
    """The world, built once for this module at a fixed instant, and the snapshot that restores it."""
    instant = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
    clock.set_now(instant)
    try:
        with app.app_context():
            world = build_world()
            snapshot = take_snapshot()
    finally:
        clock.set_now(None)
    return instant, world, snapshot


@pytest.fixture
def restored(app, built):
    """The built world back in the database (the previous test emptied it), at its instant."""
    instant, world, snapshot = built
    clock.set_now(instant)
    with app.app_context():
        restore_snapshot(snapshot)
    return world, snapshot


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_as_the_table_says(app, restored, role):
    world, snapshot = restored
    assert set(TABLE) <= url_map_routes(app)
    result = walk(app, world, snapshot, role)
    assert result.checked == len(TABLE)
    assert not result.mismatches, (f"{len(result.mismatches)} of the {result.checked} routes answer {role} "
                                   "otherwise than the table says:\n" + "\n".join(result.mismatches))


# --- hidden things look exactly like absent ones -----------------------------------------------

SIGNED_OUT_TOO = ("anonymous", "participant", "juror", "other_organiser")
SIGNED_IN = ("participant", "juror", "other_organiser")
NOT_THE_TEAM = ("other_member", "other_juror")

# (what is hidden, from whom, method, address[, body]): ``{name}`` is a world id; the hidden thing is
# the one marked ``{^name}``, or else the last one named; the same address with an id no row has in
# its place must answer the same bytes. The body is sent as JSON to the API, as a form to pages.
HIDDEN = [
    ("a draft challenge", SIGNED_OUT_TOO, "GET", "/challenges/{draft}"),
    ("a draft challenge", SIGNED_OUT_TOO, "GET", "/api/v1/challenges/{draft}"),
    ("a draft challenge", SIGNED_OUT_TOO, "GET", "/challenges/{draft}/results"),
    ("a draft challenge", SIGNED_OUT_TOO, "GET", "/api/v1/challenges/{draft}/results"),
    ("a draft challenge", SIGNED_OUT_TOO, "GET", "/challenges/{draft}/archive.zip"),
    ("a draft challenge", SIGNED_OUT_TOO, "GET", "/challenges/{draft}/calendar.ics"),
    ("a draft challenge", SIGNED_OUT_TOO, "GET", "/challenges/{draft}/vote"),
    ("a draft challenge", SIGNED_OUT_TOO, "GET", "/api/v1/challenges/{draft}/vote"),
    ("a draft challenge", SIGNED_IN, "GET", "/challenges/{draft}/setup"),
    ("a draft challenge", SIGNED_IN, "GET", "/challenges/{draft}/teams/new"),
    ("a draft challenge", SIGNED_IN, "GET", "/api/v1/challenges/{draft}/ranking"),
    # Organisers' pages first check that the challenge may be seen at all: an organiser of another
    # challenge, the likeliest to slip through, gets 404 on a draft, never 403.
    *[("a draft challenge", ("other_organiser",), "GET", f"/challenges/{{draft}}/{page}")
      for page in ("team-finder", "console", "judging", "jury", "awards", "publish", "vote/manage",
                   "announcements", "audit", "portfolio")],
    *[("a draft challenge", ("other_organiser",), "GET", f"/api/v1/challenges/{{draft}}/{part}")
      for part in ("ideas", "jurors", "assignments", "audit", "announcements")],
    ("a draft challenge", SIGNED_IN, "PATCH", "/api/v1/challenges/{draft}"),
    ("a draft challenge", SIGNED_IN, "POST", "/api/v1/challenges/{draft}/teams", {"name": "Early birds"}),
    ("an idea its juror is conflicted with", ("conflicted",), "GET", "/ideas/{idea}"),
    ("an idea its juror is conflicted with", ("conflicted",), "GET", "/api/v1/ideas/{idea}"),
    ("an idea its juror is conflicted with", ("conflicted",), "GET", "/reviews/{idea}"),
    ("an idea its juror is conflicted with", ("conflicted",), "GET", "/api/v1/ideas/{idea}/score"),
    ("an idea its juror is conflicted with", ("conflicted",), "PUT", "/api/v1/ideas/{idea}/score",
     {"scores": {}, "comment": "Fine."}),
    ("an idea its juror is conflicted with", ("conflicted",), "GET", "/reviews/{idea}/attachments/{attachment}"),
    ("an idea its juror is conflicted with", ("conflicted",), "GET",
     "/api/v1/ideas/{idea}/attachments/{attachment}"),
    ("another team's idea", NOT_THE_TEAM, "GET", "/ideas/{idea}"),
    ("another team's idea", NOT_THE_TEAM, "GET", "/api/v1/ideas/{idea}"),
    ("another team's idea", NOT_THE_TEAM, "GET", "/ideas/{idea}/attachments/{attachment}"),
    ("another team's idea", NOT_THE_TEAM, "GET", "/api/v1/ideas/{idea}/attachments/{attachment}"),
    ("another team's idea", NOT_THE_TEAM, "POST", "/api/v1/ideas/{idea}/withdraw"),
    ("another team's idea", NOT_THE_TEAM, "GET", "/teams/{team}"),
    ("another team's idea", NOT_THE_TEAM, "GET", "/teams/{team}/idea"),
    ("another team's idea", NOT_THE_TEAM, "GET", "/api/v1/teams/{team}"),
    ("another team's idea", NOT_THE_TEAM, "PUT", "/api/v1/teams/{team}/idea"),
    ("results not yet published", SIGNED_OUT_TOO, "GET", "/challenges/{challenge}/results"),
    ("results not yet published", SIGNED_OUT_TOO, "GET", "/challenges/{challenge}/results.csv"),
    ("results not yet published", SIGNED_OUT_TOO, "GET", "/challenges/{challenge}/results.json"),
    ("results not yet published", SIGNED_OUT_TOO, "GET", "/api/v1/challenges/{challenge}/results"),
    ("another idea's attachment", ("other_member",), "GET", "/ideas/{rival_idea}/attachments/{attachment}"),
    ("another idea's attachment", ("other_member",), "GET", "/api/v1/ideas/{rival_idea}/attachments/{attachment}"),
    ("another idea's attachment", ("conflicted",), "GET", "/reviews/{rival_idea}/attachments/{attachment}"),
    ("feedback not yet published", ("participant", "other_member", "juror"), "GET", "/ideas/{idea}/feedback"),
    ("feedback not yet published", ("participant", "other_member", "juror"), "GET",
     "/api/v1/ideas/{idea}/feedback"),
    ("another team's published feedback", ("other_member", "juror", "other_organiser"), "GET",
     "/ideas/{published_idea}/feedback"),
    ("another team's published feedback", ("other_member", "juror", "other_organiser"), "GET",
     "/api/v1/ideas/{published_idea}/feedback"),
    # Rows of one challenge or project reached through another that the role does organise or edit.
    *[("a row of another challenge", ("other_organiser",), method, f"/challenges/{{other_challenge}}/{path}", body)
      for method, path, body in (
          ("POST", "awards/{award}", {"name": "Renamed prize"}), ("POST", "awards/{award}/remove", {}),
          ("GET", "judging/flags/{flag}/clear", {}), ("POST", "judging/flags/{flag}/clear", {"note": "Fine."}),
          ("POST", "jury/invitations/{invitation}/cancel", {}), ("GET", "console/exceptions/{team}/revoke", {}),
          ("POST", "console/exceptions/{team}/revoke", {}),
          ("POST", "jury/assignments/{^idea}/{removable_juror}/remove", {}))],
    ("a row of another challenge", ("organiser",), "POST", "/challenges/{published}/awards/{award}",
     {"name": "Renamed prize"}),
    ("a row of another challenge", ("other_organiser",), "PUT",
     "/api/v1/challenges/{other_challenge}/assignments/{^idea}/{removable_juror}"),
    ("a row of another challenge", ("other_organiser",), "DELETE",
     "/api/v1/challenges/{other_challenge}/assignments/{^rival_idea}/{removable_juror}"),
    *[("a line of another project", ("administrator",), method, path.replace("{project}", "{local_project}"), body)
      for method, path, body in (
          ("POST", "/portfolio/{project}/manage/funding/{funding}", {"programme": "ESF"}),
          ("POST", "/portfolio/{project}/manage/funding/{funding}/remove", {}),
          ("POST", "/portfolio/{project}/manage/indicators/{indicator}", {"name": "Visits"}),
          ("POST", "/portfolio/{project}/manage/indicators/{indicator}/values", {"value": "3"}),
          ("POST", "/portfolio/{project}/manage/milestones/{milestone}", {"title": "Launch"}),
          ("POST", "/portfolio/{project}/manage/milestones/{milestone}/done", {}),
          ("POST", "/portfolio/{project}/comments/{comment}/report", {"reason": "Spam."}),
          ("PATCH", "/api/v1/portfolio/{project}/funding/{funding}", {"programme": "ESF"}),
          ("DELETE", "/api/v1/portfolio/{project}/funding/{funding}", None),
          ("PATCH", "/api/v1/portfolio/{project}/indicators/{indicator}", {"target": 5}),
          ("POST", "/api/v1/portfolio/{project}/indicators/{indicator}/values", {"value": 3}),
          ("DELETE", "/api/v1/portfolio/{project}/indicators/{indicator}", None),
          ("PATCH", "/api/v1/portfolio/{project}/milestones/{milestone}", {"done": True}),
          ("DELETE", "/api/v1/portfolio/{project}/milestones/{milestone}", None),
          ("POST", "/api/v1/portfolio/{project}/comments/{comment}/hide", {"reason": "Spam."}),
          ("POST", "/api/v1/portfolio/{project}/comments/{comment}/unhide", None),
          ("POST", "/api/v1/portfolio/{project}/comments/{comment}/reports", {"reason": "Spam."}))],
]

_CSRF_VALUE = re.compile(r'(name="[\w-]*csrf_token" (?:type="hidden" )?value=")[^"]*"')
# What a request may change even when refused: the session and token it was made with.
_VOLATILE = {"login_sessions", "api_tokens"}


def _answer(visitor: Visitor, method: str, path: str, route: Route) -> tuple[int, str]:
    """The status and the body with what legitimately differs taken out: the address itself (the
    language form sends people back to it) and the session's CSRF token, signed afresh each second.
    A redirect is followed once, so that a page form's refusal is compared by the message it shows."""
    response = visitor.send(method, path, route)
    status = response.status_code
    if status in (302, 303):
        location = urlsplit(response.headers["Location"])
        path = location.path
        response = visitor.html.get(location.path, query_string=location.query)
    text = response.get_data(as_text=True).replace(path, "{path}")
    return status, _CSRF_VALUE.sub(r'\1…"', text)


def _rows(snapshot) -> dict[str, list[dict[str, Any]]]:
    return {table.name: rows for table, rows in snapshot.rows if table.name not in _VOLATILE}


def test_hidden_things_answer_exactly_like_absent_ones(app, restored):
    world, _snapshot = restored
    checked, differences = 0, []
    visitors = {role: Visitor(app, world, role) for role in {r for case in HIDDEN for r in case[1]}}
    for visitor in visitors.values():
        visitor.sign_in()
    with app.app_context():
        before = _rows(take_snapshot())
    for what, roles, method, template, *body in HIDDEN:
        marked = re.search(r"{\^(\w+)}", template)
        hidden_key = marked.group(1) if marked else re.findall(r"{(\w+)}", template)[-1]
        template = template.replace("{^", "{")
        hidden = template.format(**world.ids)
        absent = template.format(**{**world.ids, hidden_key: ABSENT_ID})
        route = Route({}, body=body[0] if body else {}, form=body[0] if body else {})
        # Where the role may use the address (its own challenge or project), the foreign row must be
        # refused as if it did not exist, however the page says so; elsewhere the answer is a 404.
        elsewhere = what.startswith(("a row of", "a line of"))
        for role in roles:
            (status, text), (absent_status, absent_text) = (
                _answer(visitors[role], method, path, route) for path in (hidden, absent))
            checked += 1
            if status != absent_status or (status != 404 and not elsewhere):
                differences.append(f"{what}: {method} {hidden} as {role} answered {status}, "
                                   f"an absent id {absent_status}")
            elif text != absent_text:
                differences.append(f"{what}: {method} {hidden} as {role}: the answer differs from an absent id's")
    with app.app_context():
        after = _rows(take_snapshot())
    changed = sorted(name for name in before if before[name] != after[name])
    assert checked == sum(len(case[1]) for case in HIDDEN)
    assert not differences, "\n".join(differences)
    assert not changed, f"refused requests changed rows of {changed}"

"""Property-based tests of the main HTML forms: whatever is typed, the answer is never a 5xx.

Each form is posted, with its valid CSRF token, by the person who may use it, with arbitrary text
in every field (NUL and control characters, any unicode a browser can send, numbers and dates as
text, garbage dates, strings far past every limit) mixed with valid values so that the service
behind the form is reached too. For every post:

- the answer is not a 5xx;
- a field past its length limit is refused with an error message on the page (not a crash);
- a refused post wrote nothing: every table keeps its row count, and the row being edited is
  unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD, csrf_from, login
from tests.security.fuzz_world import FuzzWorld, row_counts

EXAMPLES = 25
ERROR_MARKS = ('class="error-summary"', 'class="error-message"', "banner-error")
ERROR_PAGE = '<p class="lead">'  # core/error.html: the message of a refused request

# What people (and attackers) type where they should not.
NASTY = ["", " ", "\x00", "a\x00b", "\r\n", "\t\x0b\x0c", "\x1b[31m", "\x7f", "\u202e", "\ufeff", "🙂", "Ⅻ",
         "0", "-1", "--5", "+-3", "1e309", "NaN", "inf", "-0", "3.14159", "1,5", "1 000", "٣", "²", "9" * 40,
         "9" * 5000, "2026-13-45", "31/02/2026", "2026-02-30T25:61", "0000-00-00", "9999-12-31T23:59",
         "2026-11-20T10:00", "<script>alert(1)</script>", "' OR 1=1 --", "{{ 7*7 }}", "%s%n", "null", "[]", "{}"]
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # no lone surrogates: not UTF-8
_LONG = st.builds(lambda char, n: char * n, st.sampled_from(["x", "é", "\x00", " ", "9", "🙂"]),
                  st.integers(min_value=150, max_value=25_000))
JUNK = st.one_of(st.sampled_from(NASTY), _TEXT, _LONG)


CURRENT = "(the value the page carries)"  # stands for e.g. the version, read when the post is made


@dataclass
class FormSpec:
    who: str | None  # attribute of FuzzWorld naming the e-mail to sign in with; None: anonymous
    page: Callable[[FuzzWorld], str]  # where the form is shown (and its CSRF token taken)
    limits: dict[str, int | None]  # field -> most characters it takes (None: not a free text)
    # Values that pass, to reach the service; the first of each make a form that is accepted.
    valid: dict[str, list[str]] = field(default_factory=dict)
    action: Callable[[FuzzWorld], str] | None = None  # where it posts, when not to the page itself
    watch: Callable[[FuzzWorld], tuple[str, dict[str, Any]]] | None = None  # the edited row(s)
    current: Callable[[FuzzWorld], dict[str, str]] | None = None  # what CURRENT stands for


def _scores(world: FuzzWorld) -> dict[str, int | None]:
    return {f"score-{criterion}": None for criterion in world.criteria}


FORMS: dict[str, Callable[[FuzzWorld], FormSpec]] = {
    "registration": lambda w: FormSpec(
        None, lambda w: "/register",
        {"name": 200, "email": 320, "organisation": 200, "locale": None, "password": 200, "accept_privacy": None},
        {"name": ["Rita Reg"], "email": ["new@example.org", "A1@EXAMPLE.ORG"], "locale": ["ro", "en"],
         "password": ["a long enough passphrase"], "accept_privacy": ["y"]}),
    "login": lambda w: FormSpec(
        None, lambda w: "/login", {"email": 320, "password": 200, "remember": None},
        {"email": [w.participant], "password": [DEFAULT_PASSWORD, "wrong password here"]}),
    "challenge": lambda w: FormSpec(
        "admin", lambda w: "/challenges/new", {"title": 200, "kind": None, "use_health_template": None},
        {"title": ["Clean air"], "kind": ["hackathon", "call"], "use_health_template": ["y"]}),
    "challenge set-up": lambda w: FormSpec(
        "admin", lambda w: f"/challenges/{w.draft_challenge}/setup/details",
        {"title": 200, "kind": None, "audience": 20_000, "description": 20_000, "rules": 20_000,
         "prizes": 20_000, "budget_total": None},
        {"title": ["Clean air"], "kind": ["hackathon", "call"], "budget_total": ["1000", "25000.50"]},
        watch=lambda w: ("SELECT * FROM challenges WHERE id = :id", {"id": w.draft_challenge})),
    "challenge dates": lambda w: FormSpec(
        "admin", lambda w: f"/challenges/{w.draft_challenge}/setup/dates",
        {"opens_at": None, "submission_deadline": None},
        {"opens_at": ["2026-12-01T09:00"], "submission_deadline": ["2026-12-20T18:00"]},
        watch=lambda w: ("SELECT * FROM challenges WHERE id = :id", {"id": w.draft_challenge})),
    "team": lambda w: FormSpec(
        "outsider", lambda w: f"/challenges/{w.open_challenge}/teams/new", {"name": 200},
        {"name": ["Team Fuzz"]}),
    "idea": lambda w: FormSpec(
        "participant", lambda w: f"/teams/{w.open_team}/idea",
        {"title": 200, "summary": 20_000, "problem": 20_000, "solution": 20_000, "beneficiaries": 20_000,
         "track_id": None, "budget_requested": None, "links": None, "version": None},
        {"title": ["Better referrals"], "links": ["https://example.org"], "budget_requested": ["25000"],
         "version": [CURRENT]},
        watch=lambda w: ("SELECT * FROM ideas WHERE id = :id", {"id": w.open_idea}),
        current=lambda w: {"version": str(db.session.scalar(text("SELECT version FROM ideas WHERE id = :id"),
                                                               {"id": w.open_idea}))}),
    "scoring": lambda w: FormSpec(
        "admin", lambda w: f"/reviews/{w.judged_idea}",
        {**_scores(w), "comment": 20_000, "private_note": 20_000, "version": None, "action": None},
        {**{name: ["1", "3", "5"] for name in _scores(w)}, "action": ["save", "next"], "version": [""]},
        watch=lambda w: ("SELECT r.*, s.criterion_id, s.value FROM reviews r LEFT JOIN criterion_scores s "
                         "ON s.review_id = r.id WHERE r.idea_id = :id ORDER BY s.criterion_id",
                         {"id": w.judged_idea})),
    "award": lambda w: FormSpec(
        "organiser", lambda w: f"/challenges/{w.judging_challenge}/awards", {"idea_id": None, "name": 200,
                                                                            "amount": None},
        {"idea_id": [str(w.judged_idea)], "name": ["First prize"], "amount": ["25000", "1 000,50"]}),
    "project": lambda w: FormSpec(
        "admin", lambda w: "/portfolio/new",
        {"title": 200, "summary": 20_000, "description": 20_000, "themes": 1300, "stage": None,
         "stopped_reason": 20_000, "organisation": 200, "partners": 11_000, "budget": None, "currency": None,
         "funding-0-programme": 200, "funding-0-amount": None, "funding-0-starts_on": None,
         "location": 200, "latitude": None, "longitude": None, "starts_on": None, "ends_on": None,
         "contact_name": 200, "contact_email": 320, "website": 500},
        {"title": ["Clean air for schools"], "summary": ["Sensors in classrooms."], "organisation": ["City hall"],
         "stage": ["pilot", "idea", "stopped"], "starts_on": ["2026-01-01"], "latitude": ["47.15"],
         "longitude": ["27.6"], "website": ["https://example.org"]}),
    "comment": lambda w: FormSpec(
        "participant", lambda w: f"/portfolio/{w.project}", {"body": 5000}, {"body": ["Thank you!"]},
        action=lambda w: f"/portfolio/{w.project}/comments"),
}


def watched(spec: FormSpec, world: FuzzWorld) -> list[tuple[Any, ...]]:
    if spec.watch is None:
        return []
    sql, params = spec.watch(world)
    return [tuple(row) for row in db.session.execute(text(sql), params)]


def over_limit(spec: FormSpec, values: dict[str, str]) -> list[str]:
    return [name for name, limit in spec.limits.items() if limit is not None and len(values.get(name, "")) > limit]


def post_form(client: Any, action: str, page: str, values: dict[str, str], token: str) -> tuple[int, str]:
    """Post like a browser (Referer included); answer the status and the page the person ends up on."""
    response = client.post(action, data={**values, "csrf_token": token}, headers={"Referer": f"http://localhost{page}"})
    status = response.status_code
    if status in (302, 303):
        return status, client.get(response.headers["Location"]).get_data(as_text=True)
    return status, response.get_data(as_text=True)


@st.composite
def form_values(draw: Any, spec: FormSpec) -> dict[str, str]:
    """Junk in every field (some left out), or a valid form with up to three fields spoiled."""
    names = list(spec.limits)
    if draw(st.booleans(), label="all junk"):
        return draw(st.fixed_dictionaries({}, optional={name: JUNK for name in names}))
    spoiled = draw(st.sets(st.sampled_from(names), max_size=3), label="spoiled")
    values = {}
    for name in names:
        if name in spoiled:
            values[name] = draw(JUNK, label=name)
        elif spec.valid.get(name):
            values[name] = draw(st.sampled_from(spec.valid[name]), label=name)
    return values


@pytest.mark.parametrize("form", FORMS)
def test_no_form_input_fails_or_half_writes(app, world_snapshot, frozen_clock, form):
    world, snapshot = world_snapshot
    with app.app_context():
        snapshot.restore()
    spec = FORMS[form](world)
    client = app.test_client()
    if spec.who:
        assert login(client, getattr(world, spec.who)).status_code in (302, 303)
    page = spec.page(world)
    shown = client.get(page)
    assert shown.status_code == 200, (page, shown.status_code)
    token = csrf_from(shown.get_data(as_text=True))
    action = spec.action(world) if spec.action else page
    outcomes = {"written": 0, "refused": 0, "nothing written": 0}

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @example(values={name: choices[0] for name, choices in spec.valid.items()})
    @given(values=form_values(spec))
    def property_(values: dict[str, str]) -> None:
        with app.app_context():
            if CURRENT in values.values():
                now = spec.current(world)
                values = {name: now[name] if value == CURRENT else value for name, value in values.items()}
            before, rows_before = row_counts(), watched(spec, world)
        status, html = post_form(client, action, page, values, token)
        assert status < 500, (status, values)
        with app.app_context():
            wrote = row_counts() != before or watched(spec, world) != rows_before
        refused = status >= 400 or any(mark in html for mark in ERROR_MARKS)
        if refused:
            assert not wrote, "a refused post wrote something"
        if too_long := over_limit(spec, values):
            assert not wrote, f"{too_long} past their limit were stored"
            # The form again with its errors, a banner saying why (e.g. "already in a team"), or the
            # error page (a NUL, for one, is refused whole).
            assert any(mark in html for mark in ERROR_MARKS) or 'class="banner ' in html \
                or (status >= 400 and ERROR_PAGE in html), html
        outcomes["written" if wrote else "refused" if refused else "nothing written"] += 1

    property_()
    assert outcomes["refused"], outcomes  # the junk did reach the form's checks
    assert outcomes["written"], outcomes  # and valid values got through

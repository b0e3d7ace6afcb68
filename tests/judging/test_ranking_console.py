"""The organisers' judging console and its CSV export, in HTML."""
import csv
import io
import re

import pytest
from sqlalchemy import event, select

from app.core.audit import AuditEvent
from app.extensions import db as database
from app.judging.models import SafetyFlag
from tests.conftest import csrf_from, login
from tests.factories import (make_challenge, make_idea, make_juror, make_review, make_team, make_user)
from tests.judging.ranking_helpers import hand_case


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def page_of(response):
    return response.get_data(as_text=True)


def flag_on(case, idea="B", reason="Video calls go through a consumer messaging app."):
    kai = case.jurors[1]
    flag = SafetyFlag(challenge_id=case.challenge.id, idea_id=case.ideas[idea].id, raised_by_id=kai.id,
                      kind="data_protection", reason=reason)
    database.session.add(flag)
    database.session.commit()
    return flag.id


def test_the_console_shows_flags_progress_ranking_jurors_and_reliability(app, db):
    case = hand_case(db)
    flag_on(case)
    response = signed_in(app, "olga@example.org").get(f"/challenges/{case.challenge.id}/judging")
    assert response.status_code == 200
    page = page_of(response)
    assert page.count("<h1") == 1
    flags_at = page.index("1 open safety flag")
    assert flags_at < page.index("Progress") < page.index("Rank by")
    assert "Video calls go through a consumer messaging app." in page and "Raised by Kai Juror" in page
    assert "Jana Juror: 3 of 3 scored" in page and "Kai Juror: 2 of 2 scored" in page
    assert "Lea Juror: 0 of 0 scored" in page and "No entries assigned" in page
    table = page[page.index('id="ranking-table"'):]
    table = table[:table.index("</table>")]
    assert table.index("Idea A") < table.index("Idea C") < table.index("Idea B")
    assert table.count("Discuss") == 1 and "100%" in table and "Solid" in table
    assert "+0.50" in page and "−0.50" in page  # the juror offsets
    assert "Agreement on each criterion" in page and "too vague to score alike" in page
    assert page.count('role="img"') == 2 and page.count("<svg") == 2
    assert "style=" not in page
    assert f'href="/challenges/{case.challenge.id}/jury"' in page
    assert f"/challenges/{case.challenge.id}/judging/ranking.csv" in page
    assert "default-src" in response.headers["Content-Security-Policy"]


def test_the_method_switcher_is_allow_listed(app, db):
    case = hand_case(db)
    client = signed_in(app, "olga@example.org")
    path = f"/challenges/{case.challenge.id}/judging"
    raw = page_of(client.get(path + "?method=raw"))
    assert "Ranking by raw mean" in raw and 'value="raw" checked' in raw
    normalised = page_of(client.get(path + "?method=normalized"))
    assert "Ranking by normalised score" in normalised
    assert re.search(r"Idea C.*?<td[^>]*>-0\.71</td>", normalised, re.S)  # C's mean z-score
    ignored = page_of(client.get(path + "?method=<script>&round=abc"))
    assert "Ranking by calibrated score" in ignored and "<script>" not in ignored


def test_a_later_round_offers_the_round_switcher(app, db):
    case = hand_case(db)
    case.challenge.round = 2
    case.ideas["A"].round = 2
    db.session.commit()
    client = signed_in(app, "olga@example.org")
    path = f"/challenges/{case.challenge.id}/judging"
    current = page_of(client.get(path))
    assert 'aria-label="Rounds"' in current and "No complete review yet" in current
    past = page_of(client.get(path + "?round=1"))
    assert "Idea C" in past[past.index('id="ranking-table"'):]
    for odd in ("7", "²", "-1", "1e3"):  # out of range or not a number: the current round
        assert "No complete review yet" in page_of(client.get(f"{path}?round={odd}"))


@pytest.mark.parametrize("email", ["jana@example.org", "lea@example.org", "a@example.org", "elsewhere@example.org"])
def test_jurors_and_participants_never_reach_the_console(app, db, email):
    case = hand_case(db)
    other = make_challenge(status="judging", title="Elsewhere")
    make_juror(other, make_user("elsewhere@example.org"))
    flag_id = flag_on(case)
    client = signed_in(app, email)
    base = f"/challenges/{case.challenge.id}/judging"
    for path in (base, base + "/ranking.csv", f"{base}/flags/{flag_id}/clear"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Idea A" not in page_of(response)
    assert client.post(f"{base}/flags/{flag_id}/clear", data={f"flag-{flag_id}-note": "x"}).status_code in (400, 403)


def test_a_draft_is_404_for_outsiders_and_anonymous_people_are_asked_to_sign_in(app, db):
    organiser = make_user("olga@example.org")
    draft = make_challenge(status="draft", organisers=[organiser])
    make_juror(draft, make_user("jana@example.org"))
    assert signed_in(app, "jana@example.org").get(f"/challenges/{draft.id}/judging").status_code == 404
    assert signed_in(app, "olga@example.org").get(f"/challenges/{draft.id}/judging").status_code == 200
    anonymous = app.test_client().get(f"/challenges/{draft.id}/judging")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert signed_in(app, "olga@example.org").get("/challenges/999999/judging").status_code == 404


def test_the_csv_export_neutralises_formulas_and_keeps_numbers(app, db):
    case = hand_case(db)
    case.ideas["A"].title = '=HYPERLINK("http://evil.example","click")'
    case.ideas["B"].title = "@SUM(A1:A2)"
    db.session.commit()
    response = signed_in(app, "olga@example.org").get(f"/challenges/{case.challenge.id}/judging/ranking.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(page_of(response).lstrip("\ufeff"))))
    assert rows[0][:6] == ["Rank", "Idea", "Team", "Calibrated score", "Normalised score", "Raw mean"]
    assert response.headers["Content-Disposition"].endswith('ranking-calibrated.csv"')
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(\"http://evil.example\",\"click\")", "Idea C", "'@SUM(A1:A2)"]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert float(rows[3][4]) < 0 and rows[3][4].startswith("-")  # a negative score stays a number
    assert rows[1][10] == "Yes" and rows[2][10] == "No"
    raw = signed_in(app, "olga@example.org").get(f"/challenges/{case.challenge.id}/judging/ranking.csv?method=raw")
    assert raw.headers["Content-Disposition"].endswith('ranking-raw.csv"')


def test_clearing_a_flag_takes_a_note_and_a_confirmation(app, db):
    case = hand_case(db)
    flag_id = flag_on(case)
    client = signed_in(app, "olga@example.org")
    console = f"/challenges/{case.challenge.id}/judging"
    path = f"{console}/flags/{flag_id}/clear"
    token = csrf_from(page_of(client.get(console)))
    name = f"flag-{flag_id}"
    empty = client.post(path, data={f"{name}-csrf_token": token, f"{name}-note": " "})
    assert empty.status_code == 422 and "Say how the concern was settled." in page_of(empty)
    note = "Checked with the team: <b>the data</b> stays in the hospital."
    confirm = client.post(path, data={f"{name}-csrf_token": token, f"{name}-note": note, f"{name}-confirmed": ""})
    assert confirm.status_code == 200
    assert "Clear the safety flag on “Idea B”?" in page_of(confirm)
    assert "&lt;b&gt;the data&lt;/b&gt;" in page_of(confirm)
    assert database.session.get(SafetyFlag, flag_id).cleared is False  # nothing changes before the confirmation
    done = client.post(path, data={f"{name}-csrf_token": token, f"{name}-note": note, f"{name}-confirmed": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{console}#flags")
    database.session.rollback()  # end this test's read transaction: the request committed in its own
    flag = database.session.get(SafetyFlag, flag_id)
    assert flag.cleared and flag.clearing_note == note and flag.cleared_by_id == case.organiser.id
    assert database.session.scalar(select(AuditEvent.action).where(AuditEvent.challenge_id == case.challenge.id,
                                                                   AuditEvent.action.like("%cleared"))) is not None
    after = page_of(client.get(console))
    assert "is cleared" in after and "open safety flag" not in after
    assert client.get(path).status_code == 404  # already cleared


def test_a_flag_of_another_challenge_is_404(app, db):
    case = hand_case(db)
    other = make_challenge(status="judging", title="Other", organisers=[case.organiser])
    idea = make_idea(make_team(other, make_user("z@example.org")), status="submitted")
    flag = SafetyFlag(challenge_id=other.id, idea_id=idea.id, kind="patient_safety", reason="r")
    database.session.add(flag)
    database.session.commit()
    client = signed_in(app, "olga@example.org")
    assert client.get(f"/challenges/{case.challenge.id}/judging/flags/{flag.id}/clear").status_code == 404


def build(entries):
    """A judging challenge with ``entries`` ideas, each scored by three of four jurors, and a flag."""
    organiser = make_user("olga@example.org")
    challenge = make_challenge(status="judging", organisers=[organiser])
    jurors = [make_user(f"j{n}@example.org", name=f"Juror {n}") for n in range(4)]
    for juror in jurors:
        make_juror(challenge, juror)
    for n in range(entries):
        idea = make_idea(make_team(challenge, make_user(f"t{n}@example.org")), status="submitted",
                         title=f"Idea {n}")
        for k in range(3):
            make_review(idea, jurors[(n + k) % 4], {c.id: 1 + (n + k) % 5 for c in challenge.criteria})
    database.session.add(SafetyFlag(challenge_id=challenge.id, idea_id=idea.id, kind="patient_safety", reason="r"))
    database.session.commit()
    return challenge.id


def count_queries(app, challenge_id):
    client = signed_in(app, "olga@example.org")
    statements = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        response = client.get(f"/challenges/{challenge_id}/judging")
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def test_the_console_needs_the_same_number_of_queries_for_3_or_10_entries(app, db):
    small = count_queries(app, build(3))
    database.session.remove()
    for table in reversed(database.metadata.sorted_tables):
        database.session.execute(table.delete())
    database.session.commit()
    large = count_queries(app, build(10))
    print(f"console queries: {small} for 3 entries, {large} for 10")
    assert small == large, (small, large)
    assert large <= 25

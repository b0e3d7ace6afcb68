"""The organiser console: teams and ideas, filters, the CSV export, personal deadlines, judging."""
import csv
import datetime as dt
import io

from app.challenges.models import Challenge
from tests.challenges.helpers import create, signed_in, stored, text
from tests.conftest import form_post, make_user
from tests.factories import make_idea, make_team


# --- console --------------------------------------------------------------------------------

def make_teams(app, challenge_id):
    from app.extensions import db

    with app.app_context():
        challenge = db.session.get(Challenge, challenge_id)
        alpha = make_team(challenge, make_user("a@example.org", name="Ana"), name="=HYPERLINK(\"http://evil\")")
        make_idea(alpha, status="submitted", title="@SUM(A1) telemonitoring")
        beta = make_team(challenge, make_user("b@example.org", name="Bogdan"), name="Beta")
        make_idea(beta, status="draft", title="Falls prevention", track_id=challenge.tracks[1].id)
        make_team(challenge, make_user("c@example.org", name="Cai"), name="Gamma")
        return alpha.id, beta.id


def teams_table(response):
    page = text(response)
    start = page.find("Teams and their ideas</caption>")
    return page[start:page.find("</table>", start)] if start >= 0 else ""


def test_console_lists_teams_and_filters(app, people):
    challenge_id = create(app, people)
    make_teams(app, challenge_id)
    organiser = signed_in(app, people.organiser.email)
    page = teams_table(organiser.get(f"/challenges/{challenge_id}/console"))
    assert "Falls prevention" in page and "Gamma" in page and "No idea yet" in page and "Captain: Ana" in page
    page = teams_table(organiser.get(f"/challenges/{challenge_id}/console?status=submitted"))
    assert "telemonitoring" in page and "Falls prevention" not in page and "Gamma" not in page
    page = teams_table(organiser.get(f"/challenges/{challenge_id}/console?status=none"))
    assert "Gamma" in page and "Beta" not in page
    with app.app_context():
        from app.extensions import db

        prevention = db.session.get(Challenge, challenge_id).tracks[1].id
    page = teams_table(organiser.get(f"/challenges/{challenge_id}/console?track={prevention}"))
    assert "Falls prevention" in page and "telemonitoring" not in page
    # values outside the allow-list are ignored, never passed on
    page = teams_table(organiser.get(f"/challenges/{challenge_id}/console?status=x'--&track=abc"))
    assert "Falls prevention" in page and "Gamma" in page


def test_console_csv_is_neutralised_and_filtered(app, people):
    challenge_id = create(app, people)
    make_teams(app, challenge_id)
    organiser = signed_in(app, people.organiser.email)
    response = organiser.get(f"/challenges/{challenge_id}/console.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["Team", "Members", "Captain", "Idea", "Status"]
    by_team = {row[0]: row for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in by_team
    assert by_team["'=HYPERLINK(\"http://evil\")"][3] == "'@SUM(A1) telemonitoring"
    assert by_team["Beta"][4] == "Draft" and by_team["Gamma"][4] == "No idea yet"
    filtered = organiser.get(f"/challenges/{challenge_id}/console.csv?status=draft").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(filtered)))) == 2


def test_console_grants_and_revokes_a_personal_deadline(app, people, frozen_clock):
    challenge_id = create(app, people, deadline_in=dt.timedelta(hours=2))
    alpha_id, _beta_id = make_teams(app, challenge_id)
    organiser = signed_in(app, people.organiser.email)
    console = f"/challenges/{challenge_id}/console"
    path = f"{console}/exceptions"
    response = form_post(organiser, path, {"team_id": alpha_id, "new_deadline": "2026-11-20T13:00", "reason": "Power"},
                         page=console)
    assert response.status_code == 422 and "must be later than the challenge" in text(response)
    response = form_post(organiser, path, {"team_id": alpha_id, "new_deadline": "2026-11-20T16:00", "reason": ""},
                         page=console)
    assert response.status_code == 422 and "Say why this team gets more time." in text(response)
    response = form_post(organiser, path, {"team_id": alpha_id, "new_deadline": "2026-11-20T16:00",
                                           "reason": "Power cut at the venue"}, page=console, follow_redirects=True)
    page = text(response)
    assert "can now submit until" in page and "Power cut at the venue" in page and "Late exception" in page
    from app.extensions import db
    from app.teams.models import Team

    with app.app_context():
        assert db.session.get(Team, alpha_id).deadline_exception == dt.datetime(2026, 11, 20, 14, 0,
                                                                                tzinfo=dt.timezone.utc)
    revoke = f"{console}/exceptions/{alpha_id}/revoke"
    assert "Revoke" in text(organiser.get(revoke))
    response = form_post(organiser, revoke, follow_redirects=True)
    assert "personal deadline is revoked" in text(response)
    with app.app_context():
        assert db.session.get(Team, alpha_id).deadline_exception is None


def test_start_judging_confirmation(app, people, frozen_clock):
    challenge_id = create(app, people, deadline_in=dt.timedelta(hours=1))
    organiser = signed_in(app, people.organiser.email)
    path = f"/challenges/{challenge_id}/start-judging"
    assert "has not passed yet" in text(organiser.get(path))
    response = form_post(organiser, path, follow_redirects=True)
    assert "Judging can start only after the submission deadline." in text(response)
    assert stored(app, challenge_id)["status"] == "open"
    frozen_clock.advance(hours=1)
    page = text(organiser.get(path))
    assert "This cannot be undone." in page
    response = form_post(organiser, path, follow_redirects=True)
    assert "Judging has started." in text(response)
    assert stored(app, challenge_id)["status"] == "judging"

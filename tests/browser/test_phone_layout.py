"""On a phone (390 × 844): the challenge page, the team page, the idea form and the organisers'
set-up page fit the screen without sideways scrolling. Each page is kept as a screenshot in
test-artifacts/ so that its layout can be looked at."""
import datetime as dt

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import make_challenge, make_idea, make_team, make_user
from tests.submissions.helpers import pdf_bytes

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
# Long words are what push a narrow page sideways: a long team name, a long link, a long file name.
LONG_LINK = "https://github.com/heart-at-home/remote-monitoring-for-heart-failure-patients-in-community-care"
LONG_FILE = "heart-at-home-remote-monitoring-pilot-study-slides-final-version.pdf"


def wider_than_the_screen(tab) -> list[str]:
    """The elements reaching past the screen's right edge (none, when nothing scrolls sideways)."""
    return tab.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length
                         && !e.closest('.visually-hidden, .skip-link'))
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                      + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
    }""")


def keep(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    too_wide = wider_than_the_screen(tab)
    assert too_wide == [] and tab.evaluate("document.documentElement.scrollWidth") <= 390, (name, too_wide)


def test_participant_and_organiser_pages_fit_a_phone(app, another_page, tmp_path):
    with app.app_context():
        organiser = make_user("irina.ungureanu@example.org", name="Irina Ungureanu", admin=True)
        ana = make_user("ana.popescu@example.org", name="Ana Popescu-Constantinescu")
        mihai = make_user("mihai.ionescu@example.org", name="Mihai Ionescu")
        challenge = make_challenge(title="Smart Health City Iași 2026: care at home for chronic disease",
                                   organisers=[organiser], team_min_size=2, deadline_in=dt.timedelta(days=2, hours=5),
                                   audience="Students, clinicians, start-ups and NGOs of the north-east region.",
                                   rules_text="Teams of 2 to 4.", prizes="A pilot with the county hospital.")
        team = make_team(challenge, ana, mihai, name="Heart at Home – Remote Monitoring Collective")
        make_idea(team, links=[LONG_LINK])
        draft = make_challenge(title="Regional call for telemedicine projects 2027", status="draft", kind="call",
                               organisers=[organiser], criteria=(), tracks=())
        challenge_id, team_id, draft_id = challenge.id, team.id, draft.id

    participant = another_page(**PHONE)
    sign_in(participant, "ana.popescu@example.org")

    participant.goto(f"/challenges/{challenge_id}")
    participant.get_by_role("heading", name="Smart Health City Iași 2026", level=1).wait_for()
    keep(participant, "challenge")

    participant.goto(f"/teams/{team_id}")
    participant.get_by_label("Invitation link").wait_for()
    keep(participant, "team")

    participant.goto(f"/teams/{team_id}/idea")
    participant.get_by_role("heading", name="Your team's idea", level=1).wait_for()
    pdf = tmp_path / LONG_FILE
    pdf.write_bytes(pdf_bytes())
    participant.get_by_label("Add a file").set_input_files(str(pdf))
    participant.get_by_role("button", name="Upload file").click()
    participant.get_by_role("status").filter(has_text="is attached").wait_for()
    participant.evaluate("window.scrollTo(0, 0)")
    keep(participant, "idea-form")

    organiser_tab = another_page(**PHONE)
    sign_in(organiser_tab, "irina.ungureanu@example.org")
    organiser_tab.goto(f"/challenges/{draft_id}/setup")
    organiser_tab.get_by_role("heading", name="Set up", level=1).wait_for()
    keep(organiser_tab, "organiser-setup")

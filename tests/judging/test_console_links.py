"""The organiser console leads to the jury page in every phase, and to the judging console once
judging has started; both links open."""
from __future__ import annotations

import pytest

from tests.conftest import login, make_user
from tests.factories import make_challenge


@pytest.mark.parametrize("status, console", [("draft", False), ("open", False), ("judging", True),
                                             ("published", True), ("archived", True)])
def test_the_console_links_to_the_jury_and_the_judging_console(client, db, status, console):
    organiser = make_user("orga@example.org", name="Olga Organiser")
    challenge = make_challenge(status=status, organisers=[organiser])
    login(client, organiser.email)
    html = client.get(f"/challenges/{challenge.id}/console").get_data(as_text=True)
    jury, judging = f'href="/challenges/{challenge.id}/jury"', f'href="/challenges/{challenge.id}/judging"'
    assert jury in html
    assert (judging in html) is console
    assert client.get(f"/challenges/{challenge.id}/jury").status_code == 200
    if console:
        assert client.get(f"/challenges/{challenge.id}/judging").status_code == 200

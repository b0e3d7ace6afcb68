"""The world the juror tests share (no tests here): a challenge in judging with blind review, two
submitted entries and a draft, jurors on every side of the permission line, and another challenge.

Each ``test_review_*`` module builds it in its own ``world`` fixture with :func:`build_world`.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from app.extensions import db as database
from tests.conftest import make_user
from tests.factories import make_assignment, make_challenge, make_idea, make_juror, make_team

TEAM_NAMES = ("Heart at Home", "Breathe Easy")
MEMBER_NAMES = ("Ana Popescu", "Mihai Ionescu", "Elena Vasilescu")
ANCHORS = ["Not relevant", "Slightly relevant", "Relevant", "Very relevant", "Essential for the city"]


def judging_challenge(organiser, **fields):
    challenge = make_challenge(status="judging", organisers=[organiser], opens_in=dt.timedelta(days=-10),
                               deadline_in=dt.timedelta(days=-1), **fields)
    challenge.criteria[0].anchors = ANCHORS
    database.session.commit()
    return challenge


def build_world(*, blind_review: bool = True) -> SimpleNamespace:
    organiser = make_user("orga@example.org", name="Olga Organiser", organisation="City Hall")
    ana = make_user("ana@example.org", name=MEMBER_NAMES[0], organisation="Clinica Sanatatea")
    mihai = make_user("mihai@example.org", name=MEMBER_NAMES[1])
    elena = make_user("elena@example.org", name=MEMBER_NAMES[2])
    juror = make_user("juror@example.org", name="Iulia Jurist", organisation="County Hospital")
    colleague = make_user("colleague@example.org", name="Radu Reviewer")
    unassigned = make_user("unassigned@example.org", name="Uma Unassigned")
    # Same organisation as Ana, spelt differently: automatically conflicted with her team.
    conflicted = make_user("conflicted@example.org", name="Costel Conflicted", organisation="  clinica   SANATATEA ")
    outsider = make_user("outsider@example.org", name="Otto Outsider")
    challenge = judging_challenge(organiser, blind_review=blind_review)
    team = make_team(challenge, ana, mihai, name=TEAM_NAMES[0])
    rival = make_team(challenge, elena, name=TEAM_NAMES[1])
    drafting = make_team(challenge, make_user("dora@example.org", name="Dora Drafter"), name="Still Drafting")
    idea = make_idea(team, status="submitted", title="Heart failure care at home")
    rival_idea = make_idea(rival, status="submitted", title="Asthma coaching by text message")
    draft = make_idea(drafting, status="draft", title="Unfinished idea")
    for person in (juror, colleague, unassigned, conflicted):
        make_juror(challenge, person)
    for entry in (idea, rival_idea, draft):
        make_assignment(entry, juror)
    make_assignment(idea, colleague)
    make_assignment(idea, conflicted)
    other = judging_challenge(organiser, title="Another challenge")
    other_idea = make_idea(make_team(other, make_user("zoe@example.org", name="Zoe Zamfir"), name="Elsewhere"),
                           status="submitted", title="Elsewhere idea")
    make_juror(other, outsider)
    make_assignment(other_idea, outsider)
    return SimpleNamespace(organiser=organiser, ana=ana, mihai=mihai, elena=elena, juror=juror, colleague=colleague,
                           unassigned=unassigned, conflicted=conflicted, outsider=outsider, challenge=challenge,
                           team=team, rival=rival, idea=idea, rival_idea=rival_idea, draft=draft, other=other,
                           other_idea=other_idea, criteria=[c.id for c in challenge.criteria])


def attach(idea, filename: str = "Heart at Home - budget (Ana Popescu).pdf"):
    """A stored PDF whose name carries the team's and a member's names, as real ones often do."""
    from app.submissions import uploads
    from app.submissions.models import Attachment
    from tests.submissions.helpers import pdf_bytes

    content = pdf_bytes("budget")
    stored = uploads.new_stored_name()
    uploads.upload_dir()
    uploads.stored_path(stored).write_bytes(content)
    attachment = Attachment(idea_id=idea.id, filename=filename, stored_name=stored, size=len(content),
                            content_type="application/pdf")
    database.session.add(attachment)
    database.session.commit()
    return attachment


def full_scores(world, first: int = 4, second: int = 3) -> dict[int, int]:
    return {world.criteria[0]: first, world.criteria[1]: second}

"""The world the route table walks: one of everything a URL can name, and the people around it.

Built on the published portfolio scenario (``tests.portfolio.scenario``: challenge P with its
results published and Alpha's entry promoted to a project), plus:

- J, "the challenge under test", in judging, organised by Olga: team Alpha-J (Ana captain, Andrei)
  with the submitted idea under test (an attachment, a juror's review, a safety flag, an award),
  team Beta-J (Bea) with its own submitted idea (assigned to Jurors 2 and 3), a people's-choice
  vote open, a pending juror invitation, a team-finder profile, a conflict recorded between
  Juror 3 and Alpha-J;
- X, another challenge in judging, organised by Orla with Juror 4 on its jury;
- D, a draft organised by Olga (hidden from everybody else);
- on the promoted project: a comment by Bea with a report, a MAST evaluation, and two funding
  lines, two indicators and two milestones (the page and the API each remove their own);
- a second API token of Ana's, for the token-revoking page.

The roles of the table, and who plays them:

    anonymous        nobody signed in
    participant      Ana (a1@), captain of the team whose idea is under test (and of Alpha in P)
    other_member     Bea (b1@), captain of another team of the same challenge
    juror            Juror 1, assigned to the idea under test, with a review of it
    other_juror      Juror 4, on the jury of X only
    conflicted       Juror 3, on J's jury, conflicted with the team under test
    other_organiser  Orla, organiser of X only
    organiser        Olga, organiser of J (and of P and D)
    administrator    Ada (admin@)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.core import clock
from app.extensions import db
from tests.conftest import make_user
from tests.factories import make_assignment, make_challenge, make_idea, make_juror, make_review, make_team
from tests.portfolio.scenario import portfolio

ROLES = ("anonymous", "participant", "other_member", "juror", "other_juror", "conflicted", "other_organiser",
         "organiser", "administrator")

ABSENT_ID = 987654  # an id no row of the world has


@dataclass
class World:
    """Plain values only (e-mail addresses by role, ids by name): rows do not outlive their session."""

    emails: dict[str, str | None]
    ids: dict[str, Any] = field(default_factory=dict)

    def email(self, role: str) -> str | None:
        return self.emails[role]


def _attach(idea: Any, uploader: Any) -> Any:
    from app.submissions import uploads
    from app.submissions.models import Attachment
    from tests.submissions.helpers import pdf_bytes

    content = pdf_bytes("route table")
    stored = uploads.new_stored_name()
    uploads.upload_dir()
    uploads.stored_path(stored).write_bytes(content)
    attachment = Attachment(idea_id=idea.id, filename="budget.pdf", stored_name=stored, size=len(content),
                            content_type="application/pdf", uploaded_by_id=uploader.id)
    db.session.add(attachment)
    db.session.commit()
    return attachment


def _spare_token(user: Any) -> int:
    """A second API token of the participant's: the one the table asks to revoke."""
    import hashlib
    import secrets

    from app.accounts.models import ApiToken

    raw = secrets.token_urlsafe(24)
    token = ApiToken(user_id=user.id, token_hash=hashlib.sha256(raw.encode()).hexdigest(), label="spare",
                     prefix=raw[:8], expires_at=clock.now() + dt.timedelta(days=30))
    db.session.add(token)
    db.session.commit()
    return token.id


def _judging_side(scene: Any, people: dict[str, Any]) -> dict[str, Any]:
    from app.judging.models import Conflict, JurorInvitation, SafetyFlag
    from app.results.models import Award, PeoplesChoice
    from app.teams.models import TeamSeeker

    ana, andrei = scene.world.members["Alpha"]
    bea = people["other_member"]
    juror1, juror2, juror3 = scene.world.jurors
    now = clock.now()
    challenge = make_challenge(status="judging", organisers=[people["organiser"]], title="Challenge under test",
                               kind="call", opens_in=dt.timedelta(days=-20), deadline_in=dt.timedelta(days=-1),
                               budget_total=Decimal("50000"), reviews_per_entry=2)
    team = make_team(challenge, ana, andrei, name="Alpha J")
    rival = make_team(challenge, bea, name="Beta J")
    idea = make_idea(team, status="submitted", title="Idea under test", budget_requested=Decimal("20000"))
    rival_idea = make_idea(rival, status="submitted", title="Rival idea", budget_requested=Decimal("10000"))
    for juror in (juror1, juror2, juror3):
        make_juror(challenge, juror)
    criteria = [c.id for c in challenge.criteria]
    review = make_review(idea, juror1, {criteria[0]: 4, criteria[1]: 3})
    make_assignment(rival_idea, juror2)
    make_assignment(rival_idea, juror3)
    attachment = _attach(idea, ana)
    db.session.add_all([
        Conflict(challenge_id=challenge.id, juror_user_id=juror3.id, team_id=team.id, source="organiser",
                 reason="Works with the team.", created_at=now),
        PeoplesChoice(challenge_id=challenge.id, status="open", votes_per_person=2, allowed_domains=[],
                      opened_at=now),
    ])
    flag = SafetyFlag(challenge_id=challenge.id, idea_id=idea.id, raised_by_id=juror1.id, kind="patient_safety",
                      reason="Patient data leaves the hospital.", created_at=now)
    invitation = JurorInvitation(challenge_id=challenge.id, email_key="newcomer@example.org", invited_at=now)
    award = Award(challenge_id=challenge.id, idea_id=idea.id, name="Jury prize", amount=Decimal("5000"),
                  position=0, created_at=now)
    seeker = TeamSeeker(challenge_id=challenge.id, user_id=scene.world.outsider.id, skills="Nursing",
                        created_at=now)
    db.session.add_all([flag, invitation, award, seeker])
    db.session.commit()
    return {
        "challenge": challenge.id, "team": team.id, "rival_team": rival.id, "idea": idea.id,
        "rival_idea": rival_idea.id, "attachment": attachment.id, "review": review.id, "flag": flag.id,
        "invitation": invitation.id, "award": award.id, "seeker": seeker.id, "member": andrei.id,
        "removable_juror": juror2.id, "juror_user": juror1.id,
        "conflicted_user": juror3.id, "criteria": criteria, "invite_code": team.invite_code,
        "tracks": [(track.id, track.name) for track in challenge.tracks],
    }


def _portfolio_side(scene: Any, people: dict[str, Any]) -> dict[str, Any]:
    from app.portfolio.models import CommentReport, Evaluation, FundingSource, Indicator, Milestone, ProjectComment

    project = scene.promoted
    now = clock.now()
    comment = ProjectComment(project_id=project.id, author_id=people["other_member"].id,
                             body="Will it reach the villages?", created_at=now)
    # Two of each line: the page and the API each remove their own, so neither finds it gone.
    funding = [FundingSource(project_id=project.id, programme=f"Municipal budget {n}", amount=Decimal("1000"))
               for n in (1, 2)]
    indicator = [Indicator(project_id=project.id, name=f"Patients followed {n}", unit="people", baseline=0,
                           target=100) for n in (1, 2)]
    milestone = [Milestone(project_id=project.id, title=f"First patients {n}", planned_on=dt.date(2027, 1, 15))
                 for n in (1, 2)]
    evaluation = Evaluation(project_id=project.id, domains={"safety": {"finding": "No incident.", "rating": 4}},
                            evaluator="DSP Iași", updated_at=now)
    db.session.add_all([comment, evaluation, *funding, *indicator, *milestone])
    db.session.flush()
    db.session.add(CommentReport(comment_id=comment.id, reporter_id=scene.world.outsider.id, reason="Off topic",
                                 created_at=now))
    db.session.commit()
    return {"project": project.id, "comment": comment.id, "funding": funding[0].id, "funding_api": funding[1].id,
            "indicator": indicator[0].id, "indicator_api": indicator[1].id, "milestone": milestone[0].id,
            "milestone_api": milestone[1].id, "published": scene.challenge.id,
            "published_idea": scene.ideas["Alpha"].id,
            "local_project": next(iter(scene.local.values())).id}


def build_world() -> World:
    """Build everything (needs an app context and the frozen clock)."""
    scene = portfolio()
    world = scene.world
    people: dict[str, Any] = {
        "anonymous": None,
        "participant": world.members["Alpha"][0],
        "other_member": world.members["Beta"][0],
        "juror": world.jurors[0],
        "other_juror": make_user("juror4@example.org", name="Juror 4", organisation="Org 4"),
        "conflicted": world.jurors[2],
        "other_organiser": make_user("orla@example.org", name="Orla Organiser"),
        "organiser": world.organiser,
        "administrator": scene.admin,
    }
    other = make_challenge(status="judging", organisers=[people["other_organiser"]], title="Another challenge",
                           opens_in=dt.timedelta(days=-20), deadline_in=dt.timedelta(days=-1))
    make_juror(other, people["other_juror"])
    draft = make_challenge(status="draft", organisers=[people["organiser"]], title="A draft",
                           opens_in=dt.timedelta(days=5), deadline_in=dt.timedelta(days=30))
    ids = _judging_side(scene, people)
    ids.update(_portfolio_side(scene, people))
    ids.update(other_challenge=other.id, draft=draft.id, spare_token=_spare_token(people["participant"]))
    emails = {role: user.email if user is not None else None for role, user in people.items()}
    return World(emails=emails, ids=ids)


# --- putting the world back between roles ------------------------------------------------------

@dataclass
class Snapshot:
    """Every row of every table, and the bytes of every stored upload, as they were when taken."""

    rows: list[tuple[Any, list[dict[str, Any]]]]
    files: dict[str, bytes]


def take_snapshot() -> Snapshot:
    """Read the whole world back (needs an app context): rebuilding it costs seconds, this milliseconds."""
    from app.submissions import uploads
    from app.submissions.models import Attachment

    db.session.commit()
    with db.engine.connect() as connection:
        rows = [(table, [dict(row._mapping) for row in connection.execute(table.select())])
                for table in db.metadata.sorted_tables]
    files = {a.stored_name: uploads.stored_path(a.stored_name).read_bytes()
             for a in db.session.scalars(db.select(Attachment))}
    return Snapshot(rows, files)


def restore_snapshot(snapshot: Snapshot) -> None:
    """Put every row (and upload) back as it was, whatever the last role changed or deleted."""
    from app.extensions import limiter
    from app.submissions import uploads

    db.session.remove()
    with db.engine.begin() as connection:
        for table, _rows in reversed(snapshot.rows):
            connection.execute(table.delete())
        for table, rows in snapshot.rows:
            if rows:
                connection.execute(table.insert(), rows)
    for stored_name, content in snapshot.files.items():
        uploads.stored_path(stored_name).write_bytes(content)
    limiter.reset()

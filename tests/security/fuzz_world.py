"""A small world with one of everything, so that fuzzed requests reach real rows (needs an app context).

Built on ``tests.portfolio.scenario.portfolio`` (a published challenge, its awards, a promoted
project and three local initiatives, administrator admin@), plus:

- an open hackathon organised by the administrator, where the participant (a1@) captains a team
  (with h1@) with a complete draft idea and one attachment;
- a draft challenge organised by the administrator;
- a judging challenge organised by h1@, where the administrator is a juror with one assignment;
- on the promoted project: a milestone, a funding line, an indicator, an update and two comments
  (one by the participant, one reported by him).

``id_pools()`` lists existing ids for every path parameter of the API, so the fuzzer can pick real
ones as well as invented ones.
"""
from __future__ import annotations

import datetime as dt
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select, text

from app.core import clock
from app.extensions import db
from tests.factories import make_assignment, make_challenge, make_idea, make_juror, make_team, make_user
from tests.portfolio.scenario import portfolio
from tests.submissions.helpers import pdf_bytes

FROZEN_AT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)  # the instant of ``frozen_clock``
ADMIN_EMAIL = "admin@example.org"
PARTICIPANT_EMAIL = "a1@example.org"


@dataclass
class FuzzWorld:
    """Ids and addresses only: the rows outlive the session that made them (see ``Snapshot``)."""

    open_challenge: int
    open_team: int
    open_idea: int
    draft_challenge: int
    judging_challenge: int
    judged_idea: int
    criteria: list[int]
    project: int
    unpromoted_idea: int  # an awarded entry of the published challenge, not in the portfolio yet
    admin: str = ADMIN_EMAIL
    participant: str = PARTICIPANT_EMAIL
    organiser: str = "h1@example.org"  # organises the judging challenge
    outsider: str = "out@example.org"  # in no team of the open challenge
    publisher: str = "olga@example.org"  # organises the published challenge


def build_world() -> FuzzWorld:
    from werkzeug.datastructures import FileStorage

    from app.portfolio import comments, indicators, lifecycle
    from app.submissions import services as submissions

    scene = portfolio()
    admin, participant = scene.admin, scene.world.members["Alpha"][0]
    helper = make_user("h1@example.org", name="Hana Helper")

    open_challenge = make_challenge(title="Open hackathon", organisers=[admin])
    team = make_team(open_challenge, participant, helper, name="Open Team")
    open_idea = make_idea(team)
    submissions.add_attachment(open_idea, participant, FileStorage(io.BytesIO(pdf_bytes()), "plan.pdf",
                                                                   content_type="application/pdf"))
    draft = make_challenge(title="Draft challenge", status="draft", organisers=[admin])

    judging = make_challenge(title="Judging challenge", status="judging", organisers=[helper],
                             opens_in=dt.timedelta(days=-20), deadline_in=dt.timedelta(days=-1))
    judged_idea = make_idea(make_team(judging, make_user("j1@example.org", name="Jo Judged")), status="submitted")
    make_juror(judging, admin)
    make_assignment(judged_idea, admin)

    project = scene.promoted
    lifecycle.add_milestone(project, admin, {"title": "Ethics approval", "planned_on": "2026-12-01"})
    lifecycle.add_funding(project, admin, {"programme": "PNRR", "amount": "1000"})
    indicators.add_indicator(project, admin, {"name": "Patients followed", "unit": "people"})
    lifecycle.add_update(project, admin, "First patients", "Ten patients enrolled.")
    comments.add_comment(project, participant, "When does it start?")
    theirs = comments.add_comment(project, helper, "Looks good.")
    comments.report_comment(project, theirs.id, participant, "Off topic")
    return FuzzWorld(open_challenge=open_challenge.id, open_team=team.id, open_idea=open_idea.id,
                     draft_challenge=draft.id, judging_challenge=judging.id, judged_idea=judged_idea.id,
                     criteria=[c.id for c in judging.criteria], project=project.id,
                     unpromoted_idea=scene.ideas["Beta"].id)


# Path parameter -> the table and column its existing values come from.
ID_SOURCES: dict[str, tuple[str, str]] = {
    "challenge_id": ("challenges", "id"),
    "idea_id": ("ideas", "id"),
    "team_id": ("teams", "id"),
    "user_id": ("users", "id"),
    "juror_id": ("jurors", "user_id"),
    "attachment_id": ("attachments", "id"),
    "project_id": ("portfolio_projects", "id"),
    "comment_id": ("project_comments", "id"),
    "funding_id": ("project_funding", "id"),
    "indicator_id": ("project_indicators", "id"),
    "milestone_id": ("milestones", "id"),
}


def id_pools() -> dict[str, list[int]]:
    pools = {}
    for name, (table, column) in ID_SOURCES.items():
        rows = db.session.execute(select(text(column)).select_from(text(table)).order_by(text(column)))
        pools[name] = sorted({row[0] for row in rows})
    return pools


def frozen_world(app: Any, files: Path) -> tuple[FuzzWorld, "Snapshot"]:
    """Build the world at the instant ``frozen_clock`` holds (so the open challenge is open) and
    take its snapshot, for a module's tests to put back before each of them."""
    clock.set_now(FROZEN_AT)
    try:
        with app.app_context():
            return build_world(), Snapshot(files)
    finally:
        clock.set_now(None)


def row_counts() -> dict[str, int]:
    """Rows per table, in one query."""
    tables = db.metadata.sorted_tables
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t.name}")' for t in tables)
    return dict(zip((t.name for t in tables), db.session.execute(text(sql)).one()))


def all_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal before and after means nothing changed."""
    db.session.remove()
    with db.engine.connect() as connection:
        return {table.name: sorted((tuple(row) for row in connection.execute(table.select())), key=repr)
                for table in db.metadata.sorted_tables}


class Snapshot:
    """Every row of every table, taken once and put back in a few milliseconds: building the world
    through its services takes a second, far too long to repeat before each fuzzed operation."""

    def __init__(self, files: Path) -> None:
        db.session.remove()
        with db.engine.connect() as connection:
            # In key order, so that a row pointing at another of its table is put back after it.
            self.rows = {table: [dict(row) for row in connection.execute(
                table.select().order_by(*table.primary_key.columns)).mappings()]
                for table in db.metadata.sorted_tables}
        # Attachments live on disk too: a fuzzed delete removes the file along with its row.
        self.uploads = Path(current_app.config["UPLOAD_DIR"])
        self.files = files
        shutil.copytree(self.uploads, files, dirs_exist_ok=True)

    def restore(self) -> None:
        shutil.rmtree(self.uploads, ignore_errors=True)
        shutil.copytree(self.files, self.uploads)
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
            for table, rows in self.rows.items():
                if rows:
                    connection.execute(table.insert(), rows)

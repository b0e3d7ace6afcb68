"""A whole challenge as an open data package (a ZIP in the Frictionless Data Package style), so a
city keeps its history when it moves to another Salus instance, and anyone can reuse the data.

What the package holds, and what it never holds:

- ``datapackage.json`` describes every file (its fields, their types and meaning), the licence
  (``OPEN_DATA_LICENCE``) and ``salus_archive_version``.
- ``challenge.json``: the set-up, tracks, criteria and, once published, the publication snapshot
  exactly as published (its arrays and digest unchanged, so the digest can still be checked).
- CSV files: tracks, criteria, teams (name and size only), entries (the ideas submitted to the
  challenge; drafts and withdrawn ideas are the teams' own and stay out), awards, the published
  ranking, and the review scores aggregated per entry and criterion (the reviews the ranking
  counts, as a mean and a count).
- No personal data: no member, juror or organiser names or addresses, no comments, no private notes.

CSV text cells are neutralised against spreadsheet formulas as every export is (a leading
apostrophe), and a text that itself starts with an apostrophe gets one too, so reading one
leading apostrophe off every cell gives back exactly what was written.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from typing import Any, Iterable, Sequence

from flask import current_app
from sqlalchemy import func, select

from app.challenges.export import FORMULA_STARTS
from app.challenges.models import Challenge, Criterion, Track
from app.core import clock
from app.extensions import db
from app.judging.access import conflict_pairs
from app.judging.models import CriterionScore, Review
from app.results.models import Award, Publication
from app.submissions.models import Idea
from app.teams.models import Team, TeamMember

ARCHIVE_VERSION = 1
PACKAGE_FILE = "datapackage.json"
CHALLENGE_FILE = "challenge.json"
DEFAULT_LICENCE = "CC-BY-4.0"
LICENCE_PATHS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODC-BY-1.0": "https://opendatacommons.org/licenses/by/1-0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}
ESCAPE = "'"
# The ideas a challenge received: submitted ones, and those a later round did not retain.
ENTRY_STATUSES = ("submitted", "not_retained")
# The set-up fields of challenge.json, by their contract names (``rules`` is stored as rules_text).
SETUP_TEXTS = ("title", "description", "rules", "audience", "prizes")
SETUP_DATES = ("opens_at", "submission_deadline", "opened_at", "judging_started_at", "published_at")

# Each CSV resource: (file name, title, fields as (name, Table Schema type, description)).
CSV_RESOURCES: dict[str, tuple[str, str, tuple[tuple[str, str, str], ...]]] = {
    "tracks": ("tracks.csv", "Tracks of the challenge", (
        ("key", "integer", "Identifier of the track in the instance that exported it"),
        ("name", "string", "Name of the track"),
        ("description", "string", "What the track is about"),
        ("position", "integer", "Order in which the track is shown, from 0"))),
    "criteria": ("criteria.csv", "Scoring criteria", (
        ("key", "integer", "Identifier of the criterion in the instance that exported it"),
        ("name", "string", "Name of the criterion"),
        ("description", "string", "What jurors judge with it"),
        ("weight", "number", "Weight of the criterion in an entry's score"),
        ("scale_min", "integer", "Lowest score a juror can give"),
        ("scale_max", "integer", "Highest score a juror can give"),
        ("anchors", "array", "JSON array: the description of each score level, lowest first (may be empty)"),
        ("position", "integer", "Order in which the criterion is shown, from 0"))),
    "teams": ("teams.csv", "Teams", (
        ("key", "integer", "Identifier of the team in the instance that exported it"),
        ("name", "string", "Name of the team"),
        ("size", "integer", "Number of members when the archive was made (members are not listed)"))),
    "ideas": ("ideas.csv", "Entries submitted to the challenge", (
        ("key", "integer", "Identifier of the entry in the instance that exported it (idea_id in the published "
                           "results)"),
        ("team_key", "integer", "The team that submitted it (teams.csv key)"),
        ("track_key", "integer", "Its track (tracks.csv key); empty when none"),
        ("title", "string", "Title"),
        ("summary", "string", "Summary"),
        ("problem", "string", "The problem it addresses"),
        ("solution", "string", "The proposed solution"),
        ("beneficiaries", "string", "Who would benefit"),
        ("budget_requested", "number", "Amount requested, in the challenge's currency; empty when none"),
        ("status", "string", "submitted, or not_retained (not kept for a later round)"),
        ("round", "integer", "Judging round the entry reached"),
        ("submitted_at", "datetime", "When it was submitted (UTC, ISO 8601)"))),
    "awards": ("awards.csv", "Awards", (
        ("position", "integer", "Order of the award, from 0"),
        ("idea_key", "integer", "The awarded entry (ideas.csv key)"),
        ("name", "string", "Name of the award"),
        ("amount", "number", "Amount awarded, in the challenge's currency; empty when none"),
        ("source", "string", "organiser, funding (funding proposal) or peoples_choice (public vote)"))),
    "ranking": ("ranking.csv", "The ranking as published (no rows when it was not published)", (
        ("rank", "integer", "Rank; equal scores share a rank"),
        ("idea_key", "integer", "The entry (ideas.csv key)"),
        ("title", "string", "Title of the entry as published"),
        ("team", "string", "Team name as published"),
        ("score", "number", "Score under the challenge's ranking method"))),
    "reviews": ("reviews.csv", "Review scores per entry and criterion (no juror identities, no comments)", (
        ("idea_key", "integer", "The entry (ideas.csv key)"),
        ("criterion_key", "integer", "The criterion (criteria.csv key)"),
        ("round", "integer", "Judging round"),
        ("mean", "number", "Mean score given by the jurors whose reviews count"),
        ("count", "integer", "Number of reviews that count (complete, by jurors without a conflict)"))),
}


def archive_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula, readable back exactly by :func:`read_cell`.

    Numbers are written as they are: a negative score is a number to a spreadsheet, not a formula,
    and an apostrophe in front would make the column unreadable as numbers.
    """
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return ESCAPE + text if text.startswith((*FORMULA_STARTS, ESCAPE)) else text


def read_cell(text: str) -> str:
    return text[1:] if text.startswith(ESCAPE) else text


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.timezone.utc).isoformat()


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def csv_bytes(fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([archive_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def package_name(challenge: Challenge) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", challenge.title.lower()).strip("-")[:60].strip("-")
    return f"salus-challenge-{challenge.id}" + (f"-{slug}" if slug else "")


def archive_filename(challenge: Challenge) -> str:
    return package_name(challenge) + ".zip"


def licence() -> str:
    return current_app.config.get("OPEN_DATA_LICENCE") or DEFAULT_LICENCE


def datapackage(challenge: Challenge, created: dt.datetime) -> dict[str, Any]:
    """The package descriptor: every file with its fields, types and meaning."""
    name = licence()
    licence_entry = {"name": name, **({"path": LICENCE_PATHS[name]} if name in LICENCE_PATHS else {})}
    resources: list[dict[str, Any]] = [{
        "name": "challenge", "path": CHALLENGE_FILE, "format": "json", "mediatype": "application/json",
        "encoding": "utf-8", "title": "Set-up of the challenge, its tracks and criteria, and the publication",
    }]
    for resource, (path, title, fields) in CSV_RESOURCES.items():
        schema_fields = []
        for field, kind, description in fields:
            item = {"name": field, "type": kind, "description": description}
            if kind == "datetime":
                item["format"] = "any"
            schema_fields.append(item)
        resources.append({
            "name": resource, "path": path, "profile": "tabular-data-resource", "title": title,
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": {"fields": schema_fields, "missingValues": [""]},
            "description": "A text cell starting with = + - @, a tab, a carriage return or an apostrophe "
                           "was written with one more apostrophe in front; remove one leading apostrophe "
                           "to read it.",
        })
    # "licenses" is the Frictionless term; "licence" repeats the instance's setting as Salus names it.
    return {"profile": "data-package", "name": package_name(challenge), "title": challenge.title,
            "created": iso(created), "licenses": [licence_entry], "licence": name,
            "salus_archive_version": ARCHIVE_VERSION, "resources": resources}


def challenge_document(challenge: Challenge, tracks: Sequence[Track], criteria: Sequence[Criterion],
                       publication: Publication | None) -> dict[str, Any]:
    document: dict[str, Any] = {"salus_archive_version": ARCHIVE_VERSION}
    document.update({name: getattr(challenge, "rules_text" if name == "rules" else name) for name in SETUP_TEXTS})
    document.update(kind=challenge.kind, status=challenge.status, round=challenge.round,
                    team_min_size=challenge.team_min_size, team_max_size=challenge.team_max_size,
                    reviews_per_entry=challenge.reviews_per_entry, blind_review=challenge.blind_review,
                    ranking_method=challenge.ranking_method, budget_total=decimal_text(challenge.budget_total),
                    currency=challenge.currency, results_visibility=challenge.results_visibility)
    document.update({name: iso(getattr(challenge, name)) for name in SETUP_DATES})
    document["tracks"] = [{"key": t.id, "name": t.name, "description": t.description} for t in tracks]
    document["criteria"] = [{"key": c.id, "name": c.name, "description": c.description, "weight": c.weight,
                             "scale_min": c.scale_min, "scale_max": c.scale_max, "anchors": list(c.anchors or [])}
                            for c in criteria]
    document["publication"] = None if publication is None else {
        "published_at": iso(publication.published_at), "method": publication.method,
        "visibility": publication.visibility, "awards": publication.awards, "ranking": publication.ranking,
        "digest": publication.digest}
    document["source"] = {"base_url": current_app.config.get("BASE_URL"), "challenge_id": challenge.id,
                          "note": "Identifiers (keys, idea_id) are those of the instance that made this archive."}
    return document


def _review_rows(challenge_id: int, idea_ids: set[int], criterion_ids: set[int]) -> list[tuple[Any, ...]]:
    """Mean and count per entry, criterion and round, over the reviews the ranking counts:
    complete ones, by jurors without a conflict with the team."""
    conflicted = conflict_pairs(challenge_id)
    reviews: dict[tuple[int, int, int], dict[int, int]] = {}
    for review_id, idea_id, juror_id, round_, criterion_id, value in db.session.execute(
            select(Review.id, Review.idea_id, Review.juror_user_id, Review.round, CriterionScore.criterion_id,
                   CriterionScore.value)
            .join(CriterionScore, CriterionScore.review_id == Review.id)
            .where(Review.challenge_id == challenge_id)):
        if idea_id in idea_ids and (juror_id, idea_id) not in conflicted and criterion_id in criterion_ids:
            reviews.setdefault((review_id, idea_id, round_), {})[criterion_id] = value
    totals: dict[tuple[int, int, int], list[int]] = {}
    for (_review_id, idea_id, round_), scores in reviews.items():
        if len(scores) != len(criterion_ids):
            continue
        for criterion_id, value in scores.items():
            totals.setdefault((idea_id, criterion_id, round_), []).append(value)
    return [(idea_id, criterion_id, round_, sum(values) / len(values), len(values))
            for (idea_id, criterion_id, round_), values in sorted(totals.items())]


def build_archive(challenge: Challenge) -> bytes:
    """The challenge's data package as ZIP bytes, in a constant number of queries.

    The caller checks that the user organises the challenge (the command line is the operator's).
    """
    challenge_id = challenge.id
    tracks = db.session.scalars(select(Track).where(Track.challenge_id == challenge_id)
                                .order_by(Track.position, Track.id)).all()
    criteria = db.session.scalars(select(Criterion).where(Criterion.challenge_id == challenge_id)
                                  .order_by(Criterion.position, Criterion.id)).all()
    teams = db.session.execute(
        select(Team.id, Team.name, func.count(TeamMember.id)).outerjoin(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.challenge_id == challenge_id).group_by(Team.id, Team.name).order_by(Team.id)).all()
    ideas = db.session.scalars(select(Idea).where(Idea.challenge_id == challenge_id,
                                                  Idea.status.in_(ENTRY_STATUSES)).order_by(Idea.id)).all()
    awards = db.session.scalars(select(Award).where(Award.challenge_id == challenge_id)
                                .order_by(Award.position, Award.id)).all()
    publication = db.session.get(Publication, challenge_id)
    reviews = _review_rows(challenge_id, {i.id for i in ideas}, {c.id for c in criteria})
    idea_ids = {i.id for i in ideas}

    rows: dict[str, list[Sequence[Any]]] = {
        "tracks": [(t.id, t.name, t.description, t.position) for t in tracks],
        "criteria": [(c.id, c.name, c.description, c.weight, c.scale_min, c.scale_max,
                      json.dumps(list(c.anchors or []), ensure_ascii=False), c.position) for c in criteria],
        "teams": [(team_id, name, size) for team_id, name, size in teams],
        "ideas": [(i.id, i.team_id, i.track_id, i.title, i.summary, i.problem, i.solution, i.beneficiaries,
                   decimal_text(i.budget_requested), i.status, i.round, iso(i.submitted_at)) for i in ideas],
        # An award on an idea that is not an entry (a hand-made row) would point nowhere: left out.
        "awards": [(a.position, a.idea_id, a.name, decimal_text(a.amount), a.source) for a in awards
                   if a.idea_id in idea_ids],
        "ranking": [(r.get("rank"), r.get("idea_id"), r.get("title"), r.get("team"), r.get("score"))
                    for r in (publication.ranking if publication is not None else [])],
        "reviews": reviews,
    }
    now = clock.now()
    stamp = now.astimezone(dt.timezone.utc).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add(path: str, data: bytes) -> None:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        add(PACKAGE_FILE, _json_bytes(datapackage(challenge, now)))
        add(CHALLENGE_FILE, _json_bytes(challenge_document(challenge, tracks, criteria, publication)))
        for resource, (path, _title, fields) in CSV_RESOURCES.items():
            add(path, csv_bytes([name for name, _kind, _description in fields], rows[resource]))
    return buffer.getvalue()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")

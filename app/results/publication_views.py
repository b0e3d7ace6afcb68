"""Publishing the results (a check-your-answers page) and the public results page with its downloads."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from app.challenges.access import organised_challenge, visible_challenge
from app.challenges.models import Challenge
from app.challenges.export import safe_cell
from app.core.errors import NotFound
from app.extensions import db
from app.judging.console import open_flags
from app.results.archive_import import imported_ids
from app.results.blueprint import bp
from app.results.models import PeoplesChoice
from app.results.publication import (mail_counts, preview_json, publication_json, publication_of, publish_results,
                                     results_arrays, set_results_visibility)
from app.submissions.models import Idea

VISIBILITY_LABELS = {"full": _l("The full ranking and the awards"), "awards": _l("Only the awards")}
SCORE_NAMES = {"calibrated": _l("Calibrated score"), "normalized": _l("Normalised score"), "raw": _l("Raw mean")}


class PublishForm(FlaskForm):
    visibility = RadioField(_l("What the results show"), choices=list(VISIBILITY_LABELS.items()),
                            validators=[InputRequired(_l("Choose what the results show."))])
    save = SubmitField(_l("Save this choice"))
    publish = SubmitField(_l("Publish the results"))


def _user() -> Any:
    return current_user._get_current_object()


def _optional_url(endpoint: str, **values: Any) -> str | None:
    # The awards page belongs to another part of the results; link to it once it is installed.
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


@bp.route("/challenges/<int:challenge_id>/publish", methods=["GET", "POST"], endpoint="publish")
@login_required
def publish(challenge_id: int):
    user = _user()
    challenge = organised_challenge(challenge_id, user)
    form = PublishForm(data={"visibility": challenge.results_visibility})
    if form.validate_on_submit():
        if form.publish.data:
            publication = publish_results(challenge, user, form.visibility.data)
            flash(_("The results are published. Every team member and juror will receive an e-mail; "
                    "the digest below lets anyone check the results later."), "success")
            return redirect(url_for("results.results_page", challenge_id=publication.challenge_id))
        set_results_visibility(challenge, user, form.visibility.data)
        flash(_("Your choice is saved. Check the preview before you publish."), "success")
        return redirect(url_for("results.publish", challenge_id=challenge_id))
    publication = publication_of(challenge.id)
    awards, _ranking, full = results_arrays(challenge) if publication is None else ([], [], [])
    flags = open_flags(challenge.id) if challenge.status == "judging" else []
    vote = db.session.get(PeoplesChoice, challenge.id)
    vote_open = vote is not None and vote.status == "open"
    return render_template(
        "results/publish.html", challenge=challenge, form=form, publication=publication, awards=awards,
        ranked=len(full), flags=flags, mails=mail_counts(challenge), vote_open=vote_open,
        awards_url=_optional_url("results.awards", challenge_id=challenge.id)), \
        (422 if form.is_submitted() else 200)


def _results(challenge_id: int) -> tuple[Any, dict[str, Any]]:
    """The challenge and its results object: published for everyone, a preview for organisers (404 others)."""
    user = _user()
    challenge = visible_challenge(challenge_id, user)
    publication = publication_of(challenge.id)
    if publication is not None:
        return challenge, publication_json(publication)
    if not challenge.is_organiser(user):
        raise NotFound()
    return challenge, preview_json(challenge)


def _number(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.00")


def _winner_summaries(challenge: Challenge, idea_ids: set[int]) -> dict[int, str]:
    """Each winning entry's summary by the id the published arrays use. An imported challenge's
    arrays keep the ids of the instance that published them, so they are mapped to its own ideas;
    the lookup stays inside this challenge either way."""
    if not idea_ids:
        return {}
    local = imported_ids(challenge.id) or {idea_id: idea_id for idea_id in idea_ids}
    wanted = {local[i]: i for i in idea_ids if i in local}
    rows = db.session.execute(select(Idea.id, Idea.summary).where(Idea.challenge_id == challenge.id,
                                                                  Idea.id.in_(wanted))).all()
    return {wanted[idea_id]: summary for idea_id, summary in rows}


@bp.get("/challenges/<int:challenge_id>/results", endpoint="results_page")
def results_page(challenge_id: int):
    challenge, results = _results(challenge_id)
    summaries = _winner_summaries(challenge, {award["idea_id"] for award in results["awards"]})
    awards_by_idea: dict[int, list[str]] = {}
    for award in results["awards"]:
        awards_by_idea.setdefault(award["idea_id"], []).append(award["name"])
    return render_template("results/results.html", challenge=challenge, results=results, summaries=summaries,
                           awards_by_idea=awards_by_idea, score_name=SCORE_NAMES.get(results["method"], _("Score")),
                           number=_number, json_name=_filename(challenge.id, "json"))


def _filename(challenge_id: int, fmt: str) -> str:
    return f"challenge-{challenge_id}-results.{fmt}"


def _csv(results: dict[str, Any]) -> str:
    """One row per entry: the ranking when it is public (then awarded entries it does not hold), else
    the awarded entries; each with its awards and their total amount."""
    awards: dict[int, list[dict[str, Any]]] = {}
    for award in results["awards"]:
        awards.setdefault(award["idea_id"], []).append(award)
    rows = [dict(row) for row in results["ranking"]]
    listed = {row["idea_id"] for row in rows}
    for award in results["awards"]:
        if award["idea_id"] not in listed:
            listed.add(award["idea_id"])
            rows.append({"rank": None, "idea_id": award["idea_id"], "title": award["title"], "team": award["team"],
                         "score": None})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in (_("Rank"), _("Idea id"), _("Idea"), _("Team"), _("Score"), _("Awards"),
                                            _("Amount awarded"))])
    for row in rows:
        won = awards.get(row["idea_id"], [])
        amounts = [a["amount"] for a in won if a["amount"] is not None]
        # Numbers are written here, so a leading minus is a sign, never a formula: only text is neutralised.
        writer.writerow(["" if row["rank"] is None else row["rank"], row["idea_id"], safe_cell(row["title"]),
                         safe_cell(row["team"]), "" if row["score"] is None else repr(float(row["score"])),
                         safe_cell("; ".join(a["name"] for a in won)), f"{sum(amounts):.2f}" if amounts else ""])
    return out.getvalue()


@bp.get("/challenges/<int:challenge_id>/results.<any(csv, json):fmt>", endpoint="results_download")
def results_download(challenge_id: int, fmt: str):
    challenge, results = _results(challenge_id)
    headers = {"Content-Disposition": f'attachment; filename="{_filename(challenge.id, fmt)}"'}
    if fmt == "json":
        return Response(json.dumps(results, ensure_ascii=False, indent=2), mimetype="application/json",
                        headers=headers)
    # The byte-order mark makes Excel read the file as UTF-8, as in every export of the site.
    return Response("\ufeff" + _csv(results), mimetype="text/csv", headers=headers)

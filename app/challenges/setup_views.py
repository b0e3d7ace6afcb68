"""The organisers' set-up of a challenge: a task list, one page per part."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.models import User
from app.challenges import services
from app.challenges.access import organised_challenge
from app.challenges.blueprint import bp
from app.challenges.forms import (CriteriaForm, DatesForm, DetailsForm, JudgingForm, OrganiserForm, TeamsForm,
                                  TracksForm, from_local, row_id, to_local)
from app.challenges.health_template import HEALTH_TEMPLATE
from app.challenges.models import ChallengeOrganiser
from app.core.errors import ValidationFailed
from app.core.forms import ActionForm, apply_errors
from app.extensions import db

# section → (form, fields, heading)
SECTIONS: dict[str, tuple[Any, tuple[str, ...], Any]] = {
    "details": (DetailsForm, ("title", "kind", "audience", "description", "rules", "prizes", "budget_total"),
                _l("Details")),
    "dates": (DatesForm, ("opens_at", "submission_deadline"), _l("Dates")),
    "teams": (TeamsForm, ("team_min_size", "team_max_size"), _l("Teams")),
    "judging": (JudgingForm, ("reviews_per_entry", "blind_review", "ranking_method"), _l("Judging options")),
}
DATE_FIELDS = ("opens_at", "submission_deadline")


def _organised(challenge_id: int):
    user = current_user._get_current_object()
    return organised_challenge(challenge_id, user), user


def _stored(challenge: Any, name: str) -> Any:
    value = getattr(challenge, services.COLUMNS[name])
    return to_local(value) if name in DATE_FIELDS else value


@bp.get("/challenges/<int:challenge_id>/setup")
@login_required
def setup(challenge_id: int):
    challenge, _user = _organised(challenge_id)
    problems = services.opening_messages(challenge) if challenge.status == "draft" else {}
    organisers = db.session.scalar(select(func.count()).where(ChallengeOrganiser.challenge_id == challenge.id))
    return render_template("challenges/setup.html", challenge=challenge, problems=problems,
                           organiser_count=organisers)


@bp.route("/challenges/<int:challenge_id>/setup/<section>", methods=["GET", "POST"])
@login_required
def setup_section(challenge_id: int, section: str):
    if section not in SECTIONS:
        abort(404)
    challenge, user = _organised(challenge_id)
    form_class, names, heading = SECTIONS[section]
    form = form_class(data={name: _stored(challenge, name) for name in names})
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in names}
        for name in DATE_FIELDS:
            if name in data:
                data[name] = from_local(data[name])
        for name in ("audience", "description", "rules", "prizes"):
            if name in data:
                data[name] = data[name] or ""
        try:
            services.update_challenge(challenge, user, data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
        else:
            flash(_("%(part)s saved.", part=heading), "success")
            return redirect(url_for("challenges.setup", challenge_id=challenge_id))
    status = 422 if form.is_submitted() else 200
    return render_template("challenges/setup_section.html", challenge=challenge, form=form, section=section,
                           heading=heading), status


def _row_errors(rows: Any, fields: dict[str, str], prefix: str, positions: list[int]) -> list[str]:
    """Put ``prefix.N.name`` errors on the form row that became item N; return the others."""
    loose = []
    for key, message in fields.items():
        parts = key.split(".")
        if len(parts) >= 2 and parts[0] == prefix and parts[1].isdigit() and int(parts[1]) < len(positions):
            row = rows[positions[int(parts[1])]]
            target = getattr(row.form, parts[2], None) if len(parts) > 2 and parts[2] != "id" else None
            if target is not None:
                target.errors = list(target.errors) + [message]
                continue
        loose.append(message)
    return loose


@bp.route("/challenges/<int:challenge_id>/setup/tracks", methods=["GET", "POST"])
@login_required
def tracks(challenge_id: int):
    challenge, user = _organised(challenge_id)
    rows = [{"id": t.id, "name": t.name, "description": t.description} for t in challenge.tracks]
    form = TracksForm(data={"tracks": rows + [{}]})
    errors: list[str] = []
    if request.method == "POST" and request.form.get("action") == "add":
        form.tracks.append_entry()
    elif form.validate_on_submit():
        items, positions = [], []
        for index, row in enumerate(form.tracks):
            if row.form.remove.data or not (row.form.name.data or "").strip():
                continue
            items.append({"id": row_id(row.form.id.data), "name": row.form.name.data,
                          "description": row.form.description.data or ""})
            positions.append(index)
        try:
            services.update_challenge(challenge, user, {"tracks": items})
        except ValidationFailed as error:
            db.session.rollback()
            errors = _row_errors(form.tracks, error.fields, "tracks", positions)
        else:
            flash(_("Tracks saved."), "success")
            return redirect(url_for("challenges.setup", challenge_id=challenge_id))
    status = 422 if form.is_submitted() and request.form.get("action") != "add" else 200
    return render_template("challenges/tracks.html", challenge=challenge, form=form, errors=errors), status


def _anchors(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.route("/challenges/<int:challenge_id>/setup/criteria", methods=["GET", "POST"])
@login_required
def criteria(challenge_id: int):
    challenge, user = _organised(challenge_id)
    rows = [{"id": c.id, "name": c.name, "description": c.description, "weight": c.weight,
             "scale_min": c.scale_min, "scale_max": c.scale_max, "anchors": "\n".join(c.anchors or [])}
            for c in challenge.criteria]
    form = CriteriaForm(data={"criteria": rows or [{}]})
    errors: list[str] = []
    if request.method == "POST" and request.form.get("action") == "add":
        form.criteria.append_entry()
    elif form.validate_on_submit():
        items, positions = [], []
        for index, row in enumerate(form.criteria):
            f = row.form
            if f.remove.data or not any([(f.name.data or "").strip(), (f.description.data or "").strip(),
                                         (f.anchors.data or "").strip()]):
                continue
            items.append({"id": row_id(f.id.data), "name": f.name.data or "", "description": f.description.data or "",
                          "weight": f.weight.data, "scale_min": f.scale_min.data if f.scale_min.data is not None else 1,
                          "scale_max": f.scale_max.data if f.scale_max.data is not None else 5,
                          "anchors": _anchors(f.anchors.data)})
            positions.append(index)
        try:
            services.update_challenge(challenge, user, {"criteria": items})
        except ValidationFailed as error:
            db.session.rollback()
            errors = _row_errors(form.criteria, error.fields, "criteria", positions)
        else:
            flash(_("Criteria saved."), "success")
            return redirect(url_for("challenges.setup", challenge_id=challenge_id))
    status = 422 if form.is_submitted() and request.form.get("action") != "add" else 200
    total = sum(c.weight for c in challenge.criteria) or 1
    return render_template("challenges/criteria.html", challenge=challenge, form=form, errors=errors,
                           frozen=challenge.status in services.FROZEN_CRITERIA_STATUSES, total_weight=total), status


@bp.route("/challenges/<int:challenge_id>/setup/criteria/template", methods=["GET", "POST"])
@login_required
def health_template(challenge_id: int):
    challenge, user = _organised(challenge_id)
    form = ActionForm()
    if form.validate_on_submit():
        services.apply_health_template(challenge, user)
        flash(_("The health template's eight criteria are in place. Adjust their weights or wording if you "
                "need to."), "success")
        return redirect(url_for("challenges.criteria", challenge_id=challenge_id))
    return render_template("challenges/health_template.html", challenge=challenge, form=form,
                           template=HEALTH_TEMPLATE), (422 if form.is_submitted() else 200)


@bp.route("/challenges/<int:challenge_id>/setup/organisers", methods=["GET", "POST"])
@login_required
def organisers(challenge_id: int):
    challenge, user = _organised(challenge_id)
    form = OrganiserForm()
    if form.validate_on_submit():
        try:
            added = services.add_organiser(challenge, user, form.email.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error.fields)
        else:
            flash(_("%(name)s is now an organiser and has been told by e-mail.", name=added.name), "success")
            return redirect(url_for("challenges.organisers", challenge_id=challenge_id))
    people = db.session.execute(
        select(User, ChallengeOrganiser.added_at).join(ChallengeOrganiser, ChallengeOrganiser.user_id == User.id)
        .where(ChallengeOrganiser.challenge_id == challenge.id).order_by(ChallengeOrganiser.added_at)).all()
    return render_template("challenges/organisers.html", challenge=challenge, form=form, people=people), \
        (422 if form.is_submitted() else 200)

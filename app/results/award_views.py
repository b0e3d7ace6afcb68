"""The organisers' awards page (give, rename, re-price and take back awards) and the funding proposal."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.challenges.access import organised_challenge
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.forms import ActionForm, apply_errors
from app.core.i18n import money
from app.extensions import db
from app.results import awards
from app.results.award_forms import AwardEditForm, AwardForm, FundingForm, parse_amount
from app.results.blueprint import bp
from app.results.rules import awards_total


def _organised(challenge_id: int):
    user = current_user._get_current_object()
    return organised_challenge(challenge_id, user), user


def _number(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.00")


def _back(challenge_id: int, anchor: str = ""):
    return redirect(url_for("results.awards", challenge_id=challenge_id) + anchor)


def _refused(error: Conflict | NotFound, challenge_id: int):
    """Say why on the awards page: the row forms post to addresses without a page of their own."""
    db.session.rollback()
    flash(error.message, "error")
    return _back(challenge_id)


def _awards_page(challenge: Any, *, add_form: AwardForm | None = None, failed: tuple[int, AwardEditForm] | None = None,
                 status: int = 200):
    lines = awards.awards_of(challenge.id)
    listed = awards.entries(challenge)
    add_form = add_form or AwardForm(formdata=None)
    add_form.idea_id.choices = [("", _("Choose an entry"))] + [
        (e.idea_id, f"{e.rank}. {e.title} – {e.team}" if e.rank else f"{e.title} – {e.team}") for e in listed]
    edit_forms = {line.id: AwardEditForm(formdata=None, prefix=f"award-{line.id}", name=line.name,
                                         amount=line.amount) for line in lines}
    if failed is not None:
        edit_forms[failed[0]] = failed[1]
    total = awards_total(line.amount for line in lines)
    budget = challenge.budget_total
    return render_template(
        "results/awards.html", challenge=challenge, lines=lines, entries=listed, add_form=add_form,
        edit_forms=edit_forms, action_form=ActionForm(formdata=None), total=total, budget=budget,
        remaining=None if budget is None else budget - total, editable=challenge.status == "judging",
        number=_number), status


def _budget_error(form: Any, fields: dict[str, str]) -> dict[str, str]:
    """The budget error belongs to the amount typed, where the organiser can correct it."""
    fields = dict(fields)
    if "awards" in fields and hasattr(form, "amount"):
        fields["amount"] = fields.pop("awards")
    return fields


@bp.route("/challenges/<int:challenge_id>/awards", methods=["GET", "POST"], endpoint="awards")
@login_required
def awards_page(challenge_id: int):
    challenge, user = _organised(challenge_id)
    if request.method == "GET":
        return _awards_page(challenge)
    form = AwardForm()
    form.idea_id.choices = []
    if form.validate_on_submit():
        try:
            awards.add_award(challenge, user, idea_id=form.idea_id.data, name=form.name.data, amount=form.amount.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, _budget_error(form, error.fields))
        except Conflict as error:
            return _refused(error, challenge_id)
        else:
            flash(_("The award “%(name)s” is given. It appears on the results once they are published.",
                    name=form.name.data.strip()), "success")
            return _back(challenge_id, "#awards")
    return _awards_page(organised_challenge(challenge_id, user), add_form=form, status=422)


@bp.post("/challenges/<int:challenge_id>/awards/<int:award_id>", endpoint="award_update")
@login_required
def award_update(challenge_id: int, award_id: int):
    challenge, user = _organised(challenge_id)
    form = AwardEditForm(prefix=f"award-{award_id}")
    if form.validate_on_submit():
        try:
            awards.update_award(challenge, user, award_id, name=form.name.data, amount=form.amount.data)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, _budget_error(form, error.fields))
        except (Conflict, NotFound) as error:
            return _refused(error, challenge_id)
        else:
            flash(_("The award “%(name)s” is saved.", name=form.name.data.strip()), "success")
            return _back(challenge_id, "#awards")
    challenge = organised_challenge(challenge_id, user)
    if not any(line.id == award_id for line in awards.awards_of(challenge.id)):
        flash(_("This award no longer exists: another organiser may have changed the list."), "error")
        return _back(challenge_id)
    return _awards_page(challenge, failed=(award_id, form), status=422)


@bp.post("/challenges/<int:challenge_id>/awards/<int:award_id>/remove", endpoint="award_remove")
@login_required
def award_remove(challenge_id: int, award_id: int):
    challenge, user = _organised(challenge_id)
    if ActionForm().validate_on_submit():
        try:
            awards.remove_award(challenge, user, award_id)
        except (Conflict, NotFound) as error:
            return _refused(error, challenge_id)
        flash(_("The award is taken back."), "success")
    else:
        flash(_("This form has expired. Please send it again."), "error")
    return _back(challenge_id, "#awards")


# --- the funding proposal --------------------------------------------------------------------

def _typed_amounts(plan: awards.FundingPlan) -> tuple[dict[int, Decimal | None], dict[int, str], dict[int, str]]:
    """The amount typed for each entry of the proposal, what was typed, and the ones that are not amounts."""
    amounts: dict[int, Decimal | None] = {}
    typed: dict[int, str] = {}
    errors: dict[int, str] = {}
    for line in plan.lines:
        typed[line.idea_id] = request.form.get(f"amount-{line.idea_id}", "")
        try:
            amounts[line.idea_id] = parse_amount(typed[line.idea_id])
        except ValueError as error:
            errors[line.idea_id] = str(error)
    return amounts, typed, errors


def _funding_page(challenge: Any, plan: awards.FundingPlan, form: FundingForm, *, typed: dict[int, str] | None = None,
                  errors: dict[int, str] | None = None, budget_error: str | None = None, status: int = 200):
    if typed is None:
        typed = {line.idea_id: "" if line.amount is None else str(line.amount) for line in plan.lines}
    titles = {line.idea_id: line.title for line in plan.lines}
    return render_template(
        "results/funding.html", challenge=challenge, plan=plan, form=form, typed=typed, errors=errors or {},
        titles=titles, budget_error=budget_error, editable=challenge.status == "judging",
        funded=sum(1 for line in plan.lines if line.outcome == "funded")), status


@bp.route("/challenges/<int:challenge_id>/awards/funding", methods=["GET", "POST"], endpoint="funding")
@login_required
def funding_page(challenge_id: int):
    challenge, user = _organised(challenge_id)
    plan = awards.funding_proposal(challenge)
    if request.method == "GET":
        return _funding_page(challenge, plan, FundingForm(formdata=None, name=_("Funding")))
    form = FundingForm()
    amounts, typed, errors = _typed_amounts(plan)
    budget_error = None
    if form.validate_on_submit() and not errors and plan.lines:
        currency = challenge.currency
        try:
            applied = awards.apply_funding_proposal(challenge, user, amounts, form.name.data)
        except ValidationFailed as error:
            db.session.rollback()
            fields = dict(error.fields)
            budget_error = fields.pop("awards", None)
            if "name" in fields:
                form.name.errors = list(form.name.errors) + [fields.pop("name")]
            errors.update({int(key.split(".", 1)[1]): message for key, message in fields.items()
                           if key.startswith("amounts.")})
        except Conflict as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("results.funding", challenge_id=challenge_id))
        else:
            if applied:
                flash(ngettext("%(num)d funding award is given, %(total)s in all. Check it below.",
                               "%(num)d funding awards are given, %(total)s in all. Check them below.", len(applied),
                               total=money(awards_total(amounts.values()), currency)), "success")
            else:
                flash(_("No entry has an amount, so there are no funding awards now."), "success")
            return _back(challenge_id, "#awards")
    challenge = organised_challenge(challenge_id, user)
    return _funding_page(challenge, awards.funding_proposal(challenge), form, typed=typed, errors=errors,
                         budget_error=budget_error, status=422)

"""The organisers' judging console: safety flags, progress, the ranking, juror severity, reliability."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired

from app.challenges.access import organised_challenge
from app.challenges.export import safe_cell
from app.challenges.labels import STATUS_LABELS
from app.core.errors import ValidationFailed
from app.core.forms import apply_errors, text_limit
from app.extensions import db
from app.judging import charts, console, reviews
from app.judging.blueprint import bp
from app.judging.ranking import certainty, challenge_ranking
from app.judging.scoring import METHODS

METHOD_LABELS = {"calibrated": _l("Calibrated: corrects for strict and lenient jurors"),
                 "normalized": _l("Normalised per juror (z-scores)"), "raw": _l("Raw average")}
SCORE_NAMES = {"calibrated": _l("Calibrated score"), "normalized": _l("Normalised score"), "raw": _l("Raw mean")}
# What the dot of the ranking chart shows: a z-score has no place on the review scale.
CHART_SCORES = {"calibrated": _l("the calibrated score"), "normalized": _l("the raw mean"),
                "raw": _l("the raw mean")}
CERTAINTY = {"solid": (_l("Solid"), "green"), "uncertain": (_l("Uncertain"), "yellow"),
             "coin_toss": (_l("Coin toss"), "red")}
RELIABILITY = {"poor": (_l("Poor"), "red"), "moderate": (_l("Moderate"), "yellow"), "good": (_l("Good"), "green"),
               "excellent": (_l("Excellent"), "green")}
ICC_READINGS = {
    "poor": _l("The jurors often disagree about which entries are better. Discuss the criteria and the entries "
               "flagged for discussion before trusting the order."),
    "moderate": _l("The jurors broadly agree, but entries with close scores could swap places."),
    "good": _l("The jurors agree well: the order reflects a shared judgement."),
    "excellent": _l("The jurors agree almost completely on which entries are better."),
}
FLAG_KINDS = {"patient_safety": _l("Patient safety"), "data_protection": _l("Data protection")}


class ClearFlagForm(FlaskForm):
    note = TextAreaField(_l("How was the concern settled?"),
                         validators=[DataRequired(_l("Say how the concern was settled.")),
                                     text_limit(console.NOTE_MAX)])
    confirmed = HiddenField()


def _choice(name: str, allowed: Any) -> Any:
    """A query value from an allow-list, or None: anything else is ignored, never passed on."""
    raw = request.args.get(name, "")
    if allowed is int:
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else None
    return raw if raw in allowed else None


def _view_choices(challenge) -> tuple[int, str]:
    round_ = _choice("round", int)
    return (round_ if round_ and 1 <= round_ <= challenge.round else challenge.round,
            _choice("method", METHODS) or challenge.ranking_method)


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0." + "0" * digits)


def _signed(value: float) -> str:
    text = _number(abs(value))
    return text if text == _number(0.0) else ("+" if value > 0 else "−") + text


def _rows(ranking: dict[str, Any], method: str) -> list[dict[str, Any]]:
    disagree = set(ranking["disagreements"])
    rows = []
    for entry in ranking["entries"]:
        p = ranking["top3"].get(entry["idea_id"], 0.0)
        low, high = ranking["entry_ranges"][entry["idea_id"]]
        label, colour = CERTAINTY[certainty(p)]
        if p < 0.5 and colour == "green":
            colour = "grey"  # solidly outside the top 3: sure, but no cause for a green light
        rows.append({**entry, "team_name": ranking["team_names"][entry["idea_id"]], "low": low, "high": high,
                     "score": entry[{"raw": "raw_mean"}.get(method, method)], "discuss": entry["idea_id"] in disagree,
                     "top3": p, "certainty": (label, colour)})
    return rows


def _juror_rows(ranking: dict[str, Any]) -> list[dict[str, Any]]:
    names = ranking["juror_names"]
    rows = []
    for juror in ranking["jurors"]:
        scores = ranking["juror_scores"][juror["juror_id"]]
        lowest, _q1, median, _q3, highest = charts.five_numbers(scores)
        rows.append({**juror, "name": names.get(juror["juror_id"], ""), "scores": scores, "lowest": lowest,
                     "median": median, "highest": highest})
    return sorted(rows, key=lambda row: (row["name"].casefold(), row["juror_id"]))


def _charts(ranking: dict[str, Any], rows: list[dict[str, Any]], jurors: list[dict[str, Any]],
            method: str) -> dict[str, Any]:
    low, high = ranking["scale"]["min"], ranking["scale"]["max"]
    if not rows:
        return {}
    chart_score = "calibrated" if method == "calibrated" else "raw_mean"
    return {
        "jurors": charts.juror_distributions([charts.JurorSeries(j["name"], j["scores"], j["mean"]) for j in jurors],
                                             low, high),
        "ranking": charts.ranking_spread([charts.SpreadRow(r["rank"], r["title"], r["low"], r["high"], r[chart_score],
                                                           r["discuss"]) for r in rows],
                                         low, high, str(CHART_SCORES[method])),
        "chart_score": chart_score,
    }


def _console_page(challenge):
    round_, method = _view_choices(challenge)
    ranking = challenge_ranking(challenge, round_, method)
    rows, jurors = _rows(ranking, method), _juror_rows(ranking)
    flag_forms = {flag.id: ClearFlagForm(formdata=None, prefix=f"flag-{flag.id}") for flag in ranking["flags"]}
    jury_url = url_for("judging.jury", challenge_id=challenge.id) \
        if "judging.jury" in current_app.view_functions else None
    return render_template(
        "judging/console.html", challenge=challenge, ranking=ranking, rows=rows, jurors=jurors, method=method,
        round_=round_, methods=METHOD_LABELS, score_name=SCORE_NAMES[method],
        charts=_charts(ranking, rows, jurors, method), reliability=RELIABILITY, icc_readings=ICC_READINGS,
        flag_kinds=FLAG_KINDS, flag_forms=flag_forms, jury_url=jury_url, status_label=STATUS_LABELS[challenge.status],
        number=_number, signed=_signed, percent=format_percent)


@bp.get("/challenges/<int:challenge_id>/judging", endpoint="console")
@login_required
def console_page(challenge_id: int):
    return _console_page(organised_challenge(challenge_id, current_user._get_current_object()))


@bp.get("/challenges/<int:challenge_id>/judging/ranking.csv", endpoint="ranking_csv")
@login_required
def ranking_csv(challenge_id: int):
    challenge = organised_challenge(challenge_id, current_user._get_current_object())
    round_, method = _view_choices(challenge)
    ranking = challenge_ranking(challenge, round_, method)
    # Every method's score is a column; the file's name says which one ranks.
    header = [_("Rank"), _("Idea"), _("Team"), _("Calibrated score"), _("Normalised score"), _("Raw mean"),
              _("Reviews"), _("Spread"), _("Lowest review"), _("Highest review"), _("Discuss"),
              _("Probability of a top-3 place")]

    def number(value: float) -> str:
        # Numbers are written by us, so a leading minus is a sign, never a formula.
        return f"{value:.6f}"

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in _rows(ranking, method):
        writer.writerow([row["rank"], safe_cell(row["title"]), safe_cell(row["team_name"]),
                         number(row["calibrated"]), number(row["normalized"]), number(row["raw_mean"]), row["reviews"],
                         number(row["spread"]), number(row["low"]), number(row["high"]),
                         _("Yes") if row["discuss"] else _("No"), f"{row['top3']:.3f}"])
    # The byte-order mark makes Excel read the file as UTF-8, as in every export of the site.
    filename = f"challenge-{challenge.id}-round-{round_}-ranking-{method}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/challenges/<int:challenge_id>/judging/flags/<int:flag_id>/clear", methods=["GET", "POST"],
          endpoint="clear_flag")
@login_required
def clear_flag(challenge_id: int, flag_id: int):
    """The note is written on the console (or here), then confirmed on this page before anything changes."""
    user = current_user._get_current_object()
    challenge = organised_challenge(challenge_id, user)
    flag = console.open_flag(challenge, flag_id)
    prefix = f"flag-{flag.id}"
    form = ClearFlagForm(prefix=prefix)
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        if form.confirmed.data == "yes":
            try:
                reviews.clear_flag(flag.id, user, form.note.data)
            except ValidationFailed as error:
                db.session.rollback()
                apply_errors(form, error.fields)
                status = 422
            else:
                flash(_("The safety flag on “%(title)s” is cleared. Your note is kept in the audit trail.",
                        title=flag.idea_title), "success")
                return redirect(url_for("judging.console", challenge_id=challenge.id) + "#flags")
        else:
            form.confirmed.data = "yes"
            return render_template("judging/console_clear_flag.html", challenge=challenge, flag=flag, form=form,
                                   flag_kinds=FLAG_KINDS, confirming=True)
    elif request.method == "POST":
        status = 422
    form.confirmed.data = ""
    return render_template("judging/console_clear_flag.html", challenge=challenge, flag=flag, form=form,
                           flag_kinds=FLAG_KINDS, confirming=False), status

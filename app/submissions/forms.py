"""Idea forms: they check shape (lengths, a number, a file); the services check the rules."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from app.core.forms import sent_version, text_limit
from app.submissions.validation import LONG_TEXT_MAX, MAX_LINKS, TITLE_MAX, parse_budget, split_links

LONG = {"rows": 6, "maxlength": LONG_TEXT_MAX}


def _number(form: Any, field: Any) -> None:
    try:
        parse_budget(field.data)
    except ValueError:
        raise ValidationError(_("Enter an amount, like 25000 or 25000.50.")) from None


def _link_count(form: Any, field: Any) -> None:
    if len(split_links(field.data)) > MAX_LINKS:
        raise ValidationError(_("At most %(n)s links.", n=MAX_LINKS))


class IdeaForm(FlaskForm):
    title = StringField(_l("Title"), [text_limit(TITLE_MAX)], render_kw={"maxlength": TITLE_MAX})
    summary = TextAreaField(_l("Summary"), [text_limit(LONG_TEXT_MAX)], render_kw={**LONG, "rows": 3})
    problem = TextAreaField(_l("The problem"), [text_limit(LONG_TEXT_MAX)], render_kw=LONG)
    solution = TextAreaField(_l("The solution"), [text_limit(LONG_TEXT_MAX)], render_kw=LONG)
    beneficiaries = TextAreaField(_l("Who benefits"), [text_limit(LONG_TEXT_MAX)], render_kw=LONG)
    track_id = SelectField(_l("Track"), choices=[], validate_choice=False)
    budget_requested = StringField(_l("Requested budget"), [Optional(), _number],
                                   render_kw={"inputmode": "decimal"})
    links = TextAreaField(_l("Links (optional)"), [_link_count, text_limit(MAX_LINKS * 2100)],
                          render_kw={"rows": 3, "spellcheck": "false"})
    version = HiddenField()

    def set_tracks(self, challenge: Any) -> None:
        self.track_id.choices = [("", _("Choose a track"))] + [(str(t.id), t.name) for t in challenge.tracks]

    def fill_from(self, idea: Any) -> None:
        for name in ("title", "summary", "problem", "solution", "beneficiaries"):
            getattr(self, name).data = getattr(idea, name) or ""
        self.track_id.data = str(idea.track_id) if idea.track_id else ""
        self.budget_requested.data = "" if idea.budget_requested is None else f"{idea.budget_requested:f}"
        self.links.data = "\n".join(idea.links or [])
        self.version.data = str(idea.version)

    def data_for_service(self, *, with_budget: bool) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name).data or ""
                                for name in ("title", "summary", "problem", "solution", "beneficiaries")}
        data["track_id"] = self.track_id.data or None
        if with_budget:
            data["budget_requested"] = self.budget_requested.data or None
        data["links"] = split_links(self.links.data)
        return data

    def expected_version(self) -> int | None:
        return sent_version(self.version.data)


class AttachmentForm(FlaskForm):
    file = FileField(_l("Add a file"))


def field_hints(challenge: Any, budget_shown: bool) -> dict[str, str]:
    """Short hints for each section, with what the challenge itself says where it says something."""
    limit = _("Up to %(n)s characters.", n=f"{LONG_TEXT_MAX:,}")
    hints = {
        "title": _("A short name people will remember. Up to %(n)s characters.", n=TITLE_MAX),
        "summary": _("Two or three sentences a busy reader understands.") + " " + limit,
        "problem": _("What goes wrong today, for whom, and how you know.") + " " + limit,
        "solution": _("What you will build or change, and how it fixes the problem.") + " " + limit,
        "beneficiaries": _("Describe the patients, carers or staff who would benefit, and how many.") + " " + limit,
        "track_id": _("The theme of the challenge your idea answers."),
        "budget_requested": _("The amount you ask for, in %(currency)s.", currency=challenge.currency),
        "links": _("One web address per line: a prototype, a video, a repository. At most %(n)s.", n=MAX_LINKS),
    }
    if (challenge.audience or "").strip():
        hints["beneficiaries"] += " " + _("This challenge is meant for: %(audience)s", audience=challenge.audience.strip())
    if budget_shown and challenge.budget_total is not None:
        hints["budget_requested"] += " " + _("The call's total budget is %(total)s %(currency)s.",
                                             total=f"{challenge.budget_total:,.0f}", currency=challenge.currency)
    return hints

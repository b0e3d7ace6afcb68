"""Project forms (a local initiative, editing a project, promoting an entry): they check shapes and
hand plain values to the services, which check the rules and answer per field."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.core.forms import text_limit
from app.portfolio.labels import STAGE_LABELS
from app.portfolio.models import STAGES
from app.portfolio.project_rules import LONG_TEXT_MAX, PROMOTION_STAGES

FUNDING_ROWS = 3  # blank rows offered when there is nothing yet; "Add another source" adds one
MAX_FUNDING_ROWS = 30


class DateInput(StringField):
    """A date typed as YYYY-MM-DD (a browser date picker where there is one); the service reads it."""

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("type", "date")
        return super().__call__(**kwargs)


class FundingRowForm(Form):
    programme = StringField(_l("Programme or source"), [Optional(), text_limit(200)])
    amount = StringField(_l("Amount"), [Optional()])
    currency = StringField(_l("Currency"), [Optional()], default="EUR")
    starts_on = DateInput(_l("From"), [Optional()])
    ends_on = DateInput(_l("Until"), [Optional()])

    def is_blank(self) -> bool:
        return not any((getattr(self, name).data or "").strip() for name in ("programme", "amount", "starts_on",
                                                                              "ends_on"))


class ProjectForm(FlaskForm):
    # About the project
    title = StringField(_l("Title"), [text_limit(200)])
    summary = TextAreaField(_l("Summary"), [text_limit(LONG_TEXT_MAX)])
    description = TextAreaField(_l("Description"), [text_limit(LONG_TEXT_MAX)])
    themes = StringField(_l("Themes"), [text_limit(1300)])
    stage = SelectField(_l("Stage"), choices=[(s, STAGE_LABELS[s]) for s in STAGES], default="idea",
                        validate_choice=False)
    stopped_reason = TextAreaField(_l("Why did it stop?"), [text_limit(LONG_TEXT_MAX)])
    # Organisation and partners
    organisation = StringField(_l("Organisation running it"), [text_limit(200)])
    partners = TextAreaField(_l("Partners"), [text_limit(11000)])
    # Funding
    budget = StringField(_l("Total budget"), [Optional()])
    currency = StringField(_l("Currency of the budget"), [Optional()], default="EUR")
    funding = FieldList(FormField(FundingRowForm), min_entries=FUNDING_ROWS, max_entries=MAX_FUNDING_ROWS)
    # Location
    location = StringField(_l("Town or neighbourhood"), [text_limit(200)])
    latitude = StringField(_l("Latitude"), [Optional()])
    longitude = StringField(_l("Longitude"), [Optional()])
    # Dates
    starts_on = DateInput(_l("Starts on"), [Optional()])
    ends_on = DateInput(_l("Ends on"), [Optional()])
    # Contact
    contact_name = StringField(_l("Contact person"), [text_limit(200)])
    contact_email = StringField(_l("Contact e-mail address"), [text_limit(320)])
    website = StringField(_l("Website"), [text_limit(500)])
    version = HiddenField()

    def values(self) -> dict[str, Any]:
        """The plain values for the services, as the API would send them."""
        rows = [row.form for row in self.funding if not row.form.is_blank()]
        data: dict[str, Any] = {name: getattr(self, name).data or "" for name in (
            "title", "summary", "description", "organisation", "stage", "stopped_reason", "budget", "currency",
            "starts_on", "ends_on", "contact_name", "contact_email", "website")}
        data["themes"] = _items(self.themes.data, ",")
        data["partners"] = _items(self.partners.data, "\n")
        data["location"] = {"name": self.location.data or "", "latitude": self.latitude.data or None,
                            "longitude": self.longitude.data or None}
        data["funding_sources"] = [{name: (getattr(row, name).data or "").strip() or None
                                    for name in ("programme", "amount", "currency", "starts_on", "ends_on")}
                                   for row in rows]
        return data

    def funding_row_index(self, position: int) -> int:
        """Which row of the form is the ``position``-th non-blank one (as the service counts them)."""
        filled = [i for i, row in enumerate(self.funding) if not row.form.is_blank()]
        return filled[position] if position < len(filled) else 0

    def apply_errors(self, fields: dict[str, str]) -> None:
        """Put the service's messages next to their fields (nested names included)."""
        for name, message in fields.items():
            target = self._field_for(name)
            if target is None:
                self.form_errors.append(message)
            else:
                target.errors = list(target.errors or []) + [message]

    def _field_for(self, name: str) -> Any:
        parts = name.split(".")
        if parts[0] == "location":
            return {"name": self.location, "latitude": self.latitude, "longitude": self.longitude}.get(
                parts[1] if len(parts) > 1 else "name")
        if parts[0] == "funding_sources":
            if len(parts) == 3 and parts[1].isdigit():
                row = self.funding.entries[self.funding_row_index(int(parts[1]))].form
                return getattr(row, parts[2], None)
            return None
        field = getattr(self, parts[0], None)
        return field if hasattr(field, "errors") else None

    def fill(self, project: Any) -> None:
        """Show the project's stored values (GET)."""
        for name in ("title", "summary", "description", "organisation", "stage", "stopped_reason", "currency",
                     "location", "contact_name", "contact_email", "website"):
            getattr(self, name).data = getattr(project, name) or ""
        self.themes.data = ", ".join(project.themes or [])
        self.partners.data = "\n".join(project.partners or [])
        self.budget.data = "" if project.budget is None else f"{project.budget:f}"
        self.latitude.data = "" if project.latitude is None else f"{project.latitude:g}"
        self.longitude.data = "" if project.longitude is None else f"{project.longitude:g}"
        self.starts_on.data = project.starts_on.isoformat() if project.starts_on else ""
        self.ends_on.data = project.ends_on.isoformat() if project.ends_on else ""
        self.version.data = str(project.version)
        while self.funding.entries:
            self.funding.pop_entry()
        for source in project.funding:
            self.funding.append_entry({
                "programme": source.programme, "amount": "" if source.amount is None else f"{source.amount:f}",
                "currency": source.currency, "starts_on": source.starts_on.isoformat() if source.starts_on else "",
                "ends_on": source.ends_on.isoformat() if source.ends_on else ""})
        self.pad_funding(1 if project.funding else FUNDING_ROWS)

    def add_funding_row(self) -> None:
        if len(self.funding.entries) < MAX_FUNDING_ROWS:
            self.funding.append_entry({"currency": "EUR"})

    def pad_funding(self, blank: int) -> None:
        """Offer ``blank`` empty rows after the filled ones (never past the maximum)."""
        filled = sum(1 for row in self.funding if not row.form.is_blank())
        while len(self.funding.entries) < min(filled + blank, MAX_FUNDING_ROWS):
            self.funding.append_entry({"currency": "EUR"})


def _items(text: str | None, separator: str) -> list[str]:
    return [part.strip() for part in (text or "").split(separator) if part.strip()]


class PromoteForm(FlaskForm):
    stage = RadioField(_l("Stage it starts at"), choices=[(s, STAGE_LABELS[s]) for s in PROMOTION_STAGES],
                       validate_choice=False)

"""The forms of the awards and funding pages: shapes only; the awards service judges the values."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField
from wtforms.validators import DataRequired
from wtforms.widgets import TextInput

from app.core.forms import text_limit
from app.results.awards import NAME_MAX

# Digits, then optionally a point or a comma and one or two decimals: "25000", "25000.50", "25000,5".
# Spaces group thousands in several of our languages, so they are ignored; other separators are
# refused rather than guessed ("1.500" is 1.5 in English and 1500 in Romanian).
AMOUNT = re.compile(r"^(\d+)(?:[.,](\d{1,2}))?$")
SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_amount(text: str | None) -> Decimal | None:
    """An amount typed in a form, or None when left empty; ValueError when it is not an amount."""
    compact = SPACES.sub("", text or "")
    if not compact:
        return None
    match = AMOUNT.match(compact)
    if match is None:
        raise ValueError(_l("Must be an amount, like 25000 or 25000.50."))
    return Decimal(f"{match.group(1)}.{match.group(2) or '0'}")


class AmountField(Field):
    """A text box for an amount of money; what was typed is shown again when it is refused."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist:
            self.data = parse_amount(valuelist[0])


def _id_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AwardForm(FlaskForm):
    idea_id = SelectField(_l("Entry"), coerce=_id_or_none, validate_choice=False,
                          validators=[DataRequired(_l("Choose an entry."))])
    name = StringField(_l("Name of the award"), [DataRequired(_l("Give the award a name.")), text_limit(NAME_MAX)])
    amount = AmountField(_l("Amount (optional)"), render_kw={"inputmode": "decimal", "autocomplete": "off"})


class AwardEditForm(FlaskForm):
    name = StringField(_l("Name of the award"), [DataRequired(_l("Give the award a name.")), text_limit(NAME_MAX)])
    amount = AmountField(_l("Amount"), render_kw={"inputmode": "decimal", "autocomplete": "off"})


class FundingForm(FlaskForm):
    """The name of the funding awards; each entry's amount is a field ``amount-<idea_id>`` read by the view."""

    name = StringField(_l("Name of the funding award"),
                       [DataRequired(_l("Give the award a name.")), text_limit(NAME_MAX)])

"""Checking a project's fields before they are written, with a message per field.

The HTML form and the JSON API hand the same plain values to :func:`clean_project`, so a value
one way in accepts is judged exactly like the same value sent the other way.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Mapping
from urllib.parse import urlsplit

from flask_babel import gettext as _

from app.accounts.rules import email_problem
from app.challenges.validation import storable_text_problem
from app.core.errors import ValidationFailed
from app.portfolio.models import STAGES
from app.portfolio.rules import normalise_themes
from app.results import awards

TITLE_MAX = 200
LONG_TEXT_MAX = 20_000
THEMES_MAX = 20
THEME_MAX = 60
PARTNERS_MAX = 50
FUNDING_MAX = 30
EMAIL_MAX = 320
WEBSITE_MAX = 500
MAX_ID = 2**31 - 1
PROMOTION_STAGES = ("idea", "incubation", "pilot")

# Fields a create must carry; an edit may send any subset.
REQUIRED = ("title", "summary", "organisation", "stage")
SHORT_TEXTS = {"title": TITLE_MAX, "organisation": TITLE_MAX, "contact_name": TITLE_MAX}
LONG_TEXTS = ("summary", "description", "stopped_reason")
EDITABLE = ("title", "summary", "description", "organisation", "stage", "stopped_reason", "themes", "partners",
            "funding_sources", "budget", "currency", "location", "starts_on", "ends_on", "contact_name",
            "contact_email", "website", "programme_id")


def clean_text(value: Any, limit: int, *, required: bool = False, missing: str | None = None) -> str:
    """Trimmed text within ``limit`` characters; ValueError says what is wrong (``missing`` when a
    required text is absent or blank)."""
    value = "" if value is None and not required else value
    if required and missing and (value is None or (isinstance(value, str) and not value.strip())):
        raise ValueError(missing)
    if problem := storable_text_problem(value, limit, required=required):
        raise ValueError(problem)
    return value.strip()


def _missing(name: str) -> str:
    return {"title": _("Give the project a title."), "summary": _("Write a short summary of the project."),
            "organisation": _("Name the organisation that runs the project."),
            "stage": _("Choose the project's stage.")}.get(name, _("This field is required."))


def clean_amount(value: Any) -> Decimal | None:
    """None (also for a blank field), or an amount of money as awards take it: from 0 to
    999,999,999,999.99 with at most two decimals."""
    if isinstance(value, str) and not value.strip():
        return None
    return awards.clean_amount(value)


def clean_currency(value: Any) -> str:
    if value is None or value == "":
        return "EUR"
    if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha() \
            or not value.strip().isascii():
        raise ValueError(_("Use a three-letter currency code, like EUR or RON."))
    return value.strip().upper()


def clean_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(_("Give a date like 2026-03-31."))


def clean_coordinate(value: Any, limit: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("Must be a number."))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(_("Must be a number.")) from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise ValueError(_("Must be between %(low)s and %(high)s.", low=-int(limit), high=int(limit)))
    return number


def clean_list(value: Any, *, most: int, longest: int, noun: str) -> list[str]:
    """A list of short texts (a single string is split on commas), trimmed and without repeats."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(_("Give a list of texts."))
    for item in value:
        if problem := storable_text_problem(item, longest):
            raise ValueError(f"{noun}: {problem}")
    kept = normalise_themes(value)
    if len(kept) > most:
        raise ValueError(_("At most %(n)s items.", n=most))
    return kept


def clean_website(value: Any) -> str:
    text = clean_text(value, WEBSITE_MAX)
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in text):
        raise ValueError(_("Give an address starting with https:// or http://."))
    return text


def clean_email(value: Any) -> str:
    text = clean_text(value, EMAIL_MAX)
    if text and email_problem(text):
        raise ValueError(_("Enter an e-mail address like name@example.org."))
    return text


def clean_location(value: Any) -> dict[str, Any]:
    """A place name, or ``{name, latitude?, longitude?}``; coordinates come both or not at all."""
    if value is None:
        return {"location": "", "latitude": None, "longitude": None}
    if isinstance(value, str):
        return {"location": clean_text(value, TITLE_MAX), "latitude": None, "longitude": None}
    if not isinstance(value, Mapping):
        raise ValueError(_("Give a place name, or an object with name, latitude and longitude."))
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, target, check in (("name", "location", lambda v: clean_text(v, TITLE_MAX)),
                               ("latitude", "latitude", lambda v: clean_coordinate(v, 90)),
                               ("longitude", "longitude", lambda v: clean_coordinate(v, 180))):
        try:
            clean[target] = check(value.get(key))
        except ValueError as error:
            problems[f"location.{key}"] = str(error)
    if not problems and (clean["latitude"] is None) != (clean["longitude"] is None):
        missing = "latitude" if clean["latitude"] is None else "longitude"
        problems[f"location.{missing}"] = _("Give both the latitude and the longitude, or neither.")
    if problems:
        raise ValidationFailed(fields=problems)
    return clean


def clean_funding(value: Any) -> list[dict[str, Any]]:
    """Funding sources: programme names, or ``{programme, amount?, currency?, starts_on?, ends_on?}``."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationFailed(fields={"funding_sources": _("Give a list of funding sources.")})
    if len(value) > FUNDING_MAX:
        raise ValidationFailed(fields={"funding_sources": _("At most %(n)s items.", n=FUNDING_MAX)})
    problems: dict[str, str] = {}
    sources = []
    for index, raw in enumerate(value):
        item = {"programme": raw} if isinstance(raw, str) else raw
        if not isinstance(item, Mapping):
            problems[f"funding_sources.{index}"] = _("Give a programme name, or an object with a programme.")
            continue
        source: dict[str, Any] = {}
        for key, check in (("programme", lambda v: clean_text(v, TITLE_MAX, required=True, missing=_(
                "Name the programme or budget this money comes from."))),
                           ("amount", clean_amount), ("currency", clean_currency),
                           ("starts_on", clean_date), ("ends_on", clean_date)):
            try:
                source[key] = check(item.get(key))
            except ValueError as error:
                problems[f"funding_sources.{index}.{key}"] = str(error)
        if source.get("starts_on") and source.get("ends_on") and source["ends_on"] < source["starts_on"]:
            problems[f"funding_sources.{index}.ends_on"] = _("The end cannot come before the start.")
        sources.append(source)
    if problems:
        raise ValidationFailed(fields=problems)
    return sources


def clean_programme(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValueError(_("Must be a whole number."))
    return value


_SIMPLE = {
    "description": lambda v: clean_text(v, LONG_TEXT_MAX),
    "stopped_reason": lambda v: clean_text(v, LONG_TEXT_MAX),
    "themes": lambda v: clean_list(v, most=THEMES_MAX, longest=THEME_MAX, noun=_("Theme")),
    "partners": lambda v: clean_list(v, most=PARTNERS_MAX, longest=TITLE_MAX, noun=_("Partner")),
    "budget": clean_amount,
    "currency": clean_currency,
    "starts_on": clean_date,
    "ends_on": clean_date,
    "contact_name": lambda v: clean_text(v, TITLE_MAX),
    "contact_email": clean_email,
    "website": clean_website,
    "programme_id": clean_programme,
}


def clean_project(data: Mapping[str, Any], current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The model values of ``data`` (only the fields it carries), or 422 with a message per field.

    ``current`` holds the stored values when editing (None when creating, where title, summary,
    organisation and stage are required). Cross-field rules judge the result of the change:
    ``stopped`` needs a reason, dates come in order.
    """
    creating = current is None
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in REQUIRED:
        if creating and name not in data:
            problems[name] = _missing(name)
    for name, limit in SHORT_TEXTS.items():
        if name in data:
            required = name == "title" or (creating and name == "organisation")
            try:
                clean[name] = clean_text(data[name], limit, required=required, missing=_missing(name))
            except ValueError as error:
                problems[name] = str(error)
    if "summary" in data:
        try:
            clean["summary"] = clean_text(data["summary"], LONG_TEXT_MAX, required=True, missing=_missing("summary"))
        except ValueError as error:
            problems["summary"] = str(error)
    if "stage" in data:
        if data["stage"] not in STAGES:
            problems["stage"] = _("Choose one of: %(values)s.", values=", ".join(STAGES))
        else:
            clean["stage"] = data["stage"]
    for name, check in _SIMPLE.items():
        if name in data and name not in clean:
            try:
                clean[name] = check(data[name])
            except ValueError as error:
                problems[name] = str(error)
    for name, check in (("location", clean_location), ("funding_sources", clean_funding)):
        if name in data:
            try:
                value = check(data[name])
            except ValueError as error:
                problems[name] = str(error)
            except ValidationFailed as error:
                problems.update(error.fields)
            else:
                clean.update(value) if name == "location" else clean.update(funding_sources=value)
    _check_together(clean, current or {}, problems)
    if problems:
        raise ValidationFailed(fields=problems)
    return clean


def _check_together(clean: dict[str, Any], current: Mapping[str, Any], problems: dict[str, str]) -> None:
    def after(name: str) -> Any:
        return clean[name] if name in clean else current.get(name)

    if after("stage") == "stopped" and not (after("stopped_reason") or "").strip() and "stage" not in problems:
        problems["stopped_reason"] = _("Say why the project stopped.")
    starts, ends = after("starts_on"), after("ends_on")
    if starts and ends and ends < starts and "ends_on" not in problems:
        problems["ends_on"] = _("The end cannot come before the start.")


def clean_promotion_stage(value: Any, default: str) -> str:
    """The stage a promoted entry starts at: idea, incubation or pilot (422 otherwise)."""
    if value is None or value == "":
        return default
    if value not in PROMOTION_STAGES:
        raise ValidationFailed(fields={"stage": _("Choose one of: %(values)s.", values=", ".join(PROMOTION_STAGES))})
    return value

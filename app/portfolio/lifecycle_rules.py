"""Checks and sums of a project's lifecycle: stage changes, milestones, funding, indicators and the
MAST evaluation. Plain values in, plain values out (or a ValidationFailed with a message per field),
so the HTML forms and the JSON API are judged by the same rules."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

from flask_babel import gettext as _

from app.core.errors import ValidationFailed
from app.portfolio.models import MAST_DOMAINS, STAGES
from app.portfolio.project_rules import LONG_TEXT_MAX, TITLE_MAX, clean_amount, clean_currency, clean_date, clean_text

UNIT_MAX = 50
RATINGS = (1, 2, 3, 4, 5)
# Indicator values are stored as floating point numbers; beyond this they stop being exact integers.
NUMBER_LIMIT = 1e15


def collect(problems: dict[str, str], field: str, check: Any, *args: Any) -> Any:
    """Run one check; on ValueError note its message under ``field`` and carry on with the others."""
    try:
        return check(*args)
    except ValueError as error:
        problems[field] = str(error)
        return None


def raise_if(problems: Mapping[str, str]) -> None:
    if problems:
        raise ValidationFailed(fields=dict(problems))


def clean_title(value: Any) -> str:
    return clean_text(value, TITLE_MAX, required=True)


def clean_long(value: Any) -> str:
    return clean_text(value, LONG_TEXT_MAX)


def clean_past_date(value: Any, today: dt.date) -> dt.date | None:
    """A date that has already come (a milestone done or a value measured tomorrow is a typing error)."""
    day = clean_date(value)
    if day is not None and day > today:
        raise ValueError(_("This date is in the future."))
    return day


def clean_number(value: Any, *, required: bool = False) -> float | None:
    """A finite number; text with a decimal comma ("12,5") is read as people in most of Europe write it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(_("This field is required."))
        return None
    if isinstance(value, bool):
        raise ValueError(_("Must be a number."))
    if isinstance(value, str):
        value = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(_("Must be a number.")) from None
    if not math.isfinite(number) or abs(number) >= NUMBER_LIMIT:
        raise ValueError(_("Must be a number between -%(n)s and %(n)s.", n="999,999,999,999,999"))
    return number


def clean_rating(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in RATINGS:
        raise ValueError(_("Choose a rating from 1 to 5."))
    return value


# --- stages -------------------------------------------------------------------------------------

def stage_change(current: str, stage: Any, reason: Any) -> tuple[str, str, str] | None:
    """The change an update makes: ``(from, to, reason)``, or None when it keeps the stage.

    Any stage may follow any other; asking for the stage the project is already at is no change
    (and no error). Stopping needs a reason, which is kept on the project until it starts again.
    """
    if stage is None or stage == "":
        return None
    problems: dict[str, str] = {}
    if not isinstance(stage, str) or stage not in STAGES:
        problems["stage"] = _("Choose one of: %(values)s.", values=", ".join(STAGES))
        raise_if(problems)
    if stage == current:
        return None
    clean_reason = ""
    if stage == "stopped":
        clean_reason = collect(problems, "stopped_reason", clean_long, reason) or ""
        if "stopped_reason" not in problems and not clean_reason:
            problems["stopped_reason"] = _("Say why the project stopped.")
    raise_if(problems)
    return current, stage, clean_reason


# --- milestones ---------------------------------------------------------------------------------

def clean_milestone(data: Mapping[str, Any], today: dt.date, *, creating: bool,
                    current_done: bool = False) -> dict[str, Any]:
    """The milestone fields ``data`` carries. ``done_on`` belongs to a done milestone (it defaults to
    today when the milestone is marked done) and cannot be in the future."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if creating or "title" in data:
        clean["title"] = collect(problems, "title", clean_title, data.get("title"))
    if "planned_on" in data:
        clean["planned_on"] = collect(problems, "planned_on", clean_date, data.get("planned_on"))
    if "done" in data:
        if not isinstance(data["done"], bool):
            problems["done"] = _("Must be true or false.")
        else:
            clean["done"] = data["done"]
    done = clean.get("done", current_done)
    if data.get("done_on") not in (None, ""):
        day = collect(problems, "done_on", clean_past_date, data.get("done_on"), today)
        if "done_on" not in problems:
            if not done:
                problems["done_on"] = _("Only a milestone that is done has a date it was done.")
            else:
                clean["done_on"] = day
    raise_if(problems)
    return clean


# --- funding ------------------------------------------------------------------------------------

def clean_funding_source(data: Mapping[str, Any], current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A funding source: a programme (required, at most 200 characters), an optional amount of 0 or
    more, a three-letter currency (EUR when not given) and a period whose end is not before its start.
    ``current`` holds the stored values when editing, so a changed start is checked against the kept end."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    creating = current is None
    checks = (("programme", clean_title), ("amount", clean_amount), ("currency", clean_currency),
              ("starts_on", clean_date), ("ends_on", clean_date))
    for name, check in checks:
        if creating or name in data:
            clean[name] = collect(problems, name, check, data.get(name))
    merged = {**(current or {}), **clean}
    if merged.get("starts_on") and merged.get("ends_on") and merged["ends_on"] < merged["starts_on"] \
            and not {"starts_on", "ends_on"} & problems.keys():
        problems["ends_on"] = _("The end cannot come before the start.")
    raise_if(problems)
    return clean


@dataclass(frozen=True)
class FundingTotal:
    currency: str
    total: Decimal
    sources: int
    # Sources in this currency without an amount: the total is then a lower bound.
    unknown: int


def funding_totals(sources: Iterable[tuple[Decimal | None, str]]) -> list[FundingTotal]:
    """Total money per currency (amounts in different currencies are never added together)."""
    totals: dict[str, list[Any]] = {}
    for amount, currency in sources:
        entry = totals.setdefault(currency, [Decimal("0"), 0, 0])
        entry[1] += 1
        if amount is None:
            entry[2] += 1
        else:
            entry[0] += amount
    return [FundingTotal(currency, total, count, unknown) for currency, (total, count, unknown) in sorted(totals.items())]


def funding_share(amount: Decimal | None, total: Decimal) -> float | None:
    """A source's share of all the money in its currency, in per cent (None without an amount)."""
    if amount is None or total <= 0:
        return None
    return float(amount * 100 / total)


# --- indicators ---------------------------------------------------------------------------------

def clean_indicator(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """An indicator's name (required), unit, baseline and target. The baseline is set when the
    indicator is created and never changed afterwards: progress is always read against where the
    project started."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if creating or "name" in data:
        clean["name"] = collect(problems, "name", clean_title, data.get("name"))
    if creating or "unit" in data:
        clean["unit"] = collect(problems, "unit", clean_text, data.get("unit"), UNIT_MAX)
    if creating:
        clean["baseline"] = collect(problems, "baseline", clean_number, data.get("baseline"))
    elif "baseline" in data:
        problems["baseline"] = _("The baseline is where the project started: it cannot be changed.")
    if creating or "target" in data:
        clean["target"] = collect(problems, "target", clean_number, data.get("target"))
    raise_if(problems)
    return clean


def clean_value(data: Mapping[str, Any], today: dt.date) -> tuple[float, dt.date]:
    """A new measurement: a number, and the day it was measured (today when not given, never later)."""
    problems: dict[str, str] = {}
    value = collect(problems, "value", lambda v: clean_number(v, required=True), data.get("value"))
    day = collect(problems, "recorded_on", clean_past_date, data.get("recorded_on"), today)
    raise_if(problems)
    return value, day or today


# --- evaluation ---------------------------------------------------------------------------------

def clean_evaluation(data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """A MAST evaluation: for each of the seven domains a finding (text) and an optional rating from
    1 to 5, plus transferability, the evaluator and the date. Unknown domains are refused, so a
    misspelt key never silently drops a finding."""
    problems: dict[str, str] = {}
    raw = data.get("domains") or {}
    domains: dict[str, dict[str, Any]] = {}
    if not isinstance(raw, Mapping):
        problems["domains"] = _("Give an object with one entry per domain.")
        raw = {}
    for key in raw:
        if key not in MAST_DOMAINS:
            problems[f"domains.{key}"] = _("Choose one of: %(values)s.", values=", ".join(MAST_DOMAINS))
    for domain in MAST_DOMAINS:
        item = raw.get(domain) or {}
        if not isinstance(item, Mapping):
            problems[f"domains.{domain}"] = _("Give an object with a finding and a rating.")
            continue
        finding = collect(problems, f"domains.{domain}.finding", clean_long, item.get("finding"))
        rating = collect(problems, f"domains.{domain}.rating", clean_rating, item.get("rating"))
        domains[domain] = {"finding": finding or "", "rating": rating}
    clean = {
        "domains": domains,
        "transferability": collect(problems, "transferability", clean_long, data.get("transferability")) or "",
        "evaluator": collect(problems, "evaluator", clean_text, data.get("evaluator"), TITLE_MAX) or "",
        "evaluated_on": collect(problems, "evaluated_on", clean_past_date, data.get("evaluated_on"), today),
    }
    raise_if(problems)
    return clean


def evaluation_has_content(domains: Mapping[str, Any] | None) -> bool:
    """An evaluation is shown publicly once any domain has a finding or a rating."""
    for item in (domains or {}).values():
        if isinstance(item, Mapping) and ((item.get("finding") or "").strip() or item.get("rating") is not None):
            return True
    return False

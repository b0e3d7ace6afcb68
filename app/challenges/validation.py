"""Checking a challenge's set-up values before they are written, with a message per field.

Forms and the API check shapes first; these checks are the ones every way in shares (so a value
the HTML form lets through is judged exactly like the same value sent as JSON), including the
rules that span fields: team sizes, dates in order, a budget only for calls.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping, NoReturn

from flask_babel import gettext as _

from app.challenges.models import KINDS, RANKING_METHODS
from app.core.errors import ValidationFailed

TITLE_MAX = 200
LONG_TEXT_MAX = 20_000
SHORT_TEXT_MAX = 2_000
ANCHOR_MAX = 1_000
MAX_TRACKS = 50
MAX_CRITERIA = 30
MAX_TEAM_SIZE = 1_000
MAX_REVIEWS = 100
SCALE_LIMITS = (0, 100)
MAX_WEIGHT = 1_000.0
BUDGET_LIMIT = Decimal("1000000000000")  # the column holds 12 digits before the point
MAX_ID = 2**31 - 1

LONG_TEXTS = ("description", "rules", "audience", "prizes")
INTEGERS = {"team_min_size": (1, MAX_TEAM_SIZE), "reviews_per_entry": (1, MAX_REVIEWS),
            "team_max_size": (1, MAX_TEAM_SIZE)}
DATES = ("opens_at", "submission_deadline")


def storable_text_problem(value: Any, limit: int, *, required: bool = False) -> str | None:
    """Why a text cannot be stored as given (None when it can)."""
    if value is None:
        return _("This field is required.") if required else None
    if not isinstance(value, str):
        return _("Must be text.")
    if required and not value.strip():
        return _("This field is required.")
    if len(value) > limit:
        return _("At most %(n)s characters.", n=limit)
    # NUL and lone surrogates cannot be stored by PostgreSQL or encoded as UTF-8.
    if "\x00" in value:
        return _("This text contains characters that cannot be stored.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("This text contains characters that cannot be stored.")
    return None


def _integer_problem(value: Any, low: int, high: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return _("Must be a whole number.")
    if not low <= value <= high:
        return _("Must be between %(low)s and %(high)s.", low=low, high=high)
    return None


def as_utc(value: Any) -> dt.datetime:
    """An aware time in UTC; ValueError for a naive or unrepresentable one."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(_("Give the time with its offset from UTC, for example 2026-11-22T12:00:00+02:00."))
    try:
        return value.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError(_("This time is out of range.")) from None


def as_budget(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValueError(_("Must be an amount, like 250000 or 250000.50.")) from None
    if not amount.is_finite() or amount < 0 or amount >= BUDGET_LIMIT:
        raise ValueError(_("Must be an amount from 0 to 999,999,999,999.99."))
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def clean_fields(data: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The scalar set-up values of ``data``, checked against each other and ``current``.

    ``current`` holds the values already stored; the cross-field rules look at the result of
    the change, so sending only ``team_max_size`` is judged against the stored minimum.
    """
    fields: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "title" in data:
        if problem := storable_text_problem(data["title"], TITLE_MAX, required=True):
            fields["title"] = problem
        else:
            clean["title"] = data["title"].strip()
    for name in LONG_TEXTS:
        if name in data:
            value = data[name] if data[name] is not None else ""
            if problem := storable_text_problem(value, LONG_TEXT_MAX):
                fields[name] = problem
            else:
                clean[name] = value
    for name, allowed in (("kind", KINDS), ("ranking_method", RANKING_METHODS)):
        if name in data:
            if data[name] not in allowed:
                fields[name] = _("Choose one of: %(values)s.", values=", ".join(allowed))
            else:
                clean[name] = data[name]
    for name, (low, high) in INTEGERS.items():
        if name in data:
            if problem := _integer_problem(data[name], low, high):
                fields[name] = problem
            else:
                clean[name] = data[name]
    if "blind_review" in data:
        if not isinstance(data["blind_review"], bool):
            fields["blind_review"] = _("Must be true or false.")
        else:
            clean["blind_review"] = data["blind_review"]
    for name in DATES:
        if name in data:
            if data[name] is None:
                clean[name] = None
                continue
            try:
                clean[name] = as_utc(data[name])
            except ValueError as error:
                fields[name] = str(error)
    if "budget_total" in data:
        if data["budget_total"] is None:
            clean["budget_total"] = None
        else:
            try:
                clean["budget_total"] = as_budget(data["budget_total"])
            except ValueError as error:
                fields["budget_total"] = str(error)
    if "programme_id" in data:
        value = data["programme_id"]
        if value is not None and (problem := _integer_problem(value, 1, MAX_ID)):
            fields["programme_id"] = problem
        else:
            clean["programme_id"] = value
    _check_together(clean, current, fields)
    if fields:
        raise ValidationFailed(fields=fields)
    return clean


def _check_together(clean: dict[str, Any], current: Mapping[str, Any], fields: dict[str, str]) -> None:
    def merged(name: str) -> Any:
        return clean[name] if name in clean else current.get(name)

    low, high = merged("team_min_size"), merged("team_max_size")
    if "team_min_size" not in fields and "team_max_size" not in fields and low and high and high < low:
        fields["team_max_size"] = _("The largest team size must be at least the smallest (%(n)s).", n=low)
    opens, deadline = merged("opens_at"), merged("submission_deadline")
    if not fields.keys() & set(DATES) and opens is not None and deadline is not None and deadline <= opens:
        fields["submission_deadline"] = _("The submission deadline must be after the opening time.")
    if clean.get("kind") == "hackathon" and "budget_total" not in clean:
        clean["budget_total"] = None  # a hackathon has prizes, not a budget
    if merged("kind") != "call" and clean.get("budget_total") is not None and "kind" not in fields:
        fields["budget_total"] = _("Only calls for projects have a total budget.")


def clean_tracks(items: Any, existing_ids: set[int]) -> list[dict[str, Any]]:
    """Tracks as ``[{id?, name, description}]``; plain names are accepted for new tracks."""
    if not isinstance(items, list):
        _fail({"tracks": _("Must be a list.")})
    if len(items) > MAX_TRACKS:
        _fail({"tracks": _("At most %(n)s tracks.", n=MAX_TRACKS)})
    fields: dict[str, str] = {}
    clean: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        item = {"name": item} if isinstance(item, str) else item
        if not isinstance(item, Mapping):
            fields[f"tracks.{index}"] = _("Must be a name.")
            continue
        track_id = item.get("id")
        if track_id is not None and track_id not in existing_ids:
            fields[f"tracks.{index}.id"] = _("This track does not belong to the challenge.")
        name = item.get("name")
        description = item.get("description") or ""
        if problem := storable_text_problem(name, TITLE_MAX, required=True):
            fields[f"tracks.{index}.name"] = problem
        elif " ".join(name.split()).casefold() in seen:
            fields[f"tracks.{index}.name"] = _("Two tracks have this name.")
        else:
            seen.add(" ".join(name.split()).casefold())
        if problem := storable_text_problem(description, SHORT_TEXT_MAX):
            fields[f"tracks.{index}.description"] = problem
        clean.append({"id": track_id, "name": (name or "").strip(), "description": description})
    if fields:
        _fail(fields)
    return clean


def clean_criteria(items: Any, existing_ids: set[int]) -> list[dict[str, Any]]:
    """Scoring criteria, each with a positive weight, a scale and optional level anchors."""
    if not isinstance(items, list):
        _fail({"criteria": _("Must be a list.")})
    if len(items) > MAX_CRITERIA:
        _fail({"criteria": _("At most %(n)s criteria.", n=MAX_CRITERIA)})
    fields: dict[str, str] = {}
    clean: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        key = f"criteria.{index}"
        if not isinstance(item, Mapping):
            fields[key] = _("Must be a criterion.")
            continue
        if item.get("id") is not None and item.get("id") not in existing_ids:
            fields[f"{key}.id"] = _("This criterion does not belong to the challenge.")
        if problem := storable_text_problem(item.get("name"), TITLE_MAX, required=True):
            fields[f"{key}.name"] = problem
        description = item.get("description") or ""
        if problem := storable_text_problem(description, SHORT_TEXT_MAX):
            fields[f"{key}.description"] = problem
        weight = item.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) \
                or not 0 < weight <= MAX_WEIGHT:
            fields[f"{key}.weight"] = _("Must be a number above 0 and at most %(n)s.", n=int(MAX_WEIGHT))
        low, high = item.get("scale_min", 1), item.get("scale_max", 5)
        scale_ok = True
        for name, value in (("scale_min", low), ("scale_max", high)):
            if problem := _integer_problem(value, *SCALE_LIMITS):
                fields[f"{key}.{name}"] = problem
                scale_ok = False
        if scale_ok and high <= low:
            fields[f"{key}.scale_max"] = _("The top of the scale must be above its bottom.")
            scale_ok = False
        anchors = item.get("anchors") or []
        if isinstance(anchors, list) and all(isinstance(a, str) and not a.strip() for a in anchors):
            anchors = []
        if not isinstance(anchors, list) or any(storable_text_problem(a, ANCHOR_MAX) for a in anchors):
            fields[f"{key}.anchors"] = _("Give each level's description as text of at most %(n)s characters.",
                                         n=ANCHOR_MAX)
        elif scale_ok and anchors and len(anchors) != high - low + 1:
            fields[f"{key}.anchors"] = _("Give one description per level: %(n)s for a %(low)s–%(high)s scale.",
                                         n=high - low + 1, low=low, high=high)
        clean.append({"id": item.get("id"), "name": (item.get("name") or "").strip(), "description": description,
                      "weight": float(weight) if isinstance(weight, (int, float)) else weight,
                      "scale_min": low, "scale_max": high,
                      "anchors": [a.strip() for a in anchors] if isinstance(anchors, list) else []})
    if fields:
        _fail(fields)
    return clean


def _fail(fields: dict[str, str]) -> NoReturn:
    raise ValidationFailed(fields=fields)

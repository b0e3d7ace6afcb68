"""Checking each part of an archive before it is imported: the same limits and choices as the
forms and the API (names ≤ 200 characters, long texts ≤ 20,000, amounts with two decimals below
10^12, statuses and methods from their lists), plus the references between files.

Each function reports what is wrong to a :class:`Problems` (located as "file, row, column") and
returns the clean values; the caller stops when there is any problem.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from flask_babel import gettext as _

from app.challenges import validation
from app.challenges.models import RANKING_METHODS, STATUSES
from app.core.errors import ValidationFailed
from app.results import rules
from app.results.archive import CHALLENGE_FILE, CSV_RESOURCES, SETUP_DATES, SETUP_TEXTS
from app.results.archive_package import MAX_ROWS, Problems
from app.results.models import AWARD_SOURCES, VISIBILITIES
from app.submissions.models import IDEA_STATUSES
from app.submissions.validation import LONG_TEXT_MAX, TITLE_MAX
from app.teams.rules import team_name_key

MAX_KEY = 2**63 - 1
MAX_ROUND = 1_000
MAX_POSITION = 1_000_000
AMOUNT_LIMIT = Decimal("1000000000000")
SETUP_NUMBERS = ("team_min_size", "team_max_size", "reviews_per_entry")
# Checked here; kind and ranking_method are checked with the rest of the set-up.
SETUP_CHOICES = (("status", STATUSES), ("results_visibility", VISIBILITIES))
PUBLISHED_AWARD = {"idea_id": int, "title": str, "team": str, "name": str, "amount": (float, int, type(None))}
PUBLISHED_ENTRY = {"rank": int, "idea_id": int, "title": str, "team": str, "score": (float, int, type(None))}
_DIGITS = re.compile(r"[0-9]{1,19}")


def _path(resource: str) -> str:
    return CSV_RESOURCES[resource][0]


def where(file: str, row: int | None = None, column: str | None = None) -> str:
    """Where a problem is: rows are numbered as a spreadsheet shows them (the header is row 1)."""
    if row is None:
        return f"{file}: {column}" if column else file
    return _("%(file)s, row %(row)s, %(column)s", file=file, row=row, column=column)


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time with its offset, in UTC; ValueError otherwise."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(_("Must be a time like 2026-11-22T10:00:00+00:00."))
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_("Must be a time like 2026-11-22T10:00:00+00:00.")) from None
    return validation.as_utc(parsed)


def parse_amount(value: Any) -> Decimal | None:
    """An amount of at most two decimals from 0 to below 10^12, or None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or len(str(value)) > 40:
        raise ValueError(_("Must be an amount, like 250000 or 250000.50."))
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(_("Must be an amount, like 250000 or 250000.50.")) from None
    if not amount.is_finite() or amount < 0 or amount >= AMOUNT_LIMIT:
        raise ValueError(_("Must be an amount from 0 to 999,999,999,999.99."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("Use at most two decimal places."))
    return amount.quantize(Decimal("0.01"))


def parse_int(value: Any, low: int, high: int) -> int:
    """A whole number from JSON (an integer) or CSV (digits)."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(_("Must be a whole number between %(low)s and %(high)s.", low=low, high=high))
    return value


def text(value: Any, limit: int, *, required: bool = False) -> str:
    problem = validation.storable_text_problem(value, limit, required=required)
    if problem:
        raise ValueError(problem)
    return value


def setup(document: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    """The challenge's own columns, checked by the same rules as the set-up pages."""
    names = (*SETUP_TEXTS, "kind", *SETUP_NUMBERS, "blind_review", "ranking_method", "budget_total", "currency",
             "results_visibility", "status", "round", *SETUP_DATES)
    missing = [name for name in names if name not in document]
    if missing:
        problems.add(CHALLENGE_FILE, _("These fields are missing: %(names)s.", names=", ".join(missing)))
        return {}
    data = {name: document[name] for name in (*SETUP_TEXTS, "kind", *SETUP_NUMBERS, "blind_review",
                                                "ranking_method", "budget_total")}
    clean: dict[str, Any] = {}
    for name in SETUP_DATES:
        try:
            clean[name] = parse_time(document[name])
        except ValueError as error:
            problems.add(where(CHALLENGE_FILE, column=name), str(error))
    data.update(opens_at=clean.get("opens_at"), submission_deadline=clean.get("submission_deadline"))
    try:
        fields = validation.clean_fields(data, {})
    except ValidationFailed as error:
        for name, message in error.fields.items():
            problems.add(where(CHALLENGE_FILE, column=name), message)
        fields = {}
    for name, allowed in SETUP_CHOICES:
        if document[name] not in allowed:
            problems.add(where(CHALLENGE_FILE, column=name), _("Choose one of: %(values)s.", values=", ".join(allowed)))
    currency = document["currency"]
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        problems.add(where(CHALLENGE_FILE, column="currency"), _("Must be a three-letter currency code, like EUR."))
    try:
        round_ = parse_int(document["round"], 1, MAX_ROUND)
    except ValueError as error:
        problems.add(where(CHALLENGE_FILE, column="round"), str(error))
        round_ = 1
    columns = {("rules_text" if name == "rules" else name): value for name, value in fields.items()}
    columns.update(currency=currency, results_visibility=document["results_visibility"], round=round_,
                   opened_at=clean.get("opened_at"), judging_started_at=clean.get("judging_started_at"))
    return columns


def _keyed(items: Any, name: str, problems: Problems) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(items, list):
        problems.add(where(CHALLENGE_FILE, column=name), _("Must be a list."))
        return []
    keyed, seen = [], set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.add(where(CHALLENGE_FILE, column=f"{name}.{index}"), _("Must be a JSON object."))
            continue
        try:
            key = parse_int(item.get("key"), 1, MAX_KEY)
        except ValueError as error:
            problems.add(where(CHALLENGE_FILE, column=f"{name}.{index}.key"), str(error))
            continue
        if key in seen:
            problems.add(where(CHALLENGE_FILE, column=f"{name}.{index}.key"), _("Two items have this key."))
        seen.add(key)
        keyed.append((key, {k: v for k, v in item.items() if k != "key"}))
    return keyed


def _checked(check: Any, name: str, keyed: list[tuple[int, dict[str, Any]]], problems: Problems) -> list[dict]:
    try:
        clean = check([item for _key, item in keyed], set())
    except ValidationFailed as error:
        for field, message in error.fields.items():
            problems.add(where(CHALLENGE_FILE, column=field), message)
        return []
    return [{**item, "key": key} for (key, _item), item in zip(keyed, clean)]


def tracks(items: Any, problems: Problems) -> list[dict[str, Any]]:
    return _checked(validation.clean_tracks, "tracks", _keyed(items, "tracks", problems), problems)


def criteria(items: Any, problems: Problems) -> list[dict[str, Any]]:
    return _checked(validation.clean_criteria, "criteria", _keyed(items, "criteria", problems), problems)


def _published_rows(items: Any, shape: dict[str, Any], name: str, problems: Problems) -> None:
    column = f"publication.{name}"
    if not isinstance(items, list) or len(items) > MAX_ROWS:
        problems.add(where(CHALLENGE_FILE, column=column), _("Must be a list."))
        return
    for index, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != set(shape) or any(
                isinstance(item[k], bool) or not isinstance(item[k], kind) for k, kind in shape.items()):
            problems.add(where(CHALLENGE_FILE, column=f"{column}.{index}"),
                         _("Must have exactly these fields: %(names)s.", names=", ".join(shape)))
        elif any(isinstance(item[k], float) and not math.isfinite(item[k]) for k in shape):
            problems.add(where(CHALLENGE_FILE, column=f"{column}.{index}"), _("Must be a number."))


def publication(value: Any, problems: Problems) -> dict[str, Any] | None:
    """The published snapshot, unchanged, once its digest is found to match its arrays."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add(where(CHALLENGE_FILE, column="publication"), _("Must be a JSON object."))
        return None
    before = len(problems.fields)
    try:
        published_at = parse_time(value.get("published_at"))
        if published_at is None:
            raise ValueError(_("This field is required."))
    except ValueError as error:
        problems.add(where(CHALLENGE_FILE, column="publication.published_at"), str(error))
        published_at = None
    for name, allowed in (("method", RANKING_METHODS), ("visibility", VISIBILITIES)):
        if value.get(name) not in allowed:
            problems.add(where(CHALLENGE_FILE, column=f"publication.{name}"),
                         _("Choose one of: %(values)s.", values=", ".join(allowed)))
    _published_rows(value.get("awards"), PUBLISHED_AWARD, "awards", problems)
    _published_rows(value.get("ranking"), PUBLISHED_ENTRY, "ranking", problems)
    digest = value.get("digest")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        problems.add(where(CHALLENGE_FILE, column="publication.digest"), _("Must be a SHA-256 digest in hexadecimal."))
    elif len(problems.fields) == before and rules.digest(value["awards"], value["ranking"]) != digest:
        problems.add(where(CHALLENGE_FILE, column="publication.digest"),
                     _("The published results do not match their digest: the archive was changed after export."))
    if len(problems.fields) != before:
        return None
    return {"published_at": published_at, "method": value["method"], "visibility": value["visibility"],
            "awards": value["awards"], "ranking": value["ranking"], "digest": digest}


def teams(table: list[dict[str, str]], problems: Problems) -> list[dict[str, Any]]:
    file, clean, keys, names = _path("teams"), [], set(), set()
    for row_number, row in enumerate(table, start=2):
        try:
            key = parse_int(row["key"], 1, MAX_KEY)
            if key in keys:
                raise ValueError(_("Two rows have this key."))
            keys.add(key)
        except ValueError as error:
            problems.add(where(file, row_number, "key"), str(error))
            continue
        try:
            name = text(row["name"], TITLE_MAX, required=True).strip()
            if team_name_key(name) in names:
                raise ValueError(_("Two teams have this name."))
            names.add(team_name_key(name))
        except ValueError as error:
            problems.add(where(file, row_number, "name"), str(error))
            continue
        try:
            # Members are never in a package; the size is for readers and is only checked here.
            parse_int(row["size"], 0, validation.MAX_TEAM_SIZE)
        except ValueError as error:
            problems.add(where(file, row_number, "size"), str(error))
            continue
        clean.append({"key": key, "name": name})
    return clean


def ideas(table: list[dict[str, str]], team_keys: set[int], track_keys: set[int], last_round: int,
          problems: Problems) -> list[dict[str, Any]]:
    file, clean, keys, teams_used = _path("ideas"), [], set(), set()
    for row_number, row in enumerate(table, start=2):
        item: dict[str, Any] = {}
        ok = True

        def check(column: str, parse: Any) -> None:
            nonlocal ok
            try:
                item[column] = parse(row[column])
            except ValueError as error:
                problems.add(where(file, row_number, column), str(error))
                ok = False

        check("key", lambda v: parse_int(v, 1, MAX_KEY))
        check("team_key", lambda v: parse_int(v, 1, MAX_KEY))
        check("track_key", lambda v: None if v == "" else parse_int(v, 1, MAX_KEY))
        check("title", lambda v: text(v, TITLE_MAX))
        for column in ("summary", "problem", "solution", "beneficiaries"):
            check(column, lambda v: text(v, LONG_TEXT_MAX))
        check("budget_requested", parse_amount)
        check("status", lambda v: _choice(v, IDEA_STATUSES))
        check("round", lambda v: parse_int(v, 1, last_round))
        check("submitted_at", parse_time)
        if not ok:
            continue
        for column, message in (
                ("key", _("Two rows have this key.") if item["key"] in keys else None),
                ("team_key", _("No team has this key in teams.csv.") if item["team_key"] not in team_keys else
                 _("A team has one idea: two rows name this team.") if item["team_key"] in teams_used else None),
                ("track_key", _("No track has this key in challenge.json.")
                 if item["track_key"] is not None and item["track_key"] not in track_keys else None)):
            if message:
                problems.add(where(file, row_number, column), message)
                ok = False
        keys.add(item["key"])
        teams_used.add(item["team_key"])
        if ok:
            clean.append(item)
    return clean


def awards(table: list[dict[str, str]], idea_keys: set[int], problems: Problems) -> list[dict[str, Any]]:
    file, clean = _path("awards"), []
    parsers = {"position": lambda v: parse_int(v, 0, MAX_POSITION),
               "idea_key": lambda v: _reference(parse_int(v, 1, MAX_KEY), idea_keys),
               "name": lambda v: text(v, TITLE_MAX, required=True).strip(),
               "amount": parse_amount, "source": lambda v: _choice(v, AWARD_SOURCES)}
    for row_number, row in enumerate(table, start=2):
        item: dict[str, Any] = {}
        for column, parse in parsers.items():
            try:
                item[column] = parse(row[column])
            except ValueError as error:
                problems.add(where(file, row_number, column), str(error))
        if len(item) == len(parsers):
            clean.append(item)
    return clean


def keys_of(table: list[dict[str, str]]) -> set[int]:
    """The keys a table's rows carry, readable or not otherwise: a reference to a row that has
    problems of its own is not reported again."""
    keys = set()
    for row in table:
        try:
            keys.add(parse_int(row["key"], 1, MAX_KEY))
        except ValueError:
            pass
    return keys


def _reference(key: int, keys: set[int]) -> int:
    if key not in keys:
        raise ValueError(_("No entry has this key in ideas.csv."))
    return key


def _choice(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(_("Choose one of: %(values)s.", values=", ".join(allowed)))
    return value

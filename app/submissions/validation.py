"""Checking what a team writes into its idea, the same way for the form and the API.

Every problem is reported at once, field by field (422 with ``fields``), so a person fixes them
in one go. Text is cleaned of what databases refuse (NUL, lone surrogates) rather than failing.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping
from urllib.parse import urlsplit

from flask_babel import gettext as _

from app.core.errors import ValidationFailed

TITLE_MAX = 200
LONG_TEXT_MAX = 20000
LONG_TEXTS = ("summary", "problem", "solution", "beneficiaries")
MAX_LINKS = 10
LINK_MAX = 2000
BUDGET_MAX = Decimal("999999999999.99")
EDITABLE = ("title", *LONG_TEXTS, "track_id", "budget_requested", "links")

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: Any) -> str:
    text = "" if value is None else str(value)
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_budget(value: Any) -> Decimal | None:
    """A non-negative amount with at most two decimals; "12 500,50" is read as 12500.50."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not amount.is_finite():
        raise ValueError("not a number")
    return amount


def _budget_problem(amount: Decimal) -> str | None:
    if amount < 0:
        return _("The budget cannot be negative.")
    if amount > BUDGET_MAX:
        return _("The budget is too large.")
    if amount != amount.quantize(Decimal("0.01")):
        return _("Use at most two decimal places.")
    return None


def link_problem(link: str) -> str | None:
    if len(link) > LINK_MAX:
        return _("Each link can have at most %(n)s characters.", n=LINK_MAX)
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", link):
        return _("“%(link)s” is not a web address starting with http:// or https://.", link=link[:80])
    return None


def clean_idea_data(data: Mapping[str, Any], challenge: Any) -> dict[str, Any]:
    """The values to store for the fields present in ``data``; 422 with every problem found."""
    fields: dict[str, str] = {}
    values: dict[str, Any] = {}
    if "title" in data:
        title = clean_text(data["title"]).strip()
        if len(title) > TITLE_MAX:
            fields["title"] = _("At most %(n)s characters.", n=TITLE_MAX)
        values["title"] = title
    for name in LONG_TEXTS:
        if name in data:
            text = clean_text(data[name])
            if len(text) > LONG_TEXT_MAX:
                fields[name] = _("At most %(n)s characters.", n=f"{LONG_TEXT_MAX:,}")
            values[name] = text
    if "track_id" in data:
        track_id = data["track_id"]
        if track_id in (None, ""):
            values["track_id"] = None
        else:
            try:
                track_id = int(track_id)
            except (TypeError, ValueError):
                track_id = None
            if track_id is None or track_id not in {t.id for t in challenge.tracks}:
                fields["track_id"] = _("Choose one of this challenge's tracks.")
            values["track_id"] = track_id
    if "budget_requested" in data:
        try:
            amount = parse_budget(data["budget_requested"])
        except ValueError:
            fields["budget_requested"] = _("Enter an amount, like 25000 or 25000.50.")
            amount = None
        if amount is not None:
            if challenge.kind != "call":
                fields["budget_requested"] = _("Only calls for projects take a requested budget.")
            else:
                problem = _budget_problem(amount)
                if problem:
                    fields["budget_requested"] = problem
        values["budget_requested"] = amount
    if "links" in data:
        links = _clean_links(data["links"], fields)
        values["links"] = links
    if fields:
        raise ValidationFailed(fields=fields)
    return values


def _clean_links(raw: Any, fields: dict[str, str]) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, (list, tuple)):
        fields["links"] = _("Give the links as a list of web addresses.")
        return []
    links = [clean_text(item).strip() for item in raw if item is not None]
    links = [link for link in links if link]
    if len(links) > MAX_LINKS:
        fields["links"] = _("At most %(n)s links.", n=MAX_LINKS)
        return links
    for link in links:
        problem = link_problem(link)
        if problem:
            fields["links"] = problem
            break
    return links


def split_links(text: str | None) -> list[str]:
    """Links typed one per line in the form."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]

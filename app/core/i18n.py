"""Language and time zone of each request, and the formatting helpers templates use."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, has_request_context, request, session
from babel.dates import format_date, format_skeleton
from flask_babel import format_datetime, get_locale, get_timezone, ngettext, to_user_timezone
from flask_login import current_user

from app.config import SUPPORTED_LOCALES

LANGUAGE_NAMES = {"en": "English", "ro": "Română", "fr": "Français", "it": "Italiano", "da": "Dansk"}


def select_locale() -> str:
    """The account's language, else the one chosen on the switcher, else Accept-Language."""
    if not has_request_context():
        # Commands and workers (``flask create-admin``, the outbox) have no visitor to ask.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = current_user if _has_user() else None
    if user is not None and user.is_authenticated and user.locale in SUPPORTED_LOCALES:
        return user.locale
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["DEFAULT_TIMEZONE"]
    user = current_user if _has_user() else None
    zone = getattr(user, "timezone", None) if user is not None and user.is_authenticated else None
    return zone or current_app.config["DEFAULT_TIMEZONE"]


def _has_user() -> bool:
    # API requests authenticate by token; they never load a session user.
    return not request.path.startswith("/api/")


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# Skeletons, not patterns: each language orders and punctuates day, month and time its own way.
_SKELETONS = {"short": "yMMMd", "medium": "yMMMEd", "long": ""}


def when(value: dt.datetime | None, fmt: str = "medium") -> str:
    """A time in the user's zone and language, to the minute, with the zone named."""
    if value is None:
        return ""
    if fmt in _SKELETONS:
        local, locale = to_user_timezone(value), get_locale()
        date_text = (format_date(local, "full", locale=locale) if fmt == "long"
                     else format_skeleton(_SKELETONS[fmt], local, locale=locale, fuzzy=True))
        time_text = format_skeleton("Hm", local, locale=locale, fuzzy=True)
        text = str(locale.datetime_formats[fmt]).replace("{1}", date_text).replace("{0}", time_text)
    else:
        text = format_datetime(value, fmt)
    return f"{text} ({get_timezone().zone})"


def time_left(deadline: dt.datetime | None, now: dt.datetime) -> str:
    """'2 days 4 hours left' in the user's language; empty once the deadline has passed."""
    if deadline is None or deadline <= now:
        return ""
    seconds = int((deadline - now).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    if hours and days < 7:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if not days and minutes:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    if not parts:
        parts.append(ngettext("%(num)d second", "%(num)d seconds", seconds))
    from flask_babel import gettext
    return gettext("%(time)s left", time=" ".join(parts))


def money(amount: object, currency: str) -> str:
    """An amount with its currency, grouped and punctuated the way the reader's language does."""
    from flask_babel import format_currency

    return format_currency(amount, currency)


def register_i18n(app: Flask) -> None:
    @app.context_processor
    def _i18n_context():
        return {"current_locale": str(get_locale()), "language_names": LANGUAGE_NAMES,
                "supported_locales": SUPPORTED_LOCALES}

    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["money"] = money
    app.jinja_env.globals["time_left"] = time_left

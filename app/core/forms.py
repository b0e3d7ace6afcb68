"""Form helpers shared by every feature: service errors shown next to their fields."""
from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms.validators import Length

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def apply_errors(form: FlaskForm, fields: dict[str, str]) -> None:
    """Put a service's field errors on the form; errors for unknown fields go to the summary."""
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


def text_limit(max_chars: int = 200) -> Any:
    from flask_babel import lazy_gettext as _l

    return Length(max=max_chars, message=_l("At most %(max)d characters."))


def sent_version(raw: Any) -> int | None:
    """The version a form carried back, to compare with the stored one; None when it is not a
    number at all (the save then goes without the check). ``int()`` alone raises on "²" and on
    thousands of digits; a number that long matches no version, so it stands as -1."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    return int(text) if len(text) <= 18 else -1


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""

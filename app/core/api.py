"""JSON API plumbing: bearer tokens, body validation, pagination, and the OpenAPI registry.

Every endpoint is declared with :func:`endpoint`, which records what it accepts and answers;
``/api/v1/openapi.json`` is generated from those records, so the document cannot drift from
the code.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint, g, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, func, select
from werkzeug.exceptions import RequestEntityTooLarge

from app.core.errors import DomainError, Unauthorised, ValidationFailed

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100
# Beyond this the offset no longer fits the databases' 64-bit integers (a 500, not an empty page).
MAX_PAGE = 1_000_000
# Ids are 32-bit on PostgreSQL: a larger one names no row (and overflows if handed to the database).
MAX_ID = 2**31 - 1


@dataclass
class EndpointMeta:
    summary: str
    auth: str  # "none" | "optional" | "required"
    body: type[BaseModel] | None
    responses: dict[int, type[BaseModel] | str | None]
    errors: tuple[int, ...]
    paginated: bool = False
    query: dict[str, str] = field(default_factory=dict)
    raw_body: str | None = None  # e.g. "multipart/form-data"


_token_loader: Callable[[str], Any] | None = None


def set_token_loader(loader: Callable[[str], Any]) -> None:
    """Accounts registers how a bearer token becomes a user (core must not import features)."""
    global _token_loader
    _token_loader = loader


def api_blueprint(name: str, import_name: str) -> Blueprint:
    return Blueprint(name, import_name, url_prefix=API_PREFIX)


def api_user() -> Any:
    """The user of this API request, or None for an anonymous public read."""
    return g.get("api_user")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _authenticate(mode: str) -> None:
    g.api_user = None
    token = bearer_token()
    if token is None:
        if request.headers.get("Authorization") or mode == "required":
            raise Unauthorised(_("A valid bearer token is required."), code="unauthorised")
        return
    user = _token_loader(token) if _token_loader else None
    if user is None:
        raise Unauthorised(_("This token is not valid or has expired."), code="invalid_token")
    g.api_user = user


_FIELD_MESSAGES = {
    "missing": lambda e: _("This field is required."),
    "string_too_long": lambda e: _("At most %(n)s characters.", n=e.get("ctx", {}).get("max_length")),
    "string_too_short": lambda e: _("At least %(n)s characters.", n=e.get("ctx", {}).get("min_length")),
    "extra_forbidden": lambda e: _("This field is not accepted."),
    "bool_type": lambda e: _("Must be true or false."),
    "bool_parsing": lambda e: _("Must be true or false."),
    "int_type": lambda e: _("Must be a whole number."),
    "int_parsing": lambda e: _("Must be a whole number."),
    "string_type": lambda e: _("Must be text."),
    "value_error": lambda e: str(e.get("ctx", {}).get("error", "")) or _("This value is not valid."),
}


def fields_from_validation(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item.get("loc", ())) or "body"
        render = _FIELD_MESSAGES.get(item.get("type", ""))
        message = render(item) if render else _("This value is not valid.")
        fields.setdefault(name, str(message))
    return fields


def _fields_with_nul(data: Any) -> list[str]:
    """Where a string holds a NUL character, which PostgreSQL can neither store nor compare."""
    found: list[str] = []
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:  # a loop, not recursion: a body may nest as deep as the JSON parser allows
        path, value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                found.append(path or "body")
        elif isinstance(value, (dict, list)):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            pending += [(f"{path}.{key}" if path else str(key), item) for key, item in items]
    return sorted(found)


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate the JSON body: 400 when it is not a JSON object, 422 with ``fields`` otherwise."""
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A body sent without its length (chunked) is cut at the limit rather than refused: a cut
        # body must not pass for a whole one.
        raise RequestEntityTooLarge()
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: thousands of nested brackets, which the parser cannot follow.
            raise DomainError(_("The body is not valid JSON."), code="malformed_json") from None
    if not isinstance(data, dict):
        raise DomainError(_("The body must be a JSON object."), code="malformed_json")
    if nul_fields := _fields_with_nul(data):
        raise ValidationFailed(fields={name: _("This value is not valid.") for name in nul_fields})
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(fields=fields_from_validation(error)) from None


def endpoint(bp: Blueprint, rule: str, *, methods: list[str], summary: str,
             auth: str = "required", body: type[BaseModel] | None = None,
             responses: dict[int, type[BaseModel] | str | None] | None = None,
             errors: tuple[int, ...] = (), paginated: bool = False,
             query: dict[str, str] | None = None, raw_body: str | None = None):
    """Declare one API endpoint: authentication, body model and answers, recorded for OpenAPI."""
    meta = EndpointMeta(summary=summary, auth=auth, body=body, responses=responses or {200: None},
                        errors=errors, paginated=paginated, query=query or {}, raw_body=raw_body)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            _authenticate(auth)
            if body is not None:
                kwargs["body"] = parse_body(body)
            return view(**kwargs)

        wrapper.api_meta = meta  # type: ignore[attr-defined]
        bp.add_url_rule(rule, view_func=wrapper, methods=methods)
        return wrapper

    return decorate


def page_args() -> tuple[int, int]:
    fields: dict[str, str] = {}
    values = {}
    for name, default, upper in (("page", 1, MAX_PAGE), ("per_page", 20, MAX_PER_PAGE)):
        raw = request.args.get(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            fields[name] = _("Must be a whole number.")
            continue
        if value < 1 or (upper and value > upper):
            fields[name] = _("Must be between 1 and %(n)s.", n=upper) if upper else _("Must be 1 or more.")
        values[name] = value
    if fields:
        raise ValidationFailed(fields=fields)
    return values["page"], values["per_page"]


def paginate(session: Any, stmt: Select, serialize: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """Answer a list as the contract's page: two queries, whatever the page holds."""
    page, per_page = page_args()
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [serialize(row) for row in rows], "total": total, "page": page, "per_page": per_page}


def paginate_list(items: list[Any]) -> dict[str, Any]:
    """The same page shape for a list computed in memory (e.g. a user's own small collections)."""
    page, per_page = page_args()
    start = (page - 1) * per_page
    return {"items": items[start:start + per_page], "total": len(items), "page": page, "per_page": per_page}

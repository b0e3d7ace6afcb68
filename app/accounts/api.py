"""Accounts in the JSON API: the same services as the pages, answered as the contract says."""
from __future__ import annotations

from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from flask_babel import gettext as _

from app.accounts import personal_data, services, two_step
from app.accounts.models import User
from app.accounts.site_settings import two_step_setup_required
from app.core.api import api_blueprint, api_user, bearer_token, endpoint, set_token_loader
from app.core.errors import Forbidden

bp = api_blueprint("accounts_api", __name__)


def _token_user(raw: str) -> User | None:
    """The token's owner, refused (403) while their role requires two-step sign-in not yet set up."""
    user = services.user_for_token(raw)
    if user is not None and two_step_setup_required(user):
        raise Forbidden(_("Your role requires two-step sign-in. Set it up on your account page first."),
                        code="two_factor_setup_required")
    return user


set_token_loader(_token_user)


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(max_length=320)
    password: str = Field(max_length=200)
    name: str = Field(max_length=200)
    organisation: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=8)
    accept_privacy: bool = False


class StatusOut(BaseModel):
    status: str


class CredentialsIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=200)
    code: str | None = Field(default=None, max_length=40,
                             description="With two-step sign-in on: the current 6-digit code, or a recovery code.")


class TokenOut(BaseModel):
    token: str
    expires_at: str


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    organisation: str
    locale: str
    is_admin: bool


class ExportOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    account: dict[str, Any]


def me_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "organisation": user.organisation,
            "locale": user.locale, "is_admin": user.is_admin}


@endpoint(bp, "/auth/register", methods=["POST"], auth="none", body=RegisterIn,
          responses={202: StatusOut}, errors=(429,), summary="Register an account")
def register(body: RegisterIn):
    locale = body.locale or request.accept_languages.best_match(["en", "ro", "fr", "it", "da"]) or "en"
    services.register_user(email=body.email, password=body.password, name=body.name,
                           organisation=body.organisation or "", locale=locale,
                           accept_privacy=body.accept_privacy, client_address=request.remote_addr or "")
    return {"status": "registered"}, 202


@endpoint(bp, "/auth/tokens", methods=["POST"], auth="none", body=CredentialsIn,
          responses={201: TokenOut}, errors=(401, 403, 429),
          summary="Exchange credentials (and, with two-step sign-in on, the current code) for a bearer token")
def create_token(body: CredentialsIn):
    raw, token = two_step.issue_token_for_credentials(body.email, body.password, request.remote_addr or "",
                                                      code=body.code)
    return {"token": raw, "expires_at": token.expires_at.isoformat()}, 201


@endpoint(bp, "/auth/tokens/current", methods=["DELETE"], responses={204: None},
          summary="Revoke the token used for this request")
def revoke_current_token():
    services.revoke_token(bearer_token() or "")
    return "", 204


@endpoint(bp, "/me", methods=["GET"], responses={200: MeOut}, summary="The signed-in account")
def me():
    return me_json(api_user())


@endpoint(bp, "/me/export", methods=["GET"], responses={200: ExportOut},
          summary="All personal data held about the user (GDPR art. 15 and 20)")
def export():
    return personal_data.export_personal_data(api_user())


@endpoint(bp, "/me", methods=["DELETE"], responses={204: None},
          summary="Erase the account; authored content stays under 'deleted user'")
def erase():
    personal_data.erase_account(api_user())
    return "", 204

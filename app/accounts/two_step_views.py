"""Pages of two-step sign-in: the code after the password, set-up and recovery codes, the
administrators' choice of roles that must use it, and the guard that sends those roles to set-up."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.sansio.response import Response

from app.accounts import site_settings, two_step
from app.accounts.cookies import SecureWhenHttpsSessionInterface
from app.accounts.forms import CodeForm, TwoStepOffForm, TwoStepRolesForm
from app.accounts.qr import qr_svg
from app.accounts.views import bp, sign_in
from app.core.errors import DomainError, Forbidden, ValidationFailed
from app.core.forms import apply_errors
from app.core.layout import NavItem, register_nav
from app.core.security import safe_next

register_nav(NavItem(_l("Security"), "accounts.security_settings", "administrator", order=85))

# What a person whose role requires two-step sign-in may still do before setting it up.
_ALLOWED_BEFORE_SETUP = {"static", "accounts.two_step", "accounts.two_step_confirm", "accounts.logout",
                         "accounts.export_data", "accounts.erase", "pages.privacy", "pages.set_language"}


@bp.record_once
def _install_session_interface(state: Any) -> None:
    state.app.session_interface = SecureWhenHttpsSessionInterface()


@bp.before_app_request
def _require_two_step_setup() -> Response | None:
    # The API answers for itself through its token loader; static files need no user.
    if request.path.startswith("/api/") or request.endpoint in _ALLOWED_BEFORE_SETUP:
        return None
    if not current_user.is_authenticated or not site_settings.two_step_setup_required(current_user):
        return None
    flash(_("Your role requires two-step sign-in. Set it up to continue."), "info")
    return redirect(url_for("accounts.two_step"), 303)


def _user() -> Any:
    return current_user._get_current_object()


# --- the second step of signing in ------------------------------------------------------------

@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    next_url = safe_next(request.values.get("next"), url_for("pages.home"))
    token = session.get("pending_sign_in")
    if two_step.pending_sign_in(token) is None:
        session.pop("pending_sign_in", None)
        flash(_("Your sign-in took too long or was already used. Please sign in again."), "info")
        return redirect(url_for("accounts.login", next=next_url))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            user, remember = two_step.complete_sign_in(token, form.code.data)
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            return render_template("accounts/login_code.html", form=form, next_url=next_url), 422
        except DomainError as error:
            if error.status != 429:
                raise
            return (render_template("accounts/login_code.html", form=form, next_url=next_url, error=error.message),
                    429, {"Retry-After": str(error.retry_after)})
        return sign_in(user, remember, next_url)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login_code.html", form=form, next_url=next_url), status


# --- set-up, recovery codes, turning it off -------------------------------------------------

def _two_step_page(status: int = 200, **context: Any):
    user = _user()
    context.setdefault("form", CodeForm(formdata=None))
    context.setdefault("off_form", TwoStepOffForm(formdata=None))
    if user.two_step_enabled:
        context.update(enabled=True, codes_left=two_step.recovery_codes_left(user),
                       required=site_settings.role_requires_two_step(user))
    else:
        credential = two_step.begin_setup(user)
        secret, uri = credential.secret, two_step.provisioning_uri(user, credential)
        context.update(enabled=False, secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                       uri=uri, qr=qr_svg(uri, _("QR code that adds Salus to an authenticator app")),
                       required=site_settings.role_requires_two_step(user))
    return render_template("accounts/two_step.html", **context), status


@bp.get("/account/two-step", endpoint="two_step")
@login_required
def two_step_status():
    return _two_step_page()


def _codes_page(codes: list[str], status: int = 200):
    return render_template("accounts/recovery_codes.html", codes=codes), status


def _codes_answer(service) -> Any:
    """Turning two-step sign-in on and renewing the recovery codes both take a current code and
    answer with a fresh set of recovery codes, shown once."""
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = service(_user(), form.code.data)
        except ValidationFailed as error:
            apply_errors(form, error.fields)
        else:
            return _codes_page(codes, 201)
    return _two_step_page(422, form=form)


@bp.post("/account/two-step")
@login_required
def two_step_confirm():
    return _codes_answer(two_step.confirm_setup)


@bp.post("/account/two-step/recovery-codes")
@login_required
def two_step_new_codes():
    return _codes_answer(two_step.regenerate_recovery_codes)


@bp.post("/account/two-step/off")
@login_required
def two_step_off():
    form = TwoStepOffForm()
    if form.validate_on_submit():
        try:
            two_step.disable(_user(), form.password.data, form.code.data)
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            return _two_step_page(422, off_form=form)
        flash(_("Two-step sign-in is off. Your password alone now signs you in."), "success")
        return redirect(url_for("accounts.account"))
    return _two_step_page(422, off_form=form)


# --- administrators: who must use it ----------------------------------------------------------

@bp.route("/admin/security", methods=["GET", "POST"])
@login_required
def security_settings():
    user = _user()
    if not user.is_admin:
        raise Forbidden()
    form = TwoStepRolesForm()
    if form.validate_on_submit():
        site_settings.set_required_two_step_roles(user, list(form.roles.data or []))
        flash(_("The security settings are saved."), "success")
        if site_settings.two_step_setup_required(user):
            return redirect(url_for("accounts.two_step"))
        return redirect(url_for("accounts.security_settings"))
    if not form.is_submitted():
        form.roles.data = sorted(site_settings.required_two_step_roles())
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/security_settings.html", form=form), status


"""Account pages: thin views that parse a form, call a service and render or redirect."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import personal_data, services, two_step
from app.accounts.forms import (EmailOnlyForm, LoginForm, PasswordForm, ProfileForm, RegisterForm, ResetForm,
                                TokenForm)
from app.accounts.site_settings import two_step_setup_required
from app.core import clock
from app.core.errors import DomainError, ValidationFailed
from app.core.forms import ActionForm, apply_errors
from app.core.security import safe_next
from app.extensions import login_manager

bp = Blueprint("accounts", __name__, template_folder="templates")

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = None  # sessions are checked on the server instead
login_manager.user_loader(services.load_login_session)


def _invalid(template: str, **context):
    return render_template(template, **context), 422


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = request.accept_languages.best_match([c for c, _n in form.locale.choices]) or "en"
    if form.validate_on_submit():
        try:
            services.register_user(email=form.email.data, password=form.password.data, name=form.name.data,
                                   organisation=form.organisation.data or "", locale=form.locale.data,
                                   accept_privacy=bool(form.accept_privacy.data),
                                   client_address=request.remote_addr or "")
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            return _invalid("accounts/register.html", form=form)
        return render_template("accounts/check_email.html", email=form.email.data.strip())
    if form.is_submitted():
        return _invalid("accounts/register.html", form=form)
    return render_template("accounts/register.html", form=form)


@bp.get("/confirm/<token>")
def confirm(token: str):
    services.confirm_email(token)
    flash(_("Your e-mail address is confirmed. You can sign in now."), "success")
    return redirect(url_for("accounts.account" if current_user.is_authenticated else "accounts.login"))


@bp.route("/confirm", methods=["GET", "POST"])
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        flash(_("If this address has an account waiting for confirmation, a new link is on its way."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/resend.html", form=form), (422 if form.is_submitted() else 200)


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"), url_for("pages.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except DomainError as error:
            if error.status == 429:
                return render_template("accounts/login.html", form=form, next_url=next_url,
                                       error=error.message), 429, {"Retry-After": str(error.retry_after)}
            return _invalid("accounts/login.html", form=form, next_url=next_url, error=error.message,
                            unconfirmed=error.code == "email_not_confirmed")
        remember = bool(form.remember.data)
        if user.two_step_enabled:
            # The password alone opens nothing: the code page finishes the sign-in.
            session.clear()
            session["pending_sign_in"] = two_step.start_pending_sign_in(user, remember=remember)
            return redirect(url_for("accounts.login_code", next=next_url))
        return sign_in(user, remember, next_url)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form, next_url=next_url), status


def sign_in(user, remember: bool, next_url: str):
    """Open a fresh session for this browser: nothing from before sign-in is carried over."""
    session.clear()
    services.start_login_session(user, remember=remember, user_agent=request.user_agent.string)
    login_user(user, remember=remember)
    flash(_("Welcome, %(name)s. You are signed in.", name=user.name), "success")
    if two_step_setup_required(user):
        return redirect(url_for("accounts.two_step"))
    return redirect(next_url)


@bp.post("/logout")
@login_required
def logout():
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("pages.home"))
    services.end_login_session(current_user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/check_email.html", email=form.email.data.strip(), reset=True)
    return render_template("accounts/reset_request.html", form=form), (422 if form.is_submitted() else 200)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    services.user_for_reset_token(token)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            return _invalid("accounts/reset_password.html", form=form)
        logout_user()
        session.clear()
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), (422 if form.is_submitted() else 200)


def _account_page(status: int = 200, **forms):
    user = current_user
    context = {
        "profile_form": forms.get("profile_form") or ProfileForm(obj=user, formdata=None),
        "password_form": forms.get("password_form") or PasswordForm(formdata=None),
        "token_form": forms.get("token_form") or TokenForm(formdata=None),
        "action_form": ActionForm(),
        "sessions": sorted(user.login_sessions, key=lambda s: s.last_seen_at, reverse=True),
        "tokens": sorted(user.api_tokens, key=lambda t: t.created_at, reverse=True),
        "now": clock.now(),
        "new_token": forms.get("new_token"),
    }
    if not forms.get("profile_form"):
        context["profile_form"].timezone.data = user.timezone or ""
    return render_template("accounts/account.html", **context), status


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/profile")
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, name=form.name.data, organisation=form.organisation.data or "",
                                    locale=form.locale.data, timezone=form.timezone.data or None)
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            return _account_page(422, profile_form=form)
        flash(_("Your details are saved."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(422, profile_form=form)


@bp.post("/account/password")
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except ValidationFailed as error:
            apply_errors(form, error.fields)
            return _account_page(422, password_form=form)
        # Every session ended with the old password; this browser gets a fresh one.
        session.clear()
        services.start_login_session(user, remember=False, user_agent=request.user_agent.string)
        login_user(user)
        flash(_("Your password is changed. Every other device has been signed out."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(422, password_form=form)


@bp.post("/account/sessions/end-all")
@login_required
def end_all_sessions():
    if ActionForm().validate_on_submit():
        services.end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You are signed out on every device."), "success")
    return redirect(url_for("accounts.login"))


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        raw, _token = services.create_api_token(current_user, form.label.data or "")
        return _account_page(201, new_token=raw)
    return _account_page(422, token_form=form)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if ActionForm().validate_on_submit():
        services.revoke_token_by_id(current_user, token_id)
        flash(_("The token is revoked. Programs using it can no longer connect."), "success")
    return redirect(url_for("accounts.account") + "#tokens")


@bp.get("/account/export")
@login_required
def export_data():
    data = personal_data.export_personal_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="salus-my-data.json"'})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def erase():
    form = ActionForm()
    if form.validate_on_submit():
        personal_data.erase_account(current_user._get_current_object())
        logout_user()
        session.clear()
        flash(_("Your account is erased. What you wrote stays, signed \"deleted user\"."), "success")
        return redirect(url_for("pages.home"))
    return render_template("accounts/erase.html", form=form)


# The two-step sign-in pages share this blueprint.
from app.accounts import two_step_views as _two_step_views  # noqa: E402,F401

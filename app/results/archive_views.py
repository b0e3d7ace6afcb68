"""The challenge archive: organisers download it; administrators import one as a new challenge."""
from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from app.challenges.access import organised_challenge, valid_id
from app.challenges.labels import STATUS_LABELS
from app.challenges.models import Challenge, Criterion, Track
from app.core.errors import Forbidden, ValidationFailed
from app.core.forms import apply_errors
from app.extensions import db
from app.results.archive import archive_filename, build_archive
from app.results.archive_import import import_archive, import_record
from app.results.archive_package import max_package_bytes, too_large_message
from app.results.blueprint import bp
from app.results.models import Award, Publication
from app.submissions.models import Idea
from app.teams.models import Team


class ArchiveImportForm(FlaskForm):
    archive = FileField(_l("Archive file (.zip)"))


def _user() -> Any:
    return current_user._get_current_object()


def archive_response(challenge: Challenge) -> Response:
    """The package as a download no browser renders (the same headers as attachments)."""
    response = Response(build_archive(challenge), mimetype="application/zip")
    response.headers.set("Content-Disposition", "attachment", filename=archive_filename(challenge))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/challenges/<int:challenge_id>/archive.zip")
def archive_export(challenge_id: int):
    return archive_response(organised_challenge(challenge_id, _user()))


def _require_admin(user: Any) -> None:
    if not user.is_admin:
        raise Forbidden(_("Only administrators can import challenge archives."))


@bp.route("/admin/archives/import", methods=["GET", "POST"])
@login_required
def archive_import():
    user = _user()
    _require_admin(user)
    form = ArchiveImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.archive.data
        data = upload.stream.read(max_package_bytes() + 1) if upload and upload.filename else b""
        if not data:
            apply_errors(form, {"archive": _("Choose the .zip file exported by Salus.")})
            status = 422
        else:
            try:
                challenge = import_archive(data, user)
            except ValidationFailed as error:
                form.archive.errors = [error.message]
                return _page(form, problems=error.fields), 422
            flash(_("The archive is imported as a new challenge: “%(title)s”.", title=challenge.title), "success")
            return redirect(url_for("results.archive_import", imported=challenge.id), 303)
    elif form.is_submitted():
        status = 422
    return _page(form, imported=_imported_summary(request.args.get("imported", type=int))), status


def _page(form: ArchiveImportForm, *, problems: dict[str, str] | None = None,
          imported: dict[str, Any] | None = None) -> str:
    return render_template("results/archive_import.html", form=form, problems=problems or {}, imported=imported,
                           status_labels=STATUS_LABELS)


def _imported_summary(challenge_id: int | None) -> dict[str, Any] | None:
    """What an import created, read back from the database (a constant number of queries)."""
    if not valid_id(challenge_id):
        return None
    challenge = db.session.get(Challenge, challenge_id)
    event = import_record(challenge_id) if challenge is not None else None
    if event is None:
        return None

    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(model.challenge_id == challenge_id))

    return {"challenge": challenge, "details": event.details or {}, "tracks": count(Track),
            "criteria": count(Criterion), "teams": count(Team), "ideas": count(Idea), "awards": count(Award),
            "publication": db.session.get(Publication, challenge_id)}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """An archive over the upload limit: say so on the import form rather than on a bare error page."""
    message = too_large_message() if request.endpoint == "results.archive_import" else _("The request is too large.")
    if request.endpoint == "results.archive_import" and current_user.is_authenticated and current_user.is_admin:
        form = ArchiveImportForm(formdata=None)
        form.archive.errors = [message]
        return _page(form), 413
    return render_template("core/error.html", status=413, message=message), 413

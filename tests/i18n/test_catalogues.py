"""The translation catalogues: complete, faithful to their placeholders, up to date with the code,
and actually used when a page or a mail is shown in Romanian, French, Italian or Danish.

The compiled catalogues (.mo) are build products. This module compiles any that are missing or
older than their .po when it is imported, that is before any test of the run sends a request, so
it does not depend on ``make``.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import escape

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = ROOT / "app"
TRANSLATIONS = APP_DIR / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
BABEL_CFG = ROOT / "babel.cfg"
LANGUAGES = ("ro", "fr", "it", "da")
CATALOGUES = ("en",) + LANGUAGES
# The same keywords as `make translations` (pybabel extract -k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLURAL_FORMS = {
    "ro": "nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);",
    "fr": "nplurals=2; plural=(n > 1);",
    "it": "nplurals=2; plural=(n != 1);",
    "da": "nplurals=2; plural=(n != 1);",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*(?:\d+)?(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def load(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def compile_catalogues() -> None:
    """Write each .mo next to its .po when it is missing or older (atomically, for parallel runs)."""
    for language in CATALOGUES:
        po = po_path(language)
        if not po.is_file():
            continue
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = load(po, language)
        handle, temporary = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(temporary, mo)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)


compile_catalogues()


def messages(catalog: Catalog):
    """Every real message (the header entry has an empty id)."""
    return [message for message in catalog if message.id]


def label(message) -> str:
    return repr(message.id if isinstance(message.id, str) else tuple(message.id))


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


def stray_percent(text: str) -> bool:
    """A '%' that is neither a named placeholder nor '%%' breaks formatting with variables."""
    return "%" in PLACEHOLDER.sub("", text).replace("%%", "")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return load(TEMPLATE)


@pytest.fixture(scope="module")
def catalogues() -> dict[str, Catalog]:
    return {language: load(po_path(language), language) for language in CATALOGUES}


def test_every_catalogue_exists():
    assert TEMPLATE.is_file(), "run `make translations` to extract app/translations/messages.pot"
    for language in CATALOGUES:
        assert po_path(language).is_file(), f"no catalogue for {language}: pybabel init -l {language}"
        assert po_path(language).with_suffix(".mo").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(template, catalogues, language):
    catalog = catalogues[language]
    problems = []
    for source in messages(template):
        message = catalog.get(source.id, context=source.context)
        if message is None:
            problems.append(f"{label(source)}: missing from the catalogue")
        elif message.fuzzy:
            problems.append(f"{label(source)}: fuzzy")
        elif source.pluralizable:
            forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            if len(forms) != catalog.num_plurals or not all(form.strip() for form in forms):
                problems.append(f"{label(source)}: needs {catalog.num_plurals} plural forms, has {forms!r}")
        elif not (message.string or "").strip():
            problems.append(f"{label(source)}: empty")
    assert not problems, f"{language}: untranslated messages:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", CATALOGUES)
def test_no_fuzzy_entries(catalogues, language):
    """`pybabel update` marks guesses as fuzzy; gettext ignores them, so they must be reviewed."""
    catalog = catalogues[language]
    assert not catalog.fuzzy, f"{language}: the catalogue header is marked fuzzy"
    assert [label(m) for m in messages(catalog) if m.fuzzy] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_header(catalogues, language):
    assert catalogues[language].plural_forms == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(catalogues, language):
    problems = []
    for message in messages(catalogues[language]):
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set().union(*(placeholders(text) for text in ids))
        for text in strings:
            if not text:
                continue  # reported by test_every_message_is_translated
            if placeholders(text) != expected:
                problems.append(f"{label(message)}: {text!r} has {sorted(placeholders(text))}, "
                                f"expected {sorted(expected)}")
            if expected and stray_percent(text):
                problems.append(f"{label(message)}: {text!r} has a '%' that is not a placeholder (use '%%')")
    assert not problems, f"{language}:\n" + "\n".join(problems)


def test_romanian_uses_comma_below_letters(catalogues):
    cedilla = {"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"}
    wrong = [label(m) for m in messages(catalogues["ro"])
             for text in ([m.string] if isinstance(m.string, str) else m.string)
             if any(letter in text for letter in cedilla)]
    assert wrong == [], "use ș/ț (comma below), not ş/ţ (cedilla), in: " + ", ".join(wrong)


def extract_from_code() -> Catalog:
    """What `pybabel extract -F babel.cfg -k _l -k lazy_gettext` finds in the code today."""
    with BABEL_CFG.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(BABEL_CFG))

    def only_the_app(path: str) -> bool:
        # pybabel skips folders whose names start with a dot or an underscore (__pycache__).
        resolved = Path(path).resolve()
        return not resolved.name.startswith((".", "_")) and (resolved == APP_DIR or APP_DIR in resolved.parents)

    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=only_the_app):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


@pytest.fixture(scope="module")
def in_code() -> Catalog:
    return extract_from_code()


def test_extraction_covers_python_and_every_kind_of_template(in_code):
    files = {filename for message in messages(in_code) for filename, _line in message.locations}
    for expected in ("app/accounts/forms.py", "app/core/i18n.py", "app/core/templates/base.html",
                     "app/accounts/templates/accounts/login.html",
                     "app/accounts/templates/mail/confirm_email.txt",
                     "app/accounts/templates/mail/confirm_email.html",
                     "app/core/templates/mail/base.html"):
        assert expected in files, f"babel.cfg extracts nothing from {expected}"
    assert in_code.get("%(num)d day") is not None and in_code.get("%(num)d day").pluralizable


def missing_from(catalog: Catalog, in_code: Catalog) -> list[str]:
    missing = []
    for message in messages(in_code):
        found = catalog.get(message.id, context=message.context)
        if found is None or (message.pluralizable and tuple(found.id) != tuple(message.id)):
            missing.append(label(message))
    return missing


def test_template_is_up_to_date_with_the_code(template, in_code):
    missing = missing_from(template, in_code)
    assert not missing, ("these messages are in the code but not in app/translations/messages.pot; "
                         "run `make translations`, then translate them:\n" + "\n".join(missing))


@pytest.mark.parametrize("language", CATALOGUES)
def test_catalogue_is_up_to_date_with_the_code(catalogues, in_code, language):
    missing = missing_from(catalogues[language], in_code)
    assert not missing, (f"these messages are in the code but not in the {language} catalogue; "
                         "run `make translations`, then translate them:\n" + "\n".join(missing))


# --- the catalogues in use ----------------------------------------------------------------

def translation(catalogues, language: str, msgid: str) -> str:
    message = catalogues[language].get(msgid)
    assert message is not None and message.string, f"{msgid!r} is not translated into {language}"
    return message.string


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("path", "english"), [
    ("/login", ("Sign in", "Forgot your password?", "E-mail address")),
    ("/register", ("Create an account", "Full name", "Read the privacy notice")),
])
def test_pages_are_shown_in_the_accept_language(client, catalogues, language, path, english):
    response = client.get(path, headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    for msgid in english:
        assert str(escape(translation(catalogues, language, msgid))) in page
        assert f">{msgid}<" not in page, f"{msgid!r} is still in English on {path} in {language}"


def test_romanian_sign_in_page_reads_romanian(client):
    page = client.get("/login", headers={"Accept-Language": "ro-RO,ro;q=0.9"}).get_data(as_text=True)
    assert '<html lang="ro">' in page
    assert "Conectați-vă" in page and "Ați uitat parola?" in page and "Creați un cont" in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_mail_is_written_in_the_recipients_language(app, catalogues, language):
    from app.core.outbox import render_mail

    context = {"user": SimpleNamespace(name="Ana Ionescu"), "reset_url": "http://salus.test/reset/abc"}
    with app.app_context():
        subject, text, html = render_mail("reset_password", language, context)
    assert subject == translation(catalogues, language, "Choose a new Salus password")
    intro = translation(catalogues, language, "Open this link to choose a new password. It works once, for one hour:")
    assert intro in text and str(escape(intro)) in html
    assert translation(catalogues, language, "Hello %(name)s,") % {"name": "Ana Ionescu"} in text
    assert str(escape(translation(catalogues, language, "You receive this message because of your Salus account."))) in html


@pytest.mark.parametrize(("language", "expected"), [
    ("ro", ("1 zi", "2 zile", "21 de zile")),
    ("fr", ("1 jour", "2 jours", "21 jours")),
    ("it", ("1 giorno", "2 giorni", "21 giorni")),
    ("da", ("1 dag", "2 dage", "21 dage")),
])
def test_time_left_uses_the_plural_forms(app, language, expected):
    import datetime as dt

    from flask_babel import force_locale

    from app.core.i18n import time_left

    now = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
    with app.test_request_context("/"), force_locale(language):
        shown = [time_left(now + dt.timedelta(days=days), now) for days in (1, 2, 21)]
    for text, days in zip(shown, expected):
        assert days in text, shown

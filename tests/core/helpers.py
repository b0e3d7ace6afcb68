"""Helpers shared by the core tests."""
from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo


def install_catalog(app, monkeypatch, folder, locale: str, messages: dict[str, str]) -> None:
    """Add a message catalogue for ``locale`` that lasts for one test.

    The project's own translations may be incomplete while a test runs; this one makes the
    chosen strings translated, so a test can tell which language a text was rendered in.
    """
    catalog = Catalog(locale=locale, domain="messages")
    for original, translated in messages.items():
        catalog.add(original, translated)
    target = folder / "translations" / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    babel = app.extensions["babel"]
    # Later directories win when catalogues merge; the domain caches catalogues per process.
    monkeypatch.setattr(babel, "translation_directories",
                        [*babel.translation_directories, str(folder / "translations")])
    monkeypatch.setattr(babel.instance.domain_instance, "cache", {})

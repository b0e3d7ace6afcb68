"""Browser tests: the real app served on 127.0.0.1 (same database as the other tests), driven by
Playwright in Debian's Chromium. Everything here skips, with the reason, when either is missing."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import DEFAULT_PASSWORD, free_port

CHROMIUM = Path(os.environ.get("SALUS_CHROMIUM", "/usr/bin/chromium"))
# Headless, and quiet: this machine's network is closed, so nothing may call out.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TEST_BASE_URL = "http://salus.test"  # BASE_URL of the test app; mails carry links under it
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000


class LiveServer:
    """The session's app on a free local port, in a background thread."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def local(self, link: str) -> str:
        """A link from a mail, pointed at this server."""
        assert link.startswith(TEST_BASE_URL), link
        return self.url + link[len(TEST_BASE_URL):]


@pytest.fixture(scope="session")
def live_server(app):
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium package, or run make test as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make test installs it)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                              timeout=60_000)
        yield chromium
        chromium.close()


def _new_tab(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def _close(tabs, request, names) -> None:
    """Close each tab's context; first, if the test failed, keep a screenshot of every tab."""
    report = getattr(request.node, "report_call", None)
    for tab, name in zip(tabs, names):
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, timeout=TIMEOUT_MS)
            except Exception:  # a screenshot must never hide the real failure
                pass
        tab.context.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) per test; a screenshot in test-artifacts/ when it fails."""
    tab = _new_tab(browser, live_server)
    yield tab
    _close([tab], request, [request.node.name])


@pytest.fixture
def another_page(browser, live_server, request):
    """Another person's browser, with its own cookies: ``another_page(viewport=...)`` opens one."""
    tabs = []

    def open_tab(**options):
        tabs.append(_new_tab(browser, live_server, **options))
        return tabs[-1]

    yield open_tab
    _close(tabs, request, [f"{request.node.name}-other-{n}" for n in range(1, len(tabs) + 1)])


def sign_in(tab, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the form, as a person does, and wait for the home page."""
    tab.goto("/login")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("button", name="Sign out").wait_for()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_call = report
    return report

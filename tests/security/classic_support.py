"""Shared by the classic-bug tests: attack strings, signed-in clients, an HTML inspector that lists
whatever could run in a page, and a recorder of the SQL the app sends."""
from __future__ import annotations

import contextlib
from html.parser import HTMLParser
from typing import Any, Iterator
from urllib.parse import urlsplit

from sqlalchemy import event

from tests.conftest import api_token, bearer, csrf_from, login

# Typed into every text people can write: a script element and an event handler in an element.
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;"
# Markdown fields get the attacks that survive a naive Markdown renderer as well.
XSS_MARKDOWN = (XSS + "\n\n[click](javascript:alert(1)) <a href=\"javascript:alert(2)\">raw</a>\n\n"
                "![x](https://evil.example/pixel.png) <svg onload=alert(3)></svg>\n\n"
                "<iframe src=\"https://evil.example/\"></iframe>")
# Spreadsheet formula openings (OWASP's list): each must come out of a CSV neutralised.
FORMULAS = ("=HYPERLINK(\"https://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
OFF_SITE = ("//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)",
            "\\\\evil.example", "http:evil.example", "https:/\\evil.example", " //evil.example",
            "/\t/evil.example", "///evil.example/", "/%5Cevil.example", "http://salus.test@evil.example",
            "data:text/html,<script>alert(1)</script>")
SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
NEVER_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}


def signed_in(app: Any, email: str) -> Any:
    client = app.test_client()
    response = login(client, email)
    assert response.status_code in (302, 303), f"{email} could not sign in ({response.status_code})"
    return client


def api_headers(app: Any, email: str) -> dict[str, str]:
    return bearer(api_token(app.test_client(), email))


def token_of(client: Any, page: str = "/account") -> str:
    """The session's CSRF token (Flask-WTF keeps one per session, valid for every form)."""
    return csrf_from(client.get(page).get_data(as_text=True))


class _Inspector(HTMLParser):
    def __init__(self, allow_style: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.allow_style = allow_style
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and not values.get("src", "").startswith("/static/"):
            self.problems.append(f"<script> without a static source: {values}")
        if tag in NEVER_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append(f"<meta http-equiv={values['http-equiv']}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style" and not self.allow_style:
                self.problems.append(f"<{tag} style=...> (inline style)")
            if name in URL_ATTRIBUTES:
                scheme = urlsplit("".join(value.split())).scheme.lower()
                if scheme not in SAFE_SCHEMES and not (tag == "img" and scheme == "data"):
                    self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def dangers(html: str, *, allow_style: bool = False) -> list[str]:
    """Everything in ``html`` that could run script, load a frame or send the reader elsewhere
    (mails may style elements: no mail reader runs a style attribute as code)."""
    inspector = _Inspector(allow_style)
    inspector.feed(html)
    inspector.close()
    return inspector.problems


@contextlib.contextmanager
def sql_statements(engine: Any) -> Iterator[list[str]]:
    """The text of every statement sent while the block runs (bound values are not part of it)."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)

